// EXP-1 / AUD-2: the installation's export key, and the detached signature of an audit export.
// The format (what is signed, the fingerprint) is docs/export-format.md.
import { z } from 'zod';

const publicKey = z.string().describe('base64 of the raw 32-byte Ed25519 public key (RFC 8032)');
const publicKeyPem = z
  .string()
  .describe('The same key as a PEM "PUBLIC KEY" (SPKI) block, for openssl pkeyutl -pubin -inkey');
const fingerprint = z
  .string()
  .describe(
    'base64url (no padding) of SHA-256 over the raw 32-byte public key: what to compare and pin',
  );

export const exportKeyOutput = z.strictObject({
  algorithm: z.literal('Ed25519'),
  public_key: publicKey,
  public_key_pem: publicKeyPem,
  fingerprint,
  label: z.string().describe('How this installation names itself; informative, not a proof'),
});
export type ExportKeyInfo = z.infer<typeof exportKeyOutput>;

export const detachedSignatureOutput = z.strictObject({
  algorithm: z.literal('Ed25519'),
  value: z.string().describe('base64 of the 64-byte Ed25519 signature over the exact file bytes'),
  public_key: publicKey,
  public_key_pem: publicKeyPem,
  fingerprint,
  signer_label: z.string().describe('How the signing installation names itself; informative only'),
});
