// Port (issue 14): IDN-4 single sign-on's storage, domain-shaped so each engine writes its best
// SQL behind it. SQLite: main/db/sqlite/repos/sso.ts. Each step of a sign-in is one conditional
// update, so two replicas (or a replayed request) cannot both take it.
import type { OidcSignInRow, SsoConfigRow } from '../../domain/rows';

export type NewSignIn = Omit<
  OidcSignInRow,
  'id' | 'calledBackAt' | 'userId' | 'handoffDigest' | 'handoffExpiresAt' | 'exchangedAt'
>;

export interface SsoRepo {
  config(accountId: number): Promise<SsoConfigRow | undefined>;
  /** The account's config with the account's active flag, for sign-in. */
  configForSignIn(
    accountId: number,
  ): Promise<{ config: SsoConfigRow; accountActive: boolean } | undefined>;
  /** Every enabled config (an installation holds few accounts): the email → account lookup. */
  enabledConfigs(): Promise<SsoConfigRow[]>;
  saveConfig(row: SsoConfigRow): Promise<void>;
  insertSignIn(values: NewSignIn): Promise<void>;
  /** Drops sign-ins that ended (or expired) before `before`. */
  purgeSignIns(before: number): Promise<void>;
  /** Marks the callback taken: the row, once, while unexpired; undefined otherwise. */
  takeCallback(stateDigest: string, now: number): Promise<OidcSignInRow | undefined>;
  setHandoff(id: number, userId: number, handoffDigest: string, expiresAt: number): Promise<void>;
  /** Marks the handoff exchanged: once, unexpired, for the client holding the verifier. */
  takeHandoff(
    handoffDigest: string,
    clientChallenge: string,
    now: number,
  ): Promise<OidcSignInRow | undefined>;
}
