// EXP-1: whether an export's signer is trusted here. A pure decision with its reason, like
// checkSender: a valid signature only says WHICH key signed; trusted are this installation's own
// export key and keys the user pinned. Every other signer is "unknown", never trusted, however
// the file names itself (its label is the file's claim, the pin's label is the user's).
import type { SignerKey } from '../../core/export-key';
import type { PinnedSigner, SignerTrust } from '../../../shared/schemas/desktop.schema';
import type { SignerIdentity } from './export-file';

export interface KnownSigners {
  /** This installation's export key. */
  own: Pick<SignerKey, 'fingerprint' | 'label'>;
  pinned: PinnedSigner[];
}

export function trustOf(signer: SignerIdentity, known: KnownSigners): SignerTrust {
  const base = {
    public_key: signer.public_key,
    fingerprint: signer.fingerprint,
    claimed_label: signer.label,
  };
  // Fingerprints are SHA-256 of the public key: equal fingerprints, equal keys.
  if (signer.fingerprint === known.own.fingerprint) {
    return {
      ...base,
      trust: 'own',
      trusted: true,
      pinned_label: null,
      summary: `Signed by this installation (${known.own.label}), key ${signer.fingerprint}`,
    };
  }
  const pin = known.pinned.find((p) => p.fingerprint === signer.fingerprint);
  if (pin) {
    return {
      ...base,
      trust: 'pinned',
      trusted: true,
      pinned_label: pin.label,
      summary: `Signed by ${pin.label} (pinned key ${signer.fingerprint})`,
    };
  }
  return {
    ...base,
    trust: 'unknown',
    trusted: false,
    pinned_label: null,
    summary: `Unknown signer: key ${signer.fingerprint}, which calls itself "${signer.label}", is not pinned on this computer; nothing shows who made this file`,
  };
}
