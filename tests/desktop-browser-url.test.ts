// IDN-4: what the desktop hands to the system browser during a single sign-on (a decision, so a
// table): only the signed-in server's own sign-in address, on the origin the user added.
import { describe, expect, it } from 'vitest';
import { checkBrowserUrl } from '../main/desktop/connections/browser-url';

const SERVER = 'https://orgdesk.example.com';
const HOP = `${SERVER}/api/v1/auth/oidc/authorize?to=https%3A%2F%2Fidp.example.com%2Fauth&exp=1&sig=ab`;

describe('checkBrowserUrl', () => {
  it("opens the server's own sign-in address, over https or to this machine over http", () => {
    expect(checkBrowserUrl(HOP, SERVER)).toEqual({ open: true, url: HOP });
    const lab = 'http://127.0.0.1:8787/api/v1/auth/oidc/authorize?to=x';
    expect(checkBrowserUrl(lab, 'http://127.0.0.1:8787')).toMatchObject({ open: true });
    const under = 'https://rmm.example.com/orgdesk/api/v1/auth/oidc/authorize?to=x';
    expect(checkBrowserUrl(under, 'https://rmm.example.com/orgdesk')).toMatchObject({ open: true });
  });

  it.each([
    [
      'the provider itself',
      'https://idp.example.com/auth?client_id=x',
      'on https://idp.example.com',
    ],
    ['another site', 'https://evil.test/api/v1/auth/oidc/authorize?to=x', 'on https://evil.test'],
    [
      'a look-alike host',
      'https://orgdesk.example.com.evil.test/api/v1/auth/oidc/authorize',
      'not on its own',
    ],
    [
      'another port',
      'https://orgdesk.example.com:8443/api/v1/auth/oidc/authorize',
      'not on its own',
    ],
    [
      'plain http to the same host',
      'http://orgdesk.example.com/api/v1/auth/oidc/authorize',
      'a http: URL, not https:',
    ],
    ['a file', 'file:///etc/passwd', 'a file: URL, not a plain http(s) address'],
    ['a custom scheme', 'ms-msdt:/id PCWDiagnostic', 'a ms-msdt: URL'],
    ['javascript', 'javascript:alert(1)', 'a javascript: URL'],
    [
      'credentials',
      'https://user:pw@orgdesk.example.com/api/v1/auth/oidc/authorize',
      'not a plain http(s) address',
    ],
    ['whitespace (argument injection)', `${HOP} --flag`, 'not a plain http(s) address'],
    ['overly long', `${HOP}${'a'.repeat(3000)}`, 'not a plain http(s) address'],
    [
      'another path on the server',
      `${SERVER}/api/v1/auth/oidc/callback?x=1`,
      'not its sign-in address',
    ],
    ['a fragment', `${HOP}#x`, 'a #fragment'],
    ['not a URL', 'not a url', 'something, not a plain http(s) address'],
  ])('refuses %s', (_what, url, reason) => {
    const verdict = checkBrowserUrl(url, SERVER);
    expect(verdict.open).toBe(false);
    expect(verdict.open ? '' : verdict.reason).toContain(reason);
  });

  it("refuses everything when the connection's own URL is not https (an edited connections file)", () => {
    const verdict = checkBrowserUrl(
      'http://orgdesk.example.com/api/v1/auth/oidc/authorize',
      'http://orgdesk.example.com',
    );
    expect(verdict).toMatchObject({ open: false });
  });
});
