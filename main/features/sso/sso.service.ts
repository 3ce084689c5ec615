import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { constantTimeEqual, randomToken, type SecretBox } from '../../core/crypto';
import type { AccessService } from '../../core/access';
import { DomainError, badRequest, notFound } from '../../core/errors';
import type { OidcSignInRow, SsoConfigRow, UserRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import type { Role } from '../../../shared/permissions';
import { OIDC_AUTHORIZE_PATH } from '../../../shared/constants';
import {
  SSO_FLOW_TTL_MS,
  SSO_HANDOFF_TTL_MS,
  oidcExchangeInput,
  oidcStartInput,
  putSsoInput,
  type GroupMapping,
  type OidcStart,
  type SsoConfig,
  type SsoTestResult,
} from '../../../shared/schemas/sso.schema';
import type { LoginResult } from '../../../shared/schemas/users.schema';
import type { AuthService } from '../auth/auth.service';
import { emailKey } from '../users/users.service';
import type { Claims, OidcProvider, ProviderClient } from './oidc-client';

export interface SsoDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  access: AccessService;
  auth: AuthService;
  provider: OidcProvider;
}

/** Where the provider sends the browser back: the one redirect URI an admin registers. */
export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
/**
 * The server's own address that sends a browser on to the provider. A native app opens only an
 * address of the server it signs in to (RFC 8252 §8.1: it must not hand the OS an arbitrary URL
 * a server sent), so the provider's URL reaches the browser through here, signed and expiring:
 * this is no open redirect, it sends only where `start` itself said.
 */
export const AUTHORIZE_PATH = OIDC_AUTHORIZE_PATH;
/** The web console's page that takes the one-time code (renderer/features/auth). */
export const CONSOLE_SSO_PATH = '/sign-in/sso';
const BASE_SCOPES = 'openid email profile';
const HANDOFF_PREFIX = 'odk_sso_';

const secretAad = (accountId: number) => `orgdesk/sso-client-secret/${accountId}`;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** RFC 8252 §7.3 and §8.3: a native app's redirect is to a loopback IP literal, any port. */
export function loopbackRedirect(raw: string): URL | null {
  try {
    const u = new URL(raw);
    const ipLiteral = u.hostname === '127.0.0.1' || u.hostname === '[::1]';
    if (u.protocol !== 'http:' || !ipLiteral || !u.port || u.username || u.password || u.hash) {
      return null;
    }
    return u;
  } catch {
    return null;
  }
}

interface RoleTarget {
  role: Role;
  organizationId: number | null;
}
const roleKey = (r: RoleTarget) => `${r.role}:${r.organizationId ?? ''}`;
const roleLabel = (r: RoleTarget) =>
  r.organizationId === null ? r.role : { role: r.role, organization_id: r.organizationId };

/** The roles a set of groups maps to, deduplicated, in mapping order. */
export function rolesFromGroups(
  groups: readonly string[],
  mappings: readonly GroupMapping[],
): RoleTarget[] {
  const held = new Set(groups);
  const out = new Map<string, RoleTarget>();
  for (const m of mappings) {
    if (!held.has(m.group.trim())) continue;
    const target: RoleTarget = {
      role: m.role,
      organizationId: 'organization_id' in m ? m.organization_id : null,
    };
    out.set(roleKey(target), target);
  }
  return [...out.values()];
}

const groupsOf = (claims: Claims, claim: string): string[] => {
  const v = claims[claim];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  if (typeof v === 'string') return [v];
  return [];
};

