// UI-7 users and roles (TEN-6): create a user (errors next to the field), give roles per org and
// account-wide, deactivate and reactivate; personal API tokens shown once, listed, revoked.
import { expect, test } from './fixtures';
import { UsersPage } from './pages/ui7-pages';

test('create a user, edit their roles, deactivate and reactivate', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Users and roles', 'users');
  const users = new UsersPage(page);
  await expect(users.row('reader@northwind.test')).toContainText('Reader · Acme Corp');
  await expect(users.row('reader@northwind.test')).toContainText('Reader · Globex');

  await users.view.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill('nora@northwind.test');
  await dialog.getByLabel('Name').fill('Nora New');
  await dialog.getByLabel('Password').fill('short');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  const password = dialog.getByLabel('Password');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/password must be at least 12 characters/);
  await password.fill('a-long-enough-password');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toBeHidden();
  await expect(users.row('nora@northwind.test')).toContainText('No role: sees nothing');

  // Roles: technician of Globex, reader of Initech.
  await users
    .row('nora@northwind.test')
    .getByRole('button', { name: 'Edit roles of Nora New' })
    .click();
  const roles = users.roleDialog;
  await roles.getByRole('button', { name: 'Add role' }).click();
  await roles.getByLabel('Role 1', { exact: true }).selectOption({ label: 'Technician' });
  await roles.getByLabel('Organization of role 1').selectOption({ label: 'Globex' });
  await roles.getByRole('button', { name: 'Add role' }).click();
  await roles.getByLabel('Organization of role 2').selectOption({ label: 'Initech' });
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await expect(roles).toBeHidden();
  await expect(app.toast('Roles of Nora New saved.')).toBeVisible();
  await expect(users.row('nora@northwind.test').getByRole('listitem')).toHaveText([
    'Technician · Globex',
    'Reader · Initech',
  ]);

  // Account admin holds no organization: the org picker says so and is disabled.
  await users
    .row('nora@northwind.test')
    .getByRole('button', { name: 'Edit roles of Nora New' })
    .click();
  await roles.getByLabel('Role 2', { exact: true }).selectOption({ label: 'Account admin' });
  await expect(roles.getByLabel('Organization of role 2')).toBeDisabled();
  await expect(roles.getByLabel('Organization of role 2')).toHaveValue('');
  await roles.getByRole('button', { name: 'Remove role 1 (Technician)' }).click();
  await roles.getByRole('button', { name: 'Save roles' }).click();
  await expect(roles).toBeHidden();
  await expect(users.row('nora@northwind.test').getByRole('listitem')).toHaveText([
    'Account admin · all organizations',
  ]);

  await users
    .row('nora@northwind.test')
    .getByRole('button', { name: 'Deactivate Nora New' })
    .click();
  await page
    .getByRole('dialog', { name: 'Deactivate Nora New?' })
    .getByRole('button', { name: 'Deactivate' })
    .click();
  await expect(users.row('nora@northwind.test')).toContainText('Deactivated');
  await users
    .row('nora@northwind.test')
    .getByRole('button', { name: 'Reactivate Nora New' })
    .click();
  await expect(users.row('nora@northwind.test')).toContainText('Active');

  // Nobody deactivates themselves: the button says why.
  const self = users
    .row('admin@northwind.test')
    .getByRole('button', { name: 'Deactivate Ada Admin' });
  await expect(self).toBeDisabled();
  await expect(self).toHaveAccessibleDescription('You cannot deactivate yourself.');
});

test('personal API tokens: shown once, listed, revoked', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('API tokens', 'tokens');
  const view = page.locator('[data-view="tokens"]');
  await view.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('nightly report');
  await dialog.getByLabel('Expires after (days)').fill('400');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('Expires after (days)')).toHaveAccessibleDescription(
    /expires_in_days must be at most 365/,
  );
  await dialog.getByLabel('Expires after (days)').fill('30');
  await dialog.getByRole('checkbox', { name: /^Read-only/ }).check();
  await dialog.getByRole('button', { name: 'Create token' }).click();

  const created = page.getByRole('dialog', { name: 'Token created' });
  const token = await created.getByTestId('secret-once').innerText();
  expect(token).toMatch(/^odk_pat_/);
  await created.getByRole('button', { name: 'Done' }).click();
  await expect(created).toBeHidden();
  // Shown once: nowhere on the page any more.
  await expect(page.getByText(token)).toHaveCount(0);

  const table = view.getByRole('table', { name: 'Personal API tokens' });
  const row = table.getByRole('row').filter({ hasText: 'nightly report' });
  await expect(row).toContainText('Read-only');
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: 'Revoke token nightly report' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke “nightly report”?' })
    .getByRole('button', { name: 'Revoke token' })
    .click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: 'Revoke token nightly report' })).toHaveCount(0);

  // The revoked token no longer signs anyone in.
  const res = await page.request.get('/trpc/users.me', {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status()).toBe(401);
});
