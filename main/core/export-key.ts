// The installation's export key (EXP-1, AUD-2): an Ed25519 key that signs what leaves this
// installation as a file, the manifest of an .orgdesk-export file and audit CSV/JSON exports.
//
// Derived, not stored: the 32-byte Ed25519 seed is HKDF-SHA-256 of the master key with a fixed
// label. So every replica of an installation (a server restarted with the same
// ORGDESK_MASTER_KEY, a second server behind the same proxy, a restored backup of the key) signs
// with the same key and a reviewer pins it once; there is no second secret to store, back up,
// encrypt or keep in sync; and the key is exactly as safe as the master key, which already
// protects every org secret. The cost: the export key changes only with the master key, and
// Orgdesk cannot rotate a master key anyway (it decrypts the org secrets).
//
// The format of signatures and fingerprints is docs/export-format.md.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { KeyStore } from './key-store';

/** HKDF info: changing it changes every installation's export key. */
export const EXPORT_KEY_LABEL = 'orgdesk/export-signing/ed25519';
export const SIGNATURE_ALGORITHM = 'Ed25519';

// DER prefixes of Ed25519 keys (RFC 8410): PKCS#8 for the 32-byte seed, SPKI for the public key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The public half of an export key, as the API and the console show it. */
export interface SignerKey {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** base64 of the raw 32-byte Ed25519 public key */
  public_key: string;
  /** the same key as an SPKI PEM block, for `openssl pkeyutl -pubin -inkey` */
  public_key_pem: string;
  /** base64url (no padding) of SHA-256 over the raw 32-byte public key */
  fingerprint: string;
  /** the installation's own name for itself: informative, never a proof of anything */
  label: string;
}

/** A detached signature over some bytes, with the key that verifies it. */
export interface DetachedSignature {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** base64 of the 64-byte Ed25519 signature */
  value: string;
  public_key: string;
  public_key_pem: string;
  fingerprint: string;
  signer_label: string;
}

/** The raw public key of a base64 text, or null when it is not 32 bytes of canonical base64. */
export function rawPublicKey(base64: string): Buffer | null {
  const raw = Buffer.from(base64, 'base64');
  return raw.length === 32 && raw.toString('base64') === base64 ? raw : null;
}

export const fingerprintOf = (raw: Buffer): string =>
  createHash('sha256').update(raw).digest('base64url');

const publicKeyObject = (raw: Buffer): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });

export const publicKeyPem = (raw: Buffer): string =>
  publicKeyObject(raw).export({ format: 'pem', type: 'spki' }).toString();

/**
 * True only for a valid Ed25519 signature of `message` by the key. Malformed keys or signatures
 * are simply invalid, never an exception.
 */
export function verifySignature(
  publicKeyBase64: string,
  message: Buffer,
  signatureBase64: string,
): boolean {
  const raw = rawPublicKey(publicKeyBase64);
  const signature = Buffer.from(signatureBase64, 'base64');
  if (!raw || signature.length !== 64 || signature.toString('base64') !== signatureBase64) {
    return false;
  }
  try {
    return verify(null, message, publicKeyObject(raw), signature);
  } catch {
    return false;
  }
}

export class ExportSigner {
  private readonly privateKey: KeyObject;
  private readonly publicRaw: Buffer;

  constructor(
    keys: KeyStore,
    /** e.g. "Orgdesk server https://orgdesk.example.com" or "Orgdesk on laptop-7" */
    readonly label: string,
  ) {
    const seed = Buffer.from(
      hkdfSync('sha256', keys.masterKey(), Buffer.alloc(0), EXPORT_KEY_LABEL, 32),
    );
    this.privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' });
    this.publicRaw = Buffer.from(spki.subarray(SPKI_PREFIX.length));
  }

  key(): SignerKey {
    return {
      algorithm: SIGNATURE_ALGORITHM,
      public_key: this.publicRaw.toString('base64'),
      public_key_pem: publicKeyPem(this.publicRaw),
      fingerprint: fingerprintOf(this.publicRaw),
      label: this.label,
    };
  }

  /** base64 of the Ed25519 signature of exactly these bytes. */
  sign(message: Buffer | string): string {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return sign(null, bytes, this.privateKey).toString('base64');
  }

  /** A detached signature of a file's content (its UTF-8 bytes, as saved). */
  detached(content: string): DetachedSignature {
    const k = this.key();
    return {
      algorithm: k.algorithm,
      value: this.sign(content),
      public_key: k.public_key,
      public_key_pem: k.public_key_pem,
      fingerprint: k.fingerprint,
      signer_label: k.label,
    };
  }
}