/** A refusal the browser is sent back with, in plain words (never a secret or a token). */
class SignInRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * IDN-4: single sign-on with OpenID Connect. The configuration is the account admin's; the
 * flow is start (state, nonce and the provider's PKCE verifier stored server-side), callback
 * (state taken once, the code exchanged and the ID token verified by openid-client, the user
 * created or matched, roles synced from the groups claim) and exchange (the console or the
 * desktop trades a one-time code plus its own PKCE verifier for a normal session). Network
 * calls to the provider run between units of work, never inside one.
 */
export class SsoService {
  constructor(private readonly d: SsoDeps) {}

  private client(row: SsoConfigRow): ProviderClient {
    return {
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecret: row.clientSecretCiphertext
        ? this.d.box.decrypt(row.clientSecretCiphertext, secretAad(row.accountId))
        : null,
    };
  }

  private view(row: SsoConfigRow | undefined, serverUrl: string): SsoConfig {
    const redirect_uri = `${serverUrl}${CALLBACK_PATH}`;
    if (!row) {
      return {
        configured: false,
        issuer: null,
        client_id: null,
        has_client_secret: false,
        allowed_domains: [],
        groups_claim: 'groups',
        group_mappings: [],
        extra_scopes: '',
        enabled: false,
        redirect_uri,
        updated_at: null,
      };
    }
    return {
      configured: true,
      issuer: row.issuer,
      client_id: row.clientId,
      has_client_secret: row.clientSecretCiphertext !== null,
      allowed_domains: JSON.parse(row.allowedDomains) as string[],
      groups_claim: row.groupsClaim,
      group_mappings: JSON.parse(row.groupMappings) as GroupMapping[],
      extra_scopes: row.extraScopes,
      enabled: row.enabled,
      redirect_uri,
      updated_at: iso(row.updatedAt),
    };
  }

  async get(actor: Actor, serverUrl: string): Promise<SsoConfig> {
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      return this.view(await r.sso.config(accountId), serverUrl);
    });
  }

  /** The whole configuration; an omitted client_secret keeps the stored one. Audited without it. */
  async put(actor: Actor, raw: z.input<typeof putSsoInput>, serverUrl: string): Promise<SsoConfig> {
    const input = putSsoInput.parse(raw);
    const domains = [...new Set(input.allowed_domains)];
    const mappings = input.group_mappings.map((m) => ({ ...m, group: m.group.trim() }));
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      const before = await r.sso.config(accountId);
      const orgIds = [
        ...new Set(mappings.flatMap((m) => ('organization_id' in m ? [m.organization_id] : []))),
      ];
      const known = new Set(await r.users.orgIdsIn(accountId, orgIds));
      const foreign = orgIds.find((id) => !known.has(id));
      // A mapping may only name the account's own orgs; a foreign id reads as an absent one.
      if (foreign !== undefined) throw notFound('Organization', foreign);
      const secret =
        input.client_secret !== undefined
          ? this.d.box.encrypt(input.client_secret, secretAad(accountId))
          : (before?.clientSecretCiphertext ?? null);
      if (input.enabled && secret === null) {
        throw badRequest(
          'client_secret is required to turn single sign-on on: paste the secret the provider issued',
          'client_secret',
        );
      }
      if (input.enabled && mappings.length === 0) {
        throw badRequest(
          'group_mappings needs at least one entry to turn single sign-on on: nobody could be given a role',
          'group_mappings',
        );
      }
      const row: SsoConfigRow = {
        accountId,
        issuer: input.issuer,
        clientId: input.client_id,
        clientSecretCiphertext: secret,
        allowedDomains: JSON.stringify(domains),
        groupsClaim: input.groups_claim,
        groupMappings: JSON.stringify(mappings),
        extraScopes: input.extra_scopes,
        enabled: input.enabled,
        updatedAt: this.d.clock.now(),
      };
      await r.sso.saveConfig(row);
      await r.audit.record(actor, {
        accountId,
        action: 'sso.configured',
        targetType: 'account',
        targetId: accountId,
        // Never the secret: only whether this change replaced it.
        details: {
          issuer: input.issuer,
          client_id: input.client_id,
          client_key_replaced: input.client_secret !== undefined,
          allowed_domains: domains,
          groups_claim: input.groups_claim,
          group_mappings: mappings,
          enabled: input.enabled,
        },
      });
      return this.view(row, serverUrl);
    });
  }

  /** The console's Test: discovery against the saved issuer, said in plain words. */
  async test(actor: Actor): Promise<SsoTestResult> {
    const row = await this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      return r.sso.config(accountId);
    });
    const none = {
      issuer: null,
      authorization_endpoint: null,
      token_endpoint: null,
      pkce_s256: false,
    };
    if (!row)
      return { ok: false, message: 'Nothing to test yet: save an issuer URL first.', ...none };
    try {
      const found = await this.d.provider.discover({ ...this.client(row), clientSecret: null });
      if (!found.pkceS256) {
        return {
          ok: false,
          message: `Found ${found.issuer}, but it does not announce PKCE with S256, which Orgdesk requires.`,
          issuer: found.issuer,
          authorization_endpoint: found.authorizationEndpoint,
          token_endpoint: found.tokenEndpoint,
          pkce_s256: false,
        };
      }
      return {
        ok: true,
        message: `Found ${found.issuer}: sign-in at ${found.authorizationEndpoint ?? '?'}, tokens at ${found.tokenEndpoint ?? '?'}, PKCE S256 supported.`,
        issuer: found.issuer,
        authorization_endpoint: found.authorizationEndpoint,
        token_endpoint: found.tokenEndpoint,
        pkce_s256: true,
      };
    } catch (err) {
      return {
        ok: false,
        message: `Discovery at ${row.issuer}/.well-known/openid-configuration failed: ${plain(err)}. Check the issuer URL (for Entra ID it ends in /v2.0) and that this server can reach it.`,
        ...none,
      };
    }
  }

  /** Which account an email signs in to: the user's own, else the one enabled config listing its domain. */
  private async accountFor(r: Repos, input: { account_id?: number; email?: string }) {
    if (input.account_id !== undefined) return input.account_id;
    const email = input.email!;
    const existing = await r.auth.userByEmailKey(emailKey(email));
    if (existing) return existing.user.accountId;
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const hits = (await r.sso.enabledConfigs()).filter((c) =>
      (JSON.parse(c.allowedDomains) as string[]).includes(domain),
    );
    return hits.length === 1 ? hits[0]!.accountId : null;
  }

  /** Start: the provider's authorization URL, with state, nonce and PKCE kept server-side. */
  async start(raw: z.input<typeof oidcStartInput>, serverUrl: string): Promise<OidcStart> {
    const input = oidcStartInput.parse(raw);
    let returnTo = `${serverUrl}${CONSOLE_SSO_PATH}`;
    if (input.redirect_uri !== undefined) {
      const loopback = loopbackRedirect(input.redirect_uri);
      if (!loopback) {
        throw badRequest(
          'redirect_uri must be a loopback address such as http://127.0.0.1:53682/callback (RFC 8252); omit it to come back to the console',
          'redirect_uri',
        );
      }
      returnTo = loopback.toString();
    }
    const found = await this.d.uow.read(async (r) => {
      const accountId = await this.accountFor(r, input);
      return accountId === null ? undefined : r.sso.configForSignIn(accountId);
    });
    // Absent, disabled and deactivated read alike: nothing tells which accounts exist.
    if (!found || !found.config.enabled || !found.accountActive) {
      throw new DomainError(
        'NOT_FOUND',
        'Single sign-on is not turned on for this account: sign in with your email and password, or ask your account admin',
        input.account_id !== undefined ? 'account_id' : 'email',
      );
    }
    const { config } = found;
    const state = randomToken('', 32);
    const nonce = randomToken('', 32);
    const providerVerifier = randomToken('', 48);
    let url: string;
    try {
      url = await this.d.provider.authorizationUrl(this.client(config), {
        redirectUri: `${serverUrl}${CALLBACK_PATH}`,
        scope: [BASE_SCOPES, config.extraScopes].join(' ').trim(),
        state,
        nonce,
        codeChallenge: s256(providerVerifier),
      });
    } catch (err) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `The account's identity provider could not be reached (${plain(err)}); try again, or ask your account admin to run the SSO test`,
      );
    }
    const now = this.d.clock.now();
    const expiresAt = now + SSO_FLOW_TTL_MS;
    await this.d.uow.write(async (r) => {
      await r.sso.purgeSignIns(now - 24 * 60 * 60 * 1000);
      await r.sso.insertSignIn({
        accountId: config.accountId,
        stateDigest: this.d.box.tokenDigest(state),
        nonce,
        providerVerifier,
        clientChallenge: input.code_challenge,
        returnTo,
        clientState: input.state ?? null,
        createdAt: now,
        expiresAt,
      });
    });
    const hop = new URL(`${serverUrl}${AUTHORIZE_PATH}`);
    hop.searchParams.set('to', url);
    hop.searchParams.set('exp', String(expiresAt));
    hop.searchParams.set('sig', this.hopSignature(url, expiresAt));
    return { authorization_url: url, browser_url: hop.toString(), expires_at: iso(expiresAt) };
  }

  private hopSignature(to: string, expiresAt: number): string {
    return this.d.box.tokenDigest(`orgdesk/sso-authorize/${expiresAt}/${to}`);
  }

  /**
   * The provider URL a `browser_url` carries, when the server signed it and it has not expired;
   * otherwise a BAD_REQUEST (the browser is shown the message, and goes nowhere).
   */
  authorizeRedirect(hop: URL): string {
    const to = hop.searchParams.get('to') ?? '';
    const exp = Number(hop.searchParams.get('exp'));
    const sig = hop.searchParams.get('sig') ?? '';
    if (
      !to ||
      !Number.isSafeInteger(exp) ||
      !constantTimeEqual(sig, this.hopSignature(to, exp)) ||
      exp <= this.d.clock.now()
    ) {
      throw badRequest(
        'This sign-in link is not one this server made, or it expired: start the sign-in again from Orgdesk',
        'sig',
      );
    }
    return to;
  }

  /**
   * The provider's redirect. Unknown, replayed or expired state: an error (there is nowhere safe
   * to send the browser). Otherwise the URL to send the browser to: the console or the desktop's
   * loopback listener, with a one-time code, or with an error in plain words.
   */
  async callback(currentUrl: URL, serverUrl: string): Promise<{ redirect: string }> {
    const state = currentUrl.searchParams.get('state');
    if (!state)
      throw badRequest(
        'This sign-in came back without its state: start the sign-in again',
        'state',
      );
    const now = this.d.clock.now();
    const taken = await this.d.uow.write(async (r) => {
      const row = await r.sso.takeCallback(this.d.box.tokenDigest(state), now);
      if (!row) return undefined;
      const found = await r.sso.configForSignIn(row.accountId);
      return { row, config: found?.config };
    });
    if (!taken) {
      throw badRequest(
        'This sign-in is unknown, already used or expired: start the sign-in again',
        'state',
      );
    }
    const { row, config } = taken;
    const back = (params: Record<string, string>) => {
      const u = new URL(row.returnTo);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      if (row.clientState) u.searchParams.set('state', row.clientState);
      return { redirect: u.toString() };
    };
    try {
      if (!config || !config.enabled) {
        throw new SignInRefused('sso_disabled', 'Single sign-on was turned off for this account.');
      }
      const providerError = currentUrl.searchParams.get('error');
      if (providerError) {
        throw new SignInRefused(
          'provider_refused',
          `The identity provider refused the sign-in (${providerError}${currentUrl.searchParams.get('error_description') ? `: ${currentUrl.searchParams.get('error_description')}` : ''}).`,
        );
      }
      // The callback URL as the provider was told it: the server's public URL, not the bind address.
      const asRegistered = new URL(`${serverUrl}${CALLBACK_PATH}${currentUrl.search}`);
      let claims: Claims;
      try {
        claims = await this.d.provider.callback(
          this.client(config),
          asRegistered,
          { providerVerifier: row.providerVerifier, state, nonce: row.nonce },
          ['email', 'email_verified', 'name', config.groupsClaim],
        );
      } catch (err) {
        throw new SignInRefused(
          'provider_failed',
          `The identity provider's answer did not check out: ${plain(err)}.`,
        );
      }
      const handoff = randomToken(HANDOFF_PREFIX, 32);
      await this.d.uow.write(async (r) => {
        const user = await this.signInUser(r, config, claims, now);
        await r.sso.setHandoff(
          row.id,
          user.id,
          this.d.box.tokenDigest(handoff),
          now + SSO_HANDOFF_TTL_MS,
        );
      });
      return back({ code: handoff });
    } catch (err) {
      if (err instanceof SignInRefused)
        return back({ error: err.code, error_description: err.message });
      throw err;
    }
  }

  /** The domain check, the user (created on first sign-in) and the roles synced from the groups. */
  private async signInUser(
    r: Repos,
    config: SsoConfigRow,
    claims: Claims,
    now: number,
  ): Promise<UserRow> {
    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    if (!email.includes('@')) {
      throw new SignInRefused(
        'no_email',
        'The identity provider sent no email address; ask your admin to release the email claim.',
      );
    }
    if (claims.email_verified === false) {
      throw new SignInRefused(
        'email_unverified',
        `The identity provider says ${email} is not verified.`,
      );
    }
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    const allowed = JSON.parse(config.allowedDomains) as string[];
    if (!allowed.includes(domain)) {
      throw new SignInRefused(
        'domain_not_allowed',
        `${email} is outside this account's allowed domains (${allowed.join(', ')}); ask your account admin.`,
      );
    }
    const groups = groupsOf(claims, config.groupsClaim);
    const mappings = JSON.parse(config.groupMappings) as GroupMapping[];
    const wanted = rolesFromGroups(groups, mappings);
    const orgIds = wanted.flatMap((w) => (w.organizationId === null ? [] : [w.organizationId]));
    const live = new Set(await r.users.orgIdsIn(config.accountId, orgIds));
    const roles = wanted.filter((w) => w.organizationId === null || live.has(w.organizationId));
    // Deny by default: no mapped group, no role, no sign-in (never "all access").
    if (roles.length === 0) {
      throw new SignInRefused(
        'no_role',
        `Your groups at the identity provider (${groups.length ? groups.join(', ') : 'none sent'}) give no role in Orgdesk; ask your account admin to map one.`,
      );
    }
    const key = emailKey(email);
    const existing = await r.auth.userByEmailKey(key);
    let user: UserRow;
    const system = {
      userId: 0,
      accountId: config.accountId,
      label: 'single sign-on',
      isSupportEngineer: false,
      isPlatformOperator: false,
      readOnly: false,
      via: 'system' as const,
    };
    if (existing) {
      user = existing.user;
      // One email, one account: a user of another account reads as refused, not as found.
      if (user.accountId !== config.accountId || user.isSupportEngineer) {
        throw new SignInRefused(
          'other_account',
          `${email} cannot sign in to this account with single sign-on.`,
        );
      }
      if (!user.isActive) {
        throw new SignInRefused(
          'user_inactive',
          `${email} is deactivated in Orgdesk; ask your account admin.`,
        );
      }
    } else {
      user = await r.users.insert({
        accountId: config.accountId,
        email,
        emailKey: key,
        name:
          typeof claims.name === 'string' && claims.name.trim()
            ? claims.name.trim().slice(0, 100)
            : email,
        passwordHash: null,
        isSupportEngineer: false,
        createdAt: now,
        updatedAt: now,
      });
      await r.audit.record(system, {
        accountId: config.accountId,
        action: 'user.created_by_sso',
        targetType: 'user',
        targetId: user.id,
        details: { email, issuer: config.issuer },
      });
    }
    const current: RoleTarget[] = (await r.users.rolesOf([user.id])).map((a) => ({
      role: a.role,
      organizationId: a.organizationId,
    }));
    const had = new Set(current.map(roleKey));
    const has = new Set(roles.map(roleKey));
    const added = roles.filter((x) => !had.has(roleKey(x)));
    const removed = current.filter((x) => !has.has(roleKey(x)));
    if (added.length || removed.length) {
      const losesAdmin = removed.some((x) => x.role === 'account_admin');
      if (losesAdmin) {
        const admins = await r.users.activeAdminIds(config.accountId);
        if (admins.length === 1 && admins[0] === user.id) {
          throw new SignInRefused(
            'last_admin',
            `${email} is the account's only admin and your groups no longer make you one; another admin must exist first.`,
          );
        }
      }
      await r.users.replaceRoles(
        user.id,
        config.accountId,
        roles.map((x) => ({ role: x.role, organizationId: x.organizationId })),
      );
      await r.audit.record(system, {
        accountId: config.accountId,
        action: 'user.roles_synced_by_sso',
        targetType: 'user',
        targetId: user.id,
        details: { email, groups, added: added.map(roleLabel), removed: removed.map(roleLabel) },
      });
    }
    return user;
  }

  /** The console or the desktop trades its one-time code and PKCE verifier for a session. */
  async exchange(
    raw: z.input<typeof oidcExchangeInput>,
    address = 'unknown',
  ): Promise<LoginResult> {
    const input = oidcExchangeInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const row: OidcSignInRow | undefined = await r.sso.takeHandoff(
        this.d.box.tokenDigest(input.code),
        s256(input.code_verifier),
        now,
      );
      const user = row?.userId ? await r.users.byId(row.userId) : undefined;
      const found = row ? await r.sso.configForSignIn(row.accountId) : undefined;
      if (!row || !user || !user.isActive || !found?.accountActive || !found.config.enabled) {
        throw new DomainError(
          'UNAUTHORIZED',
          'This sign-in code is unknown, already used, expired, or was started by another client: sign in again',
          'code',
        );
      }
      return this.d.auth.sessionIn(r, user, 'sso', address);
    });
  }
}

/** An error's message for a person, one line, without anything that looks like a token. */
function plain(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown; code?: unknown } };
  const base = typeof e?.message === 'string' ? e.message : String(err);
  const cause = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return `${base}${cause}`.replace(/\s+/g, ' ').slice(0, 300);
}
