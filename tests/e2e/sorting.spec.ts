// UI-11: sortable columns on the organizations, hosts, audit and users tables: header buttons
// that work from the keyboard, aria-sort on the sorted header, server-side order (a new sort
// starts again at page 1); ORG-2's host-count sort says how fresh its counts are; the hosts view
// finds a host by the start of its IP and shows last seen as "… ago" with the full date.
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { OrganizationsPage } from './pages/organizations-page';
import { AuditPage, HostsPage, UsersPage } from './pages/ui7-pages';

test.describe.configure({ timeout: 120_000 });

test('organizations: sort by a host count or region, by mouse and keyboard, from page 1', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  const orgs = new OrganizationsPage(page);
  const pager = page.getByRole('navigation', { name: 'Pages of organizations' });
  await expect(orgs.header('Name')).toHaveAttribute('aria-sort', 'ascending');
  await expect(orgs.names().first()).toHaveText('Acme Corp');

  // On page 2, a new sort starts again at the first page.
  await pager.getByRole('button', { name: 'Next ›' }).click();
  await expect(pager).toContainText('26–33 of 33');
  await orgs.sortButton('Offline').click();
  await expect(orgs.header('Offline')).toHaveAttribute('aria-sort', 'descending');
  await expect(orgs.header('Name')).not.toHaveAttribute('aria-sort');
  await expect(pager).toContainText('1–25 of 33');
  // Acme: a laptop quiet for two days; Initech: a server quiet for ten minutes. Ties by name.
  await expect(orgs.names().nth(0)).toHaveText('Acme Corp');
  await expect(orgs.names().nth(1)).toHaveText('Initech');
  await expect(orgs.names().nth(2)).toHaveText('Globex');
  await expect(orgs.row('Acme Corp').locator('td.numeric').nth(1)).toHaveText('1');
  await expect(page.getByTestId('counts-as-of')).toContainText('were exact at');

  // The keyboard: Enter flips the order, Space sorts another column.
  await orgs.sortButton('Offline').focus();
  await page.keyboard.press('Enter');
  await expect(orgs.header('Offline')).toHaveAttribute('aria-sort', 'ascending');
  await expect(orgs.names().nth(0)).toHaveText('Globex');
  await expect(orgs.names().nth(1)).toHaveText('Tenant 01');
  await orgs.sortButton('Hosts').focus();
  await page.keyboard.press('Space');
  await expect(orgs.header('Hosts')).toHaveAttribute('aria-sort', 'descending');
  await expect(orgs.header('Offline')).not.toHaveAttribute('aria-sort');
  await expect(orgs.names().nth(0)).toHaveText('Acme Corp');
  await expect(orgs.names().nth(1)).toHaveText('Initech');

  // Region, combined with a search: ap-south before us-west, ties by name.
  await orgs.sortButton('Region').click();
  await expect(orgs.header('Region')).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.getByTestId('counts-as-of')).toHaveCount(0);
  await orgs.search('tenant 0');
  await expect(orgs.names()).toHaveText([
    'Tenant 01',
    'Tenant 03',
    'Tenant 05',
    'Tenant 07',
    'Tenant 09',
    'Tenant 02',
    'Tenant 04',
    'Tenant 06',
    'Tenant 08',
  ]);
  await orgs.sortButton('Region').click();
  await expect(orgs.header('Region')).toHaveAttribute('aria-sort', 'descending');
  await expect(orgs.names().first()).toHaveText('Tenant 02');
  await expect(app.view('organizations')).toBeVisible();
  await checkView(page, 'organizations-sorted');
});

test('hosts: sort by last seen, IP, status and location; search by IP; last seen as "… ago"', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.header('Host')).toHaveAttribute('aria-sort', 'ascending');

  await hosts.sortButton('Last seen').click();
  await expect(hosts.header('Last seen')).toHaveAttribute('aria-sort', 'descending');
  await expect(hosts.names()).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-ws-lyon',
    'acme-laptop7',
    'acme-old-kiosk',
  ]);
  await hosts.sortButton('Last seen').focus();
  await page.keyboard.press('Enter');
  await expect(hosts.header('Last seen')).toHaveAttribute('aria-sort', 'ascending');
  await expect(hosts.names().first()).toHaveText('acme-old-kiosk');

  // By address, not as text: 10.1.0.10 < 10.1.9.9 < 10.2.3.4 < 192.168.1.7.
  await hosts.sortButton('IP address').click();
  await expect(hosts.names()).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-old-kiosk',
    'acme-ws-lyon',
    'acme-laptop7',
  ]);
  // Online first (most recently seen first), then offline, then stale.
  await hosts.sortButton('Status').click();
  await expect(hosts.header('Status')).toHaveAttribute('aria-sort', 'ascending');
  await expect(hosts.names()).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-ws-lyon',
    'acme-laptop7',
    'acme-old-kiosk',
  ]);
  await hosts.sortButton('Location').click();
  await expect(hosts.names()).toHaveText([
    'acme-ws-lyon',
    'acme-laptop7',
    'acme-dc01',
    'acme-fs01',
    'acme-old-kiosk',
  ]);

  // The start of an IP finds its hosts.
  await hosts.filter('Search').fill('10.1.');
  await expect(hosts.names()).toHaveText(['acme-dc01', 'acme-fs01', 'acme-old-kiosk']);

  // Last seen reads as a while ago; the full date is on hover and in the accessible text.
  const seen = hosts.row('acme-old-kiosk').locator('time');
  await expect(seen).toContainText(/^(1 month|4\d days) ago/);
  await expect(seen).toHaveAttribute('title', /\d{4}/);
  const title = await seen.getAttribute('title');
  await expect(seen).toContainText(title!);
  await expect(hosts.row('acme-dc01').locator('time')).toContainText(/minutes? ago|just now/);
  await checkView(page, 'hosts-sorted');
});

test('audit and users: by time either way, users by name or status', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await expect(audit.header('Time')).toHaveAttribute('aria-sort', 'descending');
  await expect(audit.view).toContainText('newest first');
  await audit.header('Time').getByRole('button', { name: 'Time', exact: true }).click();
  await expect(audit.header('Time')).toHaveAttribute('aria-sort', 'ascending');
  await expect(audit.view).toContainText('oldest first');
  // Oldest first: the times never decrease down the page.
  const times = await audit.table
    .locator('tbody time')
    .evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
  expect(times.length).toBeGreaterThan(1);
  expect(times).toEqual([...times].sort());

  await app.openView('Users and roles', 'users');
  const users = new UsersPage(page);
  const names = users.table.locator('tbody .cell-name');
  await expect(users.header('User')).toHaveAttribute('aria-sort', 'ascending');
  await expect(names.first()).toContainText('Ada Admin');
  await users.header('User').getByRole('button', { name: 'User', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(users.header('User')).toHaveAttribute('aria-sort', 'descending');
  await expect(names.first()).toContainText('Theo Technician');
  await checkView(page, 'users-sorted');
});
