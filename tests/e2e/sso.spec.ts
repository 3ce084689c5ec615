// IDN-4 in Chromium: "Sign in with SSO" on the console's sign-in page, through a real OpenID
// provider's own login and consent pages (oidc-provider on loopback), back to the console signed
// in with the role the provider's groups map to. No mock anywhere.
import { startIdp, type TestIdp } from '../fixtures/oidc-provider';
import { expect, test } from './fixtures';

let idp: TestIdp | undefined;
test.afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

test('IDN-4: sign in with SSO through the provider login page, end to end', async ({
  page,
  world,
  signIn,
  app,
}) => {
  idp = await startIdp({
    redirectUris: [`${world.url}/api/v1/auth/oidc/callback`],
    users: [
      {
        sub: 'lin',
        email: 'lin.sso@northwind.test',
        name: 'Lin from SSO',
        groups: ['orgdesk-readers'],
      },
    ],
  });
  const put = await fetch(`${world.url}/api/v1/account/sso`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${world.seed.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['northwind.test'],
      extra_scopes: 'groups',
      group_mappings: [
        { group: 'orgdesk-readers', role: 'reader', organization_id: world.seed.orgs.acme.id },
      ],
      enabled: true,
    }),
  });
  expect(put.status).toBe(200);

  await signIn.goto();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.getByLabel('Work email').fill('lin.sso@northwind.test');
  await page.getByRole('button', { name: 'Continue with SSO' }).click();

  // The provider's own pages, on its own origin.
  await page.waitForURL(`${idp.issuer}/**`);
  await page.locator('input[name="login"]').fill('lin');
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Back in the console, signed in; the one-time code is gone from the address bar.
  await app.waitForShell();
  expect(new URL(page.url()).origin).toBe(world.url);
  expect(page.url()).not.toContain('code=');
  const me = await page.evaluate(async () => {
    const raw = localStorage.getItem('orgdesk.session');
    const token = (JSON.parse(raw!) as { state: { session: { token: string } } }).state.session
      .token;
    const res = await fetch('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
    return res.json();
  });
  expect(me).toMatchObject({
    email: 'lin.sso@northwind.test',
    name: 'Lin from SSO',
    roles: [{ role: 'reader', organization_id: world.seed.orgs.acme.id }],
  });
});

test('IDN-4: a provider user outside the allowed domains comes back to the sign-in page with the reason', async ({
  page,
  world,
  signIn,
}) => {
  idp = await startIdp({
    redirectUris: [`${world.url}/api/v1/auth/oidc/callback`],
    users: [{ sub: 'out', email: 'out@elsewhere.test', groups: ['orgdesk-readers'] }],
  });
  await fetch(`${world.url}/api/v1/account/sso`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${world.seed.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['northwind.test'],
      extra_scopes: 'groups',
      group_mappings: [{ group: 'orgdesk-readers', role: 'account_admin' }],
      enabled: true,
    }),
  });
  await signIn.goto();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  // The account is found from the allowed domain; the provider then signs in someone else.
  await page.getByLabel('Work email').fill('someone@northwind.test');
  await page.getByRole('button', { name: 'Continue with SSO' }).click();
  await page.waitForURL(`${idp.issuer}/**`);
  await page.locator('input[name="login"]').fill('out');
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(signIn.error()).toContainText(
    "out@elsewhere.test is outside this account's allowed domains",
  );
});
