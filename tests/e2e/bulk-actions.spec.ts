// UI-13: multi-select and bulk actions (move and remove hosts, deactivate orgs), and the one step
// that removes all of an org's hosts, after a typed count, before its hard delete.
import type { Page } from '@playwright/test';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { orgTarget } from './pages/fleet-pages';
import { SettingsPage } from './pages/org-pages';
import { OrganizationsPage } from './pages/organizations-page';
import { HostsPage } from './pages/ui7-pages';

test.describe.configure({ timeout: 120_000 });

const bulkBar = (page: Page) => page.getByRole('region', { name: 'Bulk actions' });

test('select hosts, move them together (pinned), then remove them together', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(bulkBar(page)).toHaveCount(0);
  await hosts.row('acme-laptop7').getByRole('checkbox', { name: 'Select acme-laptop7' }).check();
  await hosts
    .row('acme-old-kiosk')
    .getByRole('checkbox', { name: 'Select acme-old-kiosk' })
    .check();
  await expect(bulkBar(page)).toContainText('2 hosts selected');

  await bulkBar(page).getByRole('button', { name: 'Move selected…', exact: true }).click();
  const move = page.getByRole('dialog', { name: 'Move 2 hosts' });
  await expect(orgTarget(move)).toContainText('Acme Corp');
  await move.getByLabel('Move to').selectOption({ label: 'Branch Lyon' });
  await move.getByRole('button', { name: 'Move and pin 2 hosts' }).click();
  await expect(app.toast('2 hosts moved to Branch Lyon and pinned there.')).toBeVisible();
  await expect(bulkBar(page)).toHaveCount(0);
  for (const name of ['acme-laptop7', 'acme-old-kiosk']) {
    await expect(hosts.row(name)).toContainText('Branch Lyon');
    await expect(hosts.row(name).getByText('pinned', { exact: true })).toBeVisible();
  }

  // The header box selects the whole page; then two are left out.
  await hosts.table.getByRole('checkbox', { name: 'Select every host on this page' }).check();
  await expect(bulkBar(page)).toContainText('5 hosts selected');
  for (const name of ['acme-dc01', 'acme-fs01', 'acme-ws-lyon'])
    await hosts.row(name).getByRole('checkbox').uncheck();
  await expect(bulkBar(page)).toContainText('2 hosts selected');
  await bulkBar(page).getByRole('button', { name: 'Remove selected…' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove 2 hosts?' });
  await expect(orgTarget(remove)).toContainText('Acme Corp');
  await expect(remove).toContainText('acme-laptop7, acme-old-kiosk');
  await expect(remove.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await remove.getByRole('button', { name: 'Remove 2 hosts' }).click();
  await expect(app.toast('2 hosts removed.')).toBeVisible();
  await expect(hosts.table.locator('tbody .cell-name')).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-ws-lyon',
  ]);
});

test('a reader may select, but the bulk actions say why they are disabled', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await hosts.row('acme-dc01').getByRole('checkbox').check();
  const move = bulkBar(page).getByRole('button', { name: 'Move selected…', exact: true });
  await expect(move).toBeDisabled();
  // UI-16: in plain words, who may (never the permission's id).
  await expect(move).toHaveAccessibleDescription(/^Only .+ can .+\.$/);
  await expect(move).not.toHaveAccessibleDescription(/hosts\.manage/);
});

test('select organizations and deactivate them together', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await expect(app.view('organizations')).toBeVisible();
  await orgs.row('Tenant 01').getByRole('checkbox', { name: 'Select Tenant 01' }).check();
  await orgs.row('Tenant 02').getByRole('checkbox', { name: 'Select Tenant 02' }).check();
  await bulkBar(page).getByRole('button', { name: 'Deactivate selected…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate 2 organizations?' });
  const list = dialog.getByRole('list', { name: 'Organizations to deactivate' });
  await expect(list.getByRole('listitem')).toHaveText([/Tenant 01$/, /Tenant 02$/]);
  await checkView(page, 'bulk-deactivate');
  await dialog.getByRole('button', { name: 'Deactivate 2 organizations' }).click();
  await expect(app.toast('2 organizations deactivated.')).toBeVisible();
  await expect(orgs.row('Tenant 01')).toHaveCount(0);
  await expect(orgs.row('Tenant 02')).toHaveCount(0);
  await expect(orgs.row('Tenant 03')).toBeVisible();
});

test('hard delete of an org with hosts: remove them all after typing the count, then delete', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Settings', 'settings');
  const lifecycle = new SettingsPage(page).section('Lifecycle');
  await expect(lifecycle).toContainText('Its 5 hosts are removed first, in a step of its own.');
  await lifecycle.getByRole('button', { name: 'Delete permanently…' }).click();

  const step1 = page.getByRole('dialog', { name: 'Remove every host of Acme Corp?' });
  await expect(step1).toContainText('Step 1 of 2.');
  await expect(step1).toContainText('Acme Corp still has 5 hosts');
  await expect(orgTarget(step1)).toContainText('Acme Corp');
  const typed = step1.getByLabel('Type the number of hosts (5) to confirm');
  const remove = step1.getByRole('button', { name: 'Remove 5 hosts' });
  await expect(remove).toBeDisabled();
  await typed.fill('4');
  await expect(remove).toBeDisabled();
  await typed.fill('5');
  await checkView(page, 'remove-all-hosts');
  await remove.click();

  await expect(app.toast('5 hosts removed from Acme Corp.')).toBeVisible();
  const step2 = page.getByRole('dialog', { name: 'Delete Acme Corp permanently?' });
  await expect(orgTarget(step2)).toContainText('Acme Corp');
  await step2.getByLabel('Type "Acme Corp" to confirm').fill('Acme Corp');
  await step2.getByRole('button', { name: 'Delete permanently' }).click();
  await expect(app.toast('Acme Corp and all its data were deleted.')).toBeVisible();
  await expect(app.currentOrgName).toHaveText('All organizations');
  await expect(new OrganizationsPage(page).row('Acme Corp')).toHaveCount(0);
});
