// Draft port (issue 14 step 0): SEC-1..4 the org secret. Not yet implemented on SQLite.
import type { OrganizationRow } from '../../domain/rows';

export type OrgSecretRow = Pick<
  OrganizationRow,
  | 'id'
  | 'accountId'
  | 'name'
  | 'isActive'
  | 'secretCiphertext'
  | 'secretDigest'
  | 'previousSecretDigest'
  | 'previousSecretExpiresAt'
>;

export interface SecretsRepo {
  secretOf(orgId: number): Promise<OrgSecretRow | undefined>;
  /** SEC-3: the new secret, and the old one kept valid until `graceUntil` (or not at all). */
  replaceSecret(
    orgId: number,
    next: { ciphertext: Buffer; digest: string },
    previous: { digest: string; expiresAt: number } | null,
    now: number,
  ): Promise<void>;
}
