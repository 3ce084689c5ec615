// UI-7 hosts (AGT-3/4): by location and status, search, a hand move pins the host, unpin lets
// the subnets decide again, remove asks first; without hosts.manage every change says why not.
import { expect, test } from './fixtures';
import { HostsPage } from './pages/ui7-pages';

test('filter by location, status and name; move pins, unpin, remove', async ({
  page,
  signInAs,
}) => {
  // A technician of Acme holds hosts.manage there.
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  const names = hosts.table.locator('tbody .cell-name');
  await expect(names).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-laptop7',
    'acme-old-kiosk',
    'acme-ws-lyon',
  ]);
  await expect(hosts.row('acme-old-kiosk')).toContainText('Stale');
  await expect(hosts.row('acme-laptop7')).toContainText('Offline');
  await expect(hosts.row('acme-dc01')).toContainText('Online');

  await hosts.filter('Location').selectOption({ label: 'Headquarters (3)' });
  await expect(names).toHaveText(['acme-dc01', 'acme-fs01', 'acme-old-kiosk']);
  await hosts.filter('Status').selectOption({ label: 'Stale' });
  await expect(names).toHaveText(['acme-old-kiosk']);
  await hosts.filter('Location').selectOption({ label: 'All locations' });
  await hosts.filter('Status').selectOption({ label: 'Any status' });
  await hosts.filter('Search').fill('LAP');
  await expect(names).toHaveText(['acme-laptop7']);
  await expect(hosts.row('acme-laptop7')).toContainText('Default');

  // AGT-4: the dialog says the host will be pinned, before it is.
  await hosts
    .row('acme-laptop7')
    .getByRole('button', { name: 'Move acme-laptop7', exact: true })
    .click();
  await expect(hosts.moveDialog).toContainText('will be pinned');
  await hosts.moveDialog.getByLabel('Move to').selectOption({ label: 'Branch Lyon' });
  await hosts.moveDialog.getByRole('button', { name: 'Move and pin' }).click();
  await expect(hosts.moveDialog).toBeHidden();
  await expect(app.toast('acme-laptop7 moved to Branch Lyon and pinned there.')).toBeVisible();
  await expect(hosts.row('acme-laptop7')).toContainText('Branch Lyon');
  await expect(hosts.row('acme-laptop7').getByText('pinned', { exact: true })).toBeVisible();

  // Unpinned, its address (192.168.1.7) matches no subnet: back to the default location.
  await hosts.row('acme-laptop7').getByRole('button', { name: 'Unpin acme-laptop7' }).click();
  await expect(
    app.toast(/acme-laptop7 is no longer pinned; its subnets place it in Default/),
  ).toBeVisible();
  await expect(hosts.row('acme-laptop7')).toContainText('Default');
  await expect(hosts.row('acme-laptop7').getByText('pinned', { exact: true })).toHaveCount(0);
  await expect(
    hosts.row('acme-laptop7').getByRole('button', { name: 'Unpin acme-laptop7' }),
  ).toHaveCount(0);

  await hosts
    .row('acme-laptop7')
    .getByRole('button', { name: 'Remove acme-laptop7', exact: true })
    .click();
  const confirm = page.getByRole('dialog', { name: 'Remove acme-laptop7?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Remove host' }).click();
  await expect(confirm).toBeHidden();
  await expect(hosts.view.getByText('No host matches these filters')).toBeVisible();
  await hosts.view.getByRole('button', { name: 'Clear filters' }).click();
  await expect(names).toHaveText(['acme-dc01', 'acme-fs01', 'acme-old-kiosk', 'acme-ws-lyon']);
});

test('without hosts.manage, every change is disabled with the reason', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  const reason = hosts.view.getByText(
    'Only account admins, org admins and technicians can manage hosts.',
  );
  await expect(reason).toBeVisible();
  const move = hosts.row('acme-dc01').getByRole('button', { name: 'Move acme-dc01', exact: true });
  await expect(move).toBeDisabled();
  // The disabled button points at the reason, for screen readers too.
  await expect(move).toHaveAccessibleDescription(
    'Only account admins, org admins and technicians can manage hosts.',
  );
  await expect(
    hosts.row('acme-dc01').getByRole('button', { name: 'Remove acme-dc01', exact: true }),
  ).toBeDisabled();
});
