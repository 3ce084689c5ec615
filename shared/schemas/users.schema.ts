import { z } from 'zod';
import {
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  DEFAULT_TOKEN_EXPIRY_DAYS,
  MAX_TOKEN_EXPIRY_DAYS,
  MIN_PASSWORD_LENGTH,
} from '../constants';
import { ORG_ROLES, ROLES } from '../permissions';
import { countValue, id, idValue, isoTime, displayName, nonBlank } from './common.schema';

/** An email address in the field `field`, trimmed, with messages that name that field. */
export const emailField = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .max(MAX_EMAIL_LENGTH, `${field} must be at most ${MAX_EMAIL_LENGTH} characters`)
    .email(`${field} must be an address such as jane@example.com`);

const email = emailField('email');

export const password = z
  .string({ error: 'password must be text' })
  .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const createUserInput = z.strictObject({
  email,
  name: displayName('name', MAX_NAME_LENGTH),
  password: password.optional(),
  is_support_engineer: z
    .boolean({ error: 'is_support_engineer must be true or false' })
    .default(false),
});

export const updateUserInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: displayName('name', MAX_NAME_LENGTH).optional(),
    is_active: z.boolean({ error: 'is_active must be true or false' }).optional(),
    password: password.optional(),
    // PLAT-2: platform operators only.
    is_support_engineer: z
      .boolean({ error: 'is_support_engineer must be true or false' })
      .optional(),
  }),
});

export const roleGrant = z.discriminatedUnion(
  'role',
  [
    z.strictObject({ role: z.literal('account_admin') }),
    z.strictObject({
      role: z.enum(ORG_ROLES),
      organization_id: id('organization_id'),
    }),
  ],
  { error: 'role must be account_admin, or org_admin/technician/reader with an organization_id' },
);

export const setRolesInput = z.strictObject({
  id: id('id'),
  roles: z.array(roleGrant, { error: 'roles must be a list' }).max(1000),
});

export const loginInput = z.strictObject({
  email: z
    .string({ error: 'email must be text' })
    .trim()
    .min(1, 'email is required')
    .max(MAX_EMAIL_LENGTH),
  password: z
    .string({ error: 'password must be text' })
    .min(1, 'password is required')
    .max(MAX_PASSWORD_LENGTH),
});

export const createTokenInput = z.strictObject({
  name: nonBlank('name', MAX_NAME_LENGTH),
  read_only: z.boolean({ error: 'read_only must be true or false' }).default(false),
  // IDN-5: every personal token expires; a token that outlives its purpose is a standing key.
  expires_in_days: z
    .number({
      error: `expires_in_days must be a number of days, 1 to ${MAX_TOKEN_EXPIRY_DAYS} (a personal token always expires)`,
    })
    .int('expires_in_days must be a whole number of days')
    .min(1, 'expires_in_days must be at least 1')
    .max(
      MAX_TOKEN_EXPIRY_DAYS,
      `expires_in_days must be at most ${MAX_TOKEN_EXPIRY_DAYS} (one year); make a new token when it ends`,
    )
    .default(DEFAULT_TOKEN_EXPIRY_DAYS),
});

export const roleGrantOutput = z.strictObject({
  role: z.enum(ROLES),
  organization_id: idValue
    .optional()
    .describe('The org an org role is held on; absent for account_admin'),
});
export type RoleGrant = z.infer<typeof roleGrantOutput>;

export const userOutput = z.strictObject({
  id: idValue,
  account_id: idValue,
  email: z.string(),
  name: z.string(),
  is_support_engineer: z
    .boolean()
    .describe('A platform support engineer: holds no role, reads accounts through support grants'),
  is_platform_operator: z
    .boolean()
    .describe(
      'A platform operator (PLAT-1): manages accounts and support engineers; reads inside an account only with a role or a grant',
    ),
  is_active: z
    .boolean()
    .describe('false: deactivated by an admin (or erased); cannot sign in, tokens refused'),
  roles: z.array(roleGrantOutput),
  created_at: isoTime,
  updated_at: isoTime,
});
export type User = z.infer<typeof userOutput>;

export const userListOutput = z.array(userOutput);

export const TOKEN_KINDS = ['session', 'personal'] as const;

export const apiTokenOutput = z.strictObject({
  id: idValue,
  name: z.string(),
  kind: z.enum(TOKEN_KINDS).describe('session: a console sign-in; personal: made for scripts'),
  read_only: z.boolean().describe("true: keeps only the owner's read permissions"),
  created_at: isoTime,
  expires_at: isoTime
    .nullable()
    .describe('null: never expires (only tokens from before expiry was required, and bootstrap)'),
  revoked_at: isoTime.nullable(),
  last_used_at: isoTime.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenOutput>;

export const apiTokenListOutput = z.array(apiTokenOutput);

/** auth.createToken: the token's record and, this once, the token itself. */
export const createdTokenOutput = apiTokenOutput.extend({
  token: z.string().describe('The bearer token; shown this once, stored only as a digest'),
});
export type CreatedToken = z.infer<typeof createdTokenOutput>;

export const loginResultOutput = z.strictObject({
  token: z.string().describe('The session bearer token'),
  expires_at: isoTime,
});
export type LoginResult = z.infer<typeof loginResultOutput>;

/** IDN-5: one of the caller's console sessions still in force. */
export const sessionOutput = z.strictObject({
  id: idValue,
  created_at: isoTime.describe('When this session signed in'),
  last_used_at: isoTime
    .nullable()
    .describe('Its last request, to the minute; null: none since signing in'),
  expires_at: isoTime.nullable(),
  client_address: z
    .string()
    .nullable()
    .describe('The network address it signed in from, as the server saw it'),
  client: z.string().describe('What signed in: "Orgdesk desktop", or the browser\'s user agent'),
  current: z.boolean().describe('true: the session making this request'),
});
export type Session = z.infer<typeof sessionOutput>;

export const sessionListOutput = z.array(sessionOutput);

/** How many sessions a sign-out ended. */
export const revokedSessionsOutput = z.strictObject({ revoked: countValue });
export type RevokedSessions = z.infer<typeof revokedSessionsOutput>;
