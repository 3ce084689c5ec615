// IDN-4: single sign-on with OpenID Connect, per account. The client secret goes in and never
// comes back out: the configuration answers `has_client_secret` instead.
import { z } from 'zod';
import { ORG_ROLES } from '../permissions';
import { id, idValue, isoTime } from './common.schema';
import { emailField } from './users.schema';

export const MAX_SSO_DOMAINS = 50;
export const MAX_SSO_MAPPINGS = 200;
/** How long a started sign-in waits for the provider's callback. */
export const SSO_FLOW_TTL_MS = 10 * 60 * 1000;
/** How long the one-time code handed to the console or the desktop stays good after the callback. */
export const SSO_HANDOFF_TTL_MS = 2 * 60 * 1000;

const domain = z
  .string({ error: 'allowed_domains must hold text' })
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'allowed_domains must hold bare domains such as example.com (no @, no scheme)',
  );

const mappingTarget = z.discriminatedUnion(
  'role',
  [
    z.strictObject({ group: z.string(), role: z.literal('account_admin') }),
    z.strictObject({
      group: z.string(),
      role: z.enum(ORG_ROLES),
      organization_id: id('organization_id'),
    }),
  ],
  {
    error:
      'group_mappings[].role must be account_admin, or org_admin/technician/reader with an organization_id',
  },
);

export const groupMapping = mappingTarget.superRefine((m, ctx) => {
  const g = m.group.trim();
  if (g.length === 0 || g.length > 256) {
    ctx.addIssue({
      code: 'custom',
      path: ['group'],
      message:
        'group_mappings[].group must be the group as the provider sends it (1–256 characters)',
    });
  }
});
export type GroupMapping = z.infer<typeof groupMapping>;

const issuerUrl = z
  .string({ error: 'issuer must be text' })
  .trim()
  .max(2000, 'issuer must be at most 2000 characters')
  .regex(
    /^https?:\/\/[^\s/?#]+[^\s?#]*$/i,
    'issuer must be the provider URL, e.g. https://login.microsoftonline.com/<tenant>/v2.0',
  );

const clientId = z
  .string({ error: 'client_id must be text' })
  .trim()
  .min(1, 'client_id is required: the application (client) id the provider gave you')
  .max(500, 'client_id must be at most 500 characters');

export const ssoSettings = {
  issuer: issuerUrl,
  client_id: clientId,
  allowed_domains: z
    .array(domain, { error: 'allowed_domains must be a list of domains' })
    .min(1, 'allowed_domains needs at least one domain, e.g. ["example.com"]')
    .max(MAX_SSO_DOMAINS, `allowed_domains holds at most ${MAX_SSO_DOMAINS} domains`),
  groups_claim: z
    .string({ error: 'groups_claim must be text' })
    .trim()
    .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'groups_claim must be a claim name such as groups')
    .default('groups'),
  group_mappings: z
    .array(groupMapping, { error: 'group_mappings must be a list' })
    .max(MAX_SSO_MAPPINGS, `group_mappings holds at most ${MAX_SSO_MAPPINGS} entries`),
  extra_scopes: z
    .string({ error: 'extra_scopes must be text' })
    .trim()
    .regex(/^[A-Za-z0-9_:./ -]{0,300}$/, 'extra_scopes must be scope names separated by spaces')
    .default(''),
  enabled: z.boolean({ error: 'enabled must be true or false' }),
};

/** PUT: the whole configuration; client_secret omitted keeps the stored one. */
export const putSsoInput = z.strictObject({
  ...ssoSettings,
  client_secret: z
    .string({ error: 'client_secret must be text' })
    .min(1, 'client_secret must not be empty; omit it to keep the stored one')
    .max(2000, 'client_secret must be at most 2000 characters')
    .optional(),
});
export type PutSso = z.input<typeof putSsoInput>;

export const groupMappingOutput = z.strictObject({
  group: z.string(),
  role: z.enum(['account_admin', ...ORG_ROLES]),
  organization_id: idValue.optional(),
});

export const ssoConfigOutput = z.strictObject({
  configured: z.boolean().describe('false until an account admin saves a configuration'),
  issuer: z.string().nullable(),
  client_id: z.string().nullable(),
  has_client_secret: z.boolean().describe('The secret itself is never answered'),
  allowed_domains: z.array(z.string()),
  groups_claim: z.string(),
  group_mappings: z.array(groupMappingOutput),
  extra_scopes: z.string(),
  enabled: z.boolean(),
  redirect_uri: z.string().describe('Enter this at the provider as the redirect (reply) URI'),
  updated_at: isoTime.nullable(),
});
export type SsoConfig = z.infer<typeof ssoConfigOutput>;

export const ssoTestOutput = z.strictObject({
  ok: z.boolean(),
  message: z.string().describe('What discovery found, or what failed, in plain words'),
  issuer: z.string().nullable(),
  authorization_endpoint: z.string().nullable(),
  token_endpoint: z.string().nullable(),
  pkce_s256: z.boolean(),
});
export type SsoTestResult = z.infer<typeof ssoTestOutput>;

const pkceChallenge = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .regex(
      /^[A-Za-z0-9_-]{43}$/,
      `${field} must be BASE64URL(SHA-256(code_verifier)) without padding (43 characters)`,
    );

export const oidcStartInput = z
  .strictObject({
    account_id: id('account_id').optional(),
    email: emailField('email').optional(),
    code_challenge: pkceChallenge('code_challenge'),
    /**
     * The desktop's loopback listener (RFC 8252 §7.3): http://127.0.0.1:<port>/<path>. Omitted:
     * the web console's own /sign-in/sso page.
     */
    redirect_uri: z.string({ error: 'redirect_uri must be text' }).max(300).optional(),
    state: z
      .string({ error: 'state must be text' })
      .regex(/^[A-Za-z0-9._~-]{16,200}$/, 'state must be 16–200 URL-safe characters')
      .optional(),
  })
  .refine((v) => v.account_id !== undefined || v.email !== undefined, {
    message: 'Give account_id or email: which account signs you in',
    path: ['email'],
  });

export const oidcStartOutput = z.strictObject({
  authorization_url: z.string().describe("Open this in the browser: the provider's sign-in"),
  browser_url: z
    .string()
    .describe(
      "The same sign-in on this server's own address (it redirects to authorization_url): what a native app opens, since it opens no other site's URL",
    ),
  expires_at: isoTime,
});
export type OidcStart = z.infer<typeof oidcStartOutput>;

export const oidcExchangeInput = z.strictObject({
  code: z
    .string({ error: 'code must be text' })
    .min(1, 'code is required')
    .max(200, 'code must be at most 200 characters'),
  code_verifier: z
    .string({ error: 'code_verifier must be text' })
    .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'code_verifier must be 43–128 characters (RFC 7636)'),
});
