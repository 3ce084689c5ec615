// Inputs of the desktop shell's own procedures (`desktop.*`, served by the Electron main process
// only): connections (UI-8), export, offline review and restore (EXP). No procedure here takes a
// file path from the renderer: files are chosen in main through the OS dialogs.
import { z } from 'zod';
import { id, nonBlank } from './common.schema';
import { loginInput } from './users.schema';

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

export const signInInput = connectionIdInput.extend({
  ...loginInput.shape,
  remember: z
    .boolean({ error: 'remember must be true or false' })
    .default(true)
    .describe('keep the session token in the OS keychain; false keeps it only until Orgdesk quits'),
});
export type SignInInput = z.input<typeof signInInput>;

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
  content_sha256: string;
}

/** What a window is looking at: the local database, a remote server, or an export under review. */
export interface DesktopSession {
  mode: 'local' | 'remote' | 'review';
  connection_id: string | null;
  label: string;
  read_only: boolean;
  review: ExportManifest | null;
}
