// IDN-5 in Chromium: my sessions (this one marked, another ended and refused at once, all others
// ended); an admin signs a user out everywhere; a token always expires (90 days unless
// changed); the password rule is shown before submitting and a common password refused.
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './fixtures';
import { UsersPage } from './pages/ui7-pages';

const SCRIPT_AGENT = 'curl/8.5.0 (sessions e2e)';

async function signInByHttp(
  request: APIRequestContext,
  url: string,
  user: { email: string; password: string },
): Promise<string> {
  const res = await request.post(`${url}/api/v1/auth/login`, {
    headers: { 'User-Agent': SCRIPT_AGENT },
    data: { email: user.email, password: user.password },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const status = async (request: APIRequestContext, url: string, token: string) =>
  (
    await request.get(`${url}/api/v1/users/me`, {
      headers: { Authorization: `Bearer ${token}` },
    })
  ).status();

test('my sessions: this one marked, another ended (refused at once), then all others', async ({
  page,
  request,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const elsewhere = await signInByHttp(request, world.url, world.seed.admin);
  const third = await signInByHttp(request, world.url, world.seed.admin);
  const view = await app.openView('Sessions', 'sessions');
  const table = view.getByRole('table', { name: 'Your sessions' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(3);
  const current = rows.filter({ hasText: 'this session' });
  await expect(current).toHaveCount(1);
  await expect(current.getByRole('button', { name: /^End session/ })).toBeDisabled();
  await expect(current.getByRole('button', { name: /^End session/ })).toHaveAccessibleDescription(
    /the session you are using now/,
  );

  const scripts = rows.filter({ hasText: SCRIPT_AGENT });
  await expect(scripts).toHaveCount(2);
  await scripts
    .first()
    .getByRole('button', { name: /^End session/ })
    .click();
  const dialog = page.getByRole('dialog', { name: 'End this session?' });
  await dialog.getByRole('button', { name: 'End session' }).click();
  await expect(dialog).toBeHidden();
  await expect(rows).toHaveCount(2);
  // Newest first: the first script row was the third sign-in.
  expect(await status(request, world.url, third)).toBe(401);
  expect(await status(request, world.url, elsewhere)).toBe(200);

  await view.getByRole('button', { name: 'Sign out everywhere else' }).click();
  const all = page.getByRole('dialog', { name: 'Sign out everywhere else?' });
  await expect(all).toContainText('1 other session');
  await all.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(all).toBeHidden();
  await expect(rows).toHaveCount(1);
  expect(await status(request, world.url, elsewhere)).toBe(401);
  await expect(view.getByRole('button', { name: 'Sign out everywhere else' })).toBeDisabled();
});

test("an admin signs a user out everywhere: the user's sessions are refused", async ({
  page,
  request,
  world,
  signInAs,
}) => {
  const readerSession = await signInByHttp(request, world.url, world.seed.reader);
  const app = await signInAs('admin');
  await app.openView('Users and roles', 'users');
  const users = new UsersPage(page);
  await users
    .row('reader@northwind.test')
    .getByRole('button', { name: 'Sign out Rita Reader everywhere' })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Sign out Rita Reader everywhere?' });
  await expect(dialog).toContainText('personal API tokens keep working');
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByText('Rita Reader was signed out everywhere: 1 session ended.'),
  ).toBeVisible();
  expect(await status(request, world.url, readerSession)).toBe(401);
});

test('the token dialog: every token expires, 90 days unless changed', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const view = await app.openView('API tokens', 'tokens');
  await view.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  const days = dialog.getByLabel('Expires after (days)');
  await expect(days).toHaveValue('90');
  await expect(days).toHaveAccessibleDescription(/1 to 365 days .*90 unless changed/);
  await dialog.getByLabel('Name').fill('quarterly');
  await days.fill('');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(days).toHaveAccessibleDescription(/every token expires/);
});

test('the password rule is shown before submitting; a common password is refused with why', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Users and roles', 'users');
  await page.locator('[data-view="users"]').getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  const password = dialog.getByLabel('Password');
  await expect(password).toHaveAccessibleDescription(/not a common or leaked password/);
  await dialog.getByLabel('Email').fill('weak@northwind.test');
  await dialog.getByLabel('Name').fill('Weak Password');
  await password.fill('Password1234!');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/password is too common/);
});
