// UI-3 / ORG-5: hard delete needs the org's name typed (with hosts, bulk-actions.spec.ts: they
// are removed first, UI-13).
import { expect, test } from './fixtures';
import { OrganizationsPage } from './pages/organizations-page';
import { SettingsPage } from './pages/org-pages';

test('without hosts, hard delete asks for the name typed and deletes', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Globex');
  await app.openView('Settings', 'settings');
  const lifecycle = new SettingsPage(page).section('Lifecycle');
  const del = lifecycle.getByRole('button', { name: 'Delete permanently…' });
  await expect(del).toBeEnabled();
  await del.click();
  const dialog = page.getByRole('dialog', { name: 'Delete Globex permanently?' });
  await expect(dialog).toContainText('This cannot be undone.');
  const confirm = dialog.getByRole('button', { name: 'Delete permanently' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type "Globex" to confirm').fill('Globex');
  await confirm.click();

  await expect(app.toast('Globex and all its data were deleted.')).toBeVisible();
  await expect(app.currentOrgName).toHaveText('All organizations');
  const orgs = new OrganizationsPage(page);
  await expect(app.view('organizations')).toBeVisible();
  await expect(orgs.row('Acme Corp')).toBeVisible();
  await expect(orgs.row('Globex')).toHaveCount(0);
});

test('deactivate asks first and is reversible', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Initech');
  await app.openView('Settings', 'settings');
  const lifecycle = new SettingsPage(page).section('Lifecycle');
  await lifecycle.getByRole('button', { name: 'Deactivate…' }).click();
  await page
    .getByRole('dialog', { name: 'Deactivate Initech?' })
    .getByRole('button', { name: 'Deactivate' })
    .click();
  await expect(app.titleBar).toContainText('Deactivated');
  await expect(page.getByText('Initech is deactivated.')).toBeVisible();
  await lifecycle.getByRole('button', { name: 'Reactivate' }).click();
  await expect(app.titleBar).not.toContainText('Deactivated');
});
