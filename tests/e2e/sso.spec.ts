// IDN-4 in Chromium: "Sign in with SSO" on the console's sign-in page, through a real OpenID
// provider's own login and consent pages (oidc-provider on loopback), back to the console signed
// in with the role the provider's groups map to. No mock anywhere.
import { startIdp, type TestIdp } from '../fixtures/oidc-provider';
import { checkView } from './a11y-check';
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

test('IDN-4: an account admin sets up single sign-on in the console and tests it', async ({
  world,
  signInAs,
}) => {
  idp = await startIdp({ redirectUris: [`${world.url}/api/v1/auth/oidc/callback`], users: [] });
  const app = await signInAs('admin');
  const view = await app.openView('Single sign-on', 'sso');
  await expect(view.locator('[data-field="redirect-uri"]')).toHaveText(
    `${world.url}/api/v1/auth/oidc/callback`,
  );
  await view.getByLabel('Issuer URL').fill(idp.issuer);
  await view.getByLabel('Client ID').fill(idp.clientId);
  await view.getByLabel('Client secret').fill(idp.clientSecret);
  await view.getByLabel('Allowed email domains').fill('northwind.test');
  await view.getByRole('button', { name: 'Add a mapping' }).click();
  await view.getByLabel('Group 1', { exact: true }).fill('orgdesk-admins');
  await view.getByLabel('Role for group 1').selectOption('account_admin');
  await view.getByLabel('Single sign-on is on for this account').check();
  await view.getByRole('button', { name: 'Save' }).click();
  await expect(view.getByText('A secret is stored (it is never shown)')).toBeVisible();
  // The secret field is empty again: nothing of the secret comes back to the page.
  await expect(view.getByLabel('Client secret')).toHaveValue('');
  await view.getByRole('button', { name: 'Test' }).click();
  await expect(view.locator('[data-test-result="ok"]')).toContainText('PKCE S256 supported');
  const saved = await fetch(`${world.url}/api/v1/account/sso`, {
    headers: { authorization: `Bearer ${world.seed.adminToken}` },
  });
  expect(await saved.json()).toMatchObject({
    issuer: idp.issuer,
    enabled: true,
    allowed_domains: ['northwind.test'],
    group_mappings: [{ group: 'orgdesk-admins', role: 'account_admin' }],
  });
});

test('UI-9: the single sign-on settings and the SSO sign-in form pass axe in light and dark', async ({
  page,
  signIn,
  signInAs,
}) => {
  test.setTimeout(150_000);
  await signIn.goto();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await checkView(page, 'sign-in-sso');
  const app = await signInAs('admin');
  const view = await app.openView('Single sign-on', 'sso');
  await view.getByRole('button', { name: 'Add a mapping' }).click();
  await checkView(page, 'sso-settings');
});
