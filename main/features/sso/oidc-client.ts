// IDN-4: the OpenID provider as the SSO service sees it, over openid-client (v6). Network I/O:
// the service calls it before or after a unit of work, never inside one.
import * as oidc from 'openid-client';

export interface ProviderClient {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
}

export interface Discovered {
  issuer: string;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  pkceS256: boolean;
}

export interface AuthorizationRequest {
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

export interface CallbackChecks {
  providerVerifier: string;
  state: string;
  nonce: string;
}

/** The verified identity: the ID token's claims, completed from UserInfo when it lacks some. */
export type Claims = Record<string, unknown> & { sub: string };

export interface OidcProvider {
  discover(c: ProviderClient): Promise<Discovered>;
  authorizationUrl(c: ProviderClient, req: AuthorizationRequest): Promise<string>;
  /** Verifies state, issuer, audience, nonce and PKCE, exchanges the code, answers the claims. */
  callback(
    c: ProviderClient,
    currentUrl: URL,
    checks: CallbackChecks,
    wanted: readonly string[],
  ): Promise<Claims>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Plain HTTP only for a provider on this machine (a development or test provider, and only when
 * the server allows it): anything else must be HTTPS, so a secret and a code never cross a
 * network in the clear.
 */
export const isLoopbackIssuer = (issuer: string): boolean => {
  try {
    const u = new URL(issuer);
    return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
};

const TIMEOUT_SECONDS = 10;

export interface OpenIdClientOptions {
  /**
   * Accept a provider on this machine over plain http (tests, development). Off by default: an
   * account admin's issuer URL would otherwise let them make the server fetch its own loopback
   * services (server-side request forgery into 127.0.0.1).
   */
  allowLoopbackHttp?: boolean;
}

/** openid-client against the real provider. */
export class OpenIdClientProvider implements OidcProvider {
  constructor(private readonly o: OpenIdClientOptions = {}) {}

  private async config(c: ProviderClient): Promise<oidc.Configuration> {
    const insecure = this.o.allowLoopbackHttp === true && isLoopbackIssuer(c.issuer);
    if (!insecure && new URL(c.issuer).protocol !== 'https:') {
      throw new Error(
        this.o.allowLoopbackHttp
          ? 'the issuer must use https:// (plain http is accepted for 127.0.0.1 only)'
          : 'the issuer must use https://',
      );
    }
    return oidc.discovery(
      new URL(c.issuer),
      c.clientId,
      c.clientSecret ?? undefined,
      c.clientSecret ? oidc.ClientSecretPost(c.clientSecret) : oidc.None(),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: TIMEOUT_SECONDS },
    );
  }

  async discover(c: ProviderClient): Promise<Discovered> {
    const meta = (await this.config(c)).serverMetadata();
    return {
      issuer: meta.issuer,
      authorizationEndpoint: meta.authorization_endpoint ?? null,
      tokenEndpoint: meta.token_endpoint ?? null,
      pkceS256: meta.supportsPKCE('S256'),
    };
  }

  async authorizationUrl(c: ProviderClient, req: AuthorizationRequest): Promise<string> {
    const config = await this.config(c);
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: req.redirectUri,
        scope: req.scope,
        state: req.state,
        nonce: req.nonce,
        code_challenge: req.codeChallenge,
        code_challenge_method: 'S256',
      })
      .toString();
  }

  async callback(
    c: ProviderClient,
    currentUrl: URL,
    checks: CallbackChecks,
    wanted: readonly string[],
  ): Promise<Claims> {
    const config = await this.config(c);
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.providerVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('the provider answered no ID token');
    const claims: Claims = { ...idClaims };
    // Providers put email and groups in the ID token or only in UserInfo (oidc-provider by
    // default, Okta for some claims): ask UserInfo when the ID token lacks one, for this subject.
    if (wanted.some((k) => claims[k] === undefined)) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      for (const k of wanted)
        if (claims[k] === undefined && info[k] !== undefined) claims[k] = info[k];
    }
    return claims;
  }
}
