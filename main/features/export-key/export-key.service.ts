import type { Actor } from '../../core/actor';
import type { ExportSigner, SignerKey } from '../../core/export-key';

/**
 * EXP-1 / AUD-2: the public half of this installation's export key, for a reviewer to compare
 * and pin. Public data: any signed-in caller may read it; it names no tenant.
 */
export class ExportKeyService {
  constructor(private readonly signer: ExportSigner) {}

  get(_actor: Actor): SignerKey {
    return this.signer.key();
  }
}
