// PLAT-1: the accounts of a server, as platform operators manage them. An account reads back as
// its name, its state and three counts: never anything of the tenant's own content.
import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_NAME_LENGTH } from '../constants';
import { countValue, id, idValue, isoTime, nonBlank, pageInput, pageOutput } from './common.schema';
import { emailField } from './users.schema';

export const listAccountsInput = z
  .strictObject({ ...pageInput })
  .default({ skip: 0, limit: DEFAULT_PAGE_LIMIT });
export type ListAccountsInput = z.input<typeof listAccountsInput>;

export const accountIdInput = z.strictObject({ id: id('id') });

export const createAccountInput = z.strictObject({
  name: nonBlank('name', MAX_NAME_LENGTH),
  admin_email: emailField('admin_email'),
  admin_name: nonBlank('admin_name', MAX_NAME_LENGTH),
});
export type CreateAccountInput = z.input<typeof createAccountInput>;

export const updateAccountInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: nonBlank('name', MAX_NAME_LENGTH).optional(),
    is_active: z.boolean({ error: 'is_active must be true or false' }).optional(),
    // IDN-1: the account's users need a second factor (an account admin sets it too, PUT /account/mfa).
    require_mfa: z.boolean({ error: 'require_mfa must be true or false' }).optional(),
  }),
});
export type UpdateAccountInput = z.input<typeof updateAccountInput>;

export const accountCountsOutput = z.strictObject({
  organizations: countValue.describe('Organizations of the account, deactivated ones included'),
  users: countValue.describe('Users of the account, deactivated ones included'),
  hosts: countValue.describe('Hosts registered in its organizations'),
});

export const accountOutput = z.strictObject({
  id: idValue,
  name: z.string(),
  is_active: z
    .boolean()
    .describe(
      "false: deactivated by a platform operator; the account's sign-ins, tokens, support grants and agents are refused",
    ),
  require_mfa: z
    .boolean()
    .describe('IDN-1: every user needs a second factor; without one they can only enrol'),
  created_at: isoTime,
  counts: accountCountsOutput,
});
export type Account = z.infer<typeof accountOutput>;

export const accountPageOutput = pageOutput(accountOutput);

/** accounts.create: the account, its first admin and, this once, that admin's API token. */
export const createdAccountOutput = z.strictObject({
  account: accountOutput,
  admin: z.strictObject({ id: idValue, email: z.string() }),
  admin_token: z
    .string()
    .describe("The first admin's personal API token; shown this once, stored only as a digest"),
});
export type CreatedAccount = z.infer<typeof createdAccountOutput>;
