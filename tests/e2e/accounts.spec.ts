// PLAT-1 / PLAT-2 in the console: a platform operator (the seeded first admin, as the first start
// makes one) lists the server's accounts with their counts, creates one (its first admin's token
// shown once, copied), renames, deactivates and reactivates it, each confirmed; an account admin
// who is no operator sees no Accounts view and is not offered support engineers.
import type { Page } from '@playwright/test';
import { checkView } from './a11y-check';
import { expect, readClipboard, test } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { AccountsPage } from './pages/accounts-page';

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 150_000 });

const me = (page: Page, token: string) =>
  page.request.get('/trpc/users.me', { headers: { authorization: `Bearer ${token}` } });

test('a platform operator lists, creates, renames, deactivates and reactivates accounts', async ({
  context,
  page,
  world,
  signInAs,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.url });
  const app = await signInAs('admin');
  await expect(app.sidebar.getByRole('heading', { name: 'Platform' })).toBeVisible();
  await app.openView('Accounts', 'accounts');
  const accounts = new AccountsPage(page);

  // Names and counts: 4 named orgs and the filler ones, 3 users, 7 hosts.
  await expect(accounts.cells('Northwind MSP')).toHaveText([
    'Northwind MSPyours',
    'Active',
    String(4 + world.seed.fillerCount),
    '3',
    '7',
    /.+/,
    /Rename/,
  ]);
  const own = accounts
    .row('Northwind MSP')
    .getByRole('button', { name: 'Deactivate Northwind MSP' });
  await expect(own).toBeDisabled();
  await expect(own).toHaveAccessibleDescription(/You cannot deactivate your own account/);
  await checkView(page, 'accounts');

  // Create: an error from the server sits next to its field; then the token, shown once.
  await accounts.view.getByRole('button', { name: 'New account' }).click();
  const form = accounts.createDialog;
  await form.getByLabel('Account name').fill('Contoso');
  await form.getByLabel("First admin's email").fill('reader@northwind.test');
  await form.getByLabel("First admin's name").fill('Connie Contoso');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByLabel("First admin's email")).toHaveAccessibleDescription(
    /already exists/,
  );
  await form.getByLabel("First admin's email").fill('connie@contoso.test');
  await form.getByRole('button', { name: 'Create account' }).click();
  const created = accounts.createdDialog;
  const token = await created.getByTestId('secret-once').innerText();
  expect(token).toMatch(/^odk_pat_[A-Za-z0-9_-]{43}$/);
  await expect(created).toContainText('API token of connie@contoso.test');
  await checkView(page, 'accounts-created');
  await created.getByRole('button', { name: 'Copy' }).click();
  await expect.poll(() => readClipboard(page)).toBe(token);
  await created.getByRole('button', { name: 'Done' }).click();
  await expect(created).toBeHidden();
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(accounts.cells('Contoso')).toHaveText([
    'Contoso',
    'Active',
    '0',
    '1',
    '0',
    /.+/,
    /Rename/,
  ]);
  const asNewAdmin = await me(page, token);
  expect(asNewAdmin.status()).toBe(200);

  // Rename.
  await accounts.row('Contoso').getByRole('button', { name: 'Rename Contoso' }).click();
  const rename = accounts.dialog('Rename Contoso');
  await rename.getByLabel('Account name').fill('Contoso Ltd');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(rename).toBeHidden();
  await expect(app.toast('The account is now called Contoso Ltd.')).toBeVisible();

  // Deactivate, confirmed: its token stops at once; reactivate, confirmed: it works again.
  await accounts.row('Contoso Ltd').getByRole('button', { name: 'Deactivate Contoso Ltd' }).click();
  const off = accounts.dialog('Deactivate Contoso Ltd?');
  await expect(off).toContainText('can no longer sign in');
  await checkView(page, 'accounts-deactivate');
  await off.getByRole('button', { name: 'Deactivate account' }).click();
  await expect(off).toBeHidden();
  await expect(accounts.row('Contoso Ltd')).toContainText('Deactivated');
  expect((await me(page, token)).status()).toBe(401);

  await accounts.row('Contoso Ltd').getByRole('button', { name: 'Reactivate Contoso Ltd' }).click();
  const on = accounts.dialog('Reactivate Contoso Ltd?');
  await on.getByRole('button', { name: 'Reactivate account' }).click();
  await expect(on).toBeHidden();
  await expect(accounts.row('Contoso Ltd')).toContainText('Active');
  expect((await me(page, token)).status()).toBe(200);
});

test('an account admin who is no operator: no Accounts view, no support engineers to make', async ({
  browser,
  page,
  world,
}) => {
  // The operator makes the account over REST, as README shows with curl.
  const res = await page.request.post('/api/v1/accounts', {
    headers: { authorization: `Bearer ${world.seed.adminToken}` },
    data: { name: 'Fabrikam', admin_email: 'fran@fabrikam.test', admin_name: 'Fran' },
  });
  expect(res.status()).toBe(201);
  const { admin_token: token } = (await res.json()) as { admin_token: string };

  const context = await browser.newContext({ baseURL: world.url });
  const other = await context.newPage();
  const signIn = new SignInPage(other);
  await signIn.goto();
  await signIn.withToken(token);
  const app = new ConsolePage(other);
  await app.waitForShell();
  await expect(app.sidebar.getByRole('link', { name: 'Users and roles' })).toBeVisible();
  await expect(app.sidebar.getByRole('link', { name: 'Accounts', exact: true })).toHaveCount(0);
  await expect(app.sidebar.getByRole('heading', { name: 'Platform' })).toHaveCount(0);

  await app.openView('Users and roles', 'users');
  await other.locator('[data-view="users"]').getByRole('button', { name: 'New user' }).click();
  const dialog = other.getByRole('dialog', { name: 'New user' });
  await expect(dialog.getByLabel('Email')).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: /Platform support engineer/ })).toHaveCount(0);
  await context.close();
});
