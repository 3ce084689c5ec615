// Inputs of the desktop shell's own procedures (`desktop.*`, served by the Electron main process
// only): connections (UI-8), export, offline review and restore (EXP). No procedure here takes a
// file path from the renderer: files are chosen in main through the OS dialogs.
import { z } from 'zod';
import { id, nonBlank } from './common.schema';
import { emailField, loginInput } from './users.schema';

export const connectionIdInput = z.strictObject({
  id: z
    .string({ error: 'id must be a connection id' })
    .min(1, 'id must be a connection id')
    .max(64, 'id must be a connection id'),
});

export const addConnectionInput = z.strictObject({
  name: nonBlank('name', 80),
  url: z
    .string({ error: 'url must be text such as https://orgdesk.example.com' })
    .trim()
    .min(1, 'url is required, e.g. https://orgdesk.example.com')
    .max(500, 'url must be at most 500 characters'),
});
export type AddConnectionInput = z.input<typeof addConnectionInput>;

const remember = z
  .boolean({ error: 'remember must be true or false' })
  .default(true)
  .describe('keep the session token in the OS keychain; false keeps it only until Orgdesk quits');

export const signInInput = connectionIdInput.extend({ ...loginInput.shape, remember });
export type SignInInput = z.input<typeof signInInput>;

/**
 * IDN-4: single sign-on to a remote server through the system browser. Which account: an email
 * (its domain names the account; the provider decides who actually signs in) or its id.
 */
export const ssoSignInInput = connectionIdInput
  .extend({
    email: emailField('email').optional(),
    account_id: id('account_id').optional(),
    remember,
  })
  .refine((v) => v.email !== undefined || v.account_id !== undefined, {
    message: 'email is required: the address you sign in with (or give account_id)',
    path: ['email'],
  });
export type SsoSignInInput = z.input<typeof ssoSignInInput>;

/** `local`, or the id of a remote connection. */
export const useConnectionInput = connectionIdInput;

export const createExportInput = z.discriminatedUnion(
  'scope',
  [
    z.strictObject({ scope: z.literal('organization'), organization_id: id('organization_id') }),
    z.strictObject({ scope: z.literal('account') }),
  ],
  { error: 'scope must be "organization" (with organization_id) or "account"' },
);
export type CreateExportInput = z.input<typeof createExportInput>;

export const restoreInput = z.strictObject({
  /** Which org of the export; may be left out when the export holds exactly one. */
  organization_id: id('organization_id').optional(),
  /**
   * EXP-1: restore a file whose signer is neither this installation nor pinned, knowingly: the
   * fingerprint of exactly that signer (the refusal names it). Any other file is still refused.
   */
  accept_signer: z
    .string({ error: 'accept_signer must be the signer fingerprint the refusal named' })
    .trim()
    .regex(
      /^[A-Za-z0-9_-]{43}$/,
      'accept_signer must be a key fingerprint (43 characters of base64url)',
    )
    .optional(),
});
export type RestoreInput = z.input<typeof restoreInput>;

export interface ConnectionInfo {
  id: string;
  kind: 'local' | 'remote';
  name: string;
  url: string | null;
  email: string | null;
  signed_in: boolean;
  /** Where the session token is kept: the OS keychain, memory only (until quit), or nowhere. */
  token_storage: 'keychain' | 'memory' | null;
  token_expires_at: string | null;
}

export interface ExportManifest {
  format: string;
  format_version: number;
  source: string;
  exported_at: string;
  exported_by: string;
  exported_by_user_id: number;
  scope: 'organization' | 'account';
  account_id: number;
  account_name: string;
  organizations: { id: number; name: string }[];
  counts: Record<string, number>;
  excluded: string[];
  /** SHA-256 of the canonical content text (docs/export-format.md), hex. */
  content_sha256: string;
  signature_algorithm: 'Ed25519';
  /** base64 of the signer's raw 32-byte Ed25519 public key. */
  signer_public_key: string;
  /** How the signing installation names itself: informative, never a proof. */
  signer_label: string;
  /** base64 Ed25519 signature over the manifest's other rows (docs/export-format.md). */
  signature: string;
}

/**
 * EXP-1: who signed an export, and whether this computer trusts that key: its own installation
 * ("own") or a key pinned here ("pinned"); any other valid signature is an "unknown" signer.
 */
export interface SignerTrust {
  trust: 'own' | 'pinned' | 'unknown';
  trusted: boolean;
  public_key: string;
  fingerprint: string;
  /** The name the file gives its signer. */
  claimed_label: string;
  /** The name it was pinned under here, when pinned. */
  pinned_label: string | null;
  /** One sentence for the console: who signed, and whether that is trusted. */
  summary: string;
}

/** A signer's key pinned on this computer (pinned-signers.json in the data directory). */
export interface PinnedSigner {
  fingerprint: string;
  public_key: string;
  label: string;
  pinned_at: string;
}

export const pinSignerInput = z.strictObject({
  public_key: z
    .string({ error: 'public_key must be the base64 raw Ed25519 public key' })
    .trim()
    .min(1, 'public_key is required: the base64 raw Ed25519 public key (44 characters)')
    .max(100, 'public_key must be the base64 raw Ed25519 public key (44 characters)'),
  label: nonBlank('label', 120),
});
export type PinSignerInput = z.input<typeof pinSignerInput>;

export const unpinSignerInput = z.strictObject({
  fingerprint: z
    .string({ error: 'fingerprint must be a key fingerprint' })
    .trim()
    .regex(
      /^[A-Za-z0-9_-]{43}$/,
      'fingerprint must be a key fingerprint (43 characters of base64url)',
    ),
});

/** What a window is looking at: the local database, a remote server, or an export under review. */
export interface DesktopSession {
  mode: 'local' | 'remote' | 'review';
  connection_id: string | null;
  label: string;
  read_only: boolean;
  review: ExportManifest | null;
  /** For a review: who signed the export and whether this computer trusts them (EXP-1). */
  signer: SignerTrust | null;
  /**
   * For a review: whether the file's content is known to match its signed checksum yet. The
   * signature is checked before anything shows; the checksum reads every row, so the review
   * opens while a worker checks it ('checking'), and a file that fails is closed (EXP-2).
   */
  content_check: 'checking' | 'verified' | null;
}
