// UI-10: the org, the view and its filters live in the URL. Back/Forward move between places,
// reload and a second tab keep the place, and the tabs of one browser share one session.
import { expect, test } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { OrganizationsPage } from './pages/organizations-page';
import { SignInPage } from './pages/sign-in-page';
import { AuditPage, HostsPage } from './pages/ui7-pages';

test('filters, page and view are in the URL; a reload keeps them', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  // "/" is not a place of its own: it stands for All organizations, without a Back step.
  await expect.poll(() => app.place()).toBe('/organizations');

  await orgs.search('Tenant');
  await expect.poll(() => app.place()).toBe('/organizations?search=Tenant');
  await orgs.filter('Status').selectOption('all');
  await expect.poll(() => app.place()).toBe('/organizations?search=Tenant&status=all');
  await expect(orgs.pager).toContainText('1–25 of 30');
  await orgs.pager.getByRole('button', { name: 'Next ›' }).click();
  await expect.poll(() => app.place()).toBe('/organizations?search=Tenant&status=all&page=2');
  await expect(orgs.pager).toContainText('26–30 of 30');

  await page.reload();
  await app.waitForShell();
  await expect(orgs.filter('Search')).toHaveValue('Tenant');
  await expect(orgs.filter('Status')).toHaveValue('all');
  await expect(orgs.pager).toContainText('26–30 of 30');
  await expect(orgs.table.locator('tbody tr')).toHaveCount(5);

  // A region narrows it and starts again at the first page.
  await orgs.filter('Region').selectOption('us-west');
  await expect
    .poll(() => app.place())
    .toBe('/organizations?search=Tenant&region=us-west&status=all');
  await expect(orgs.pager).toContainText('1–15 of 15');
});

test('Back and Forward move between orgs, views and filters, and never leave the app', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  const hosts = new HostsPage(page);
  const acme = world.seed.orgs.acme.id;

  await orgs.search('Acme');
  await expect(orgs.table.locator('tbody tr')).toHaveCount(1);
  await orgs.row('Acme Corp').getByRole('link', { name: 'Acme Corp' }).click();
  await expect(app.view('overview')).toBeVisible();
  await expect.poll(() => app.place()).toBe(`/org/${acme}/overview`);
  await expect(app.currentOrgName).toHaveText('Acme Corp');

  await app.openView('Hosts', 'hosts');
  await expect.poll(() => app.place()).toBe(`/org/${acme}/hosts`);
  await hosts.filter('Status').selectOption({ label: 'Offline' });
  await expect.poll(() => app.place()).toBe(`/org/${acme}/hosts?status=offline`);
  await expect(hosts.table.locator('tbody .cell-name')).toHaveText(['acme-laptop7']);

  await page.goBack();
  await expect(hosts.filter('Status')).toHaveValue('');
  await expect(hosts.table.locator('tbody .cell-name')).toHaveCount(5);
  await page.goBack();
  await expect(app.view('overview')).toBeVisible();
  await expect(app.currentOrgName).toHaveText('Acme Corp');
  await page.goBack();
  // Back in All organizations, with the search the user had typed.
  await expect(app.view('organizations')).toBeVisible();
  await expect(app.currentOrgName).toHaveText('All organizations');
  await expect(orgs.filter('Search')).toHaveValue('Acme');
  await expect(orgs.table.locator('tbody tr')).toHaveCount(1);
  await expect.poll(() => app.place()).toBe('/organizations?search=Acme');

  await page.goForward();
  await expect(app.view('overview')).toBeVisible();
  await page.goForward();
  await page.goForward();
  await expect(hosts.filter('Status')).toHaveValue('offline');
  await expect(hosts.table.locator('tbody .cell-name')).toHaveText(['acme-laptop7']);
  await expect(page).toHaveTitle(/^Acme Corp · Hosts — Orgdesk$/);

  // Going back to All organizations by the sidebar keeps its filters too.
  await app.openView('Organizations', 'organizations');
  await expect(orgs.filter('Search')).toHaveValue('Acme');
  await expect.poll(() => app.place()).toBe('/organizations?search=Acme');

  // The switcher is a move like any other: Back returns to where it was opened.
  await app.switchTo('Globex');
  await expect(app.view('overview')).toBeVisible();
  await page.goBack();
  await expect(app.view('organizations')).toBeVisible();
  await expect(orgs.filter('Search')).toHaveValue('Acme');
});

test('audit filters are in the URL and survive a reload', async ({ page, signInAs, world }) => {
  const app = await signInAs('admin');
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.filters.getByLabel('Action').fill('organization.created');
  await audit.filters.getByLabel('Target type').selectOption('organization');
  await expect
    .poll(() => app.place())
    .toBe('/audit?action=organization.created&target_type=organization');
  const created = 4 + world.seed.fillerCount;
  await expect(audit.view.locator('.view-subtitle')).toHaveText(
    `All organizations · ${created} entries, newest first`,
  );
  await page.reload();
  await app.waitForShell();
  await expect(audit.filters.getByLabel('Action')).toHaveValue('organization.created');
  await expect(audit.filters.getByLabel('Target type')).toHaveValue('organization');
  await expect(audit.view.locator('.view-subtitle')).toHaveText(
    `All organizations · ${created} entries, newest first`,
  );
});

test('a second tab opens signed in at the same place; signing out ends every tab', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const acme = world.seed.orgs.acme.id;
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  await new HostsPage(page).filter('Status').selectOption({ label: 'Online' });
  await expect.poll(() => app.place()).toBe(`/org/${acme}/hosts?status=online`);

  const second = await page.context().newPage();
  await second.goto(page.url());
  const app2 = new ConsolePage(second);
  await app2.waitForShell();
  await expect(new SignInPage(second).root).toHaveCount(0);
  await expect(app2.currentOrgName).toHaveText('Acme Corp');
  const hosts2 = new HostsPage(second);
  await expect(hosts2.filter('Status')).toHaveValue('online');
  await expect(hosts2.table.locator('tbody .cell-name')).toHaveText([
    'acme-dc01',
    'acme-fs01',
    'acme-ws-lyon',
  ]);

  // Sign out in the second tab: the first one is signed out too, at once.
  await app2.signOut();
  await expect(new SignInPage(second).root).toBeVisible();
  await expect(new SignInPage(page).root).toBeVisible();
  await expect(page.getByText('acme-dc01')).toHaveCount(0);

  // Signing in again in one tab signs the other in as well.
  await new SignInPage(page).withPassword(world.seed.admin.email, world.seed.admin.password);
  await app.waitForShell();
  await app2.waitForShell();
});

test('the tabs of one browser share the session', async ({ page, signInAs }) => {
  await signInAs('admin');
  const second = await page.context().newPage();
  await second.goto('/');
  await new ConsolePage(second).waitForShell();
  await expect(new SignInPage(second).root).toHaveCount(0);
  await expect(new ConsolePage(second).currentOrgName).toHaveText('All organizations');
});

test('sort and order are in the URL like the filters, left out at their defaults', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await expect.poll(() => app.place()).toBe('/organizations');

  // A count sorts most-first on its first click; a second click flips it to the default order.
  await orgs.sortButton('Offline').click();
  await expect.poll(() => app.place()).toBe('/organizations?sort=offline&order=desc');
  await expect(orgs.header('Offline')).toHaveAttribute('aria-sort', 'descending');
  await orgs.search('Acme');
  await expect.poll(() => app.place()).toBe('/organizations?search=Acme&sort=offline&order=desc');
  await page.reload();
  await app.waitForShell();
  await expect(orgs.header('Offline')).toHaveAttribute('aria-sort', 'descending');
  await expect(orgs.filter('Search')).toHaveValue('Acme');
  // Back undoes the search, then the sort.
  await page.goBack();
  await expect.poll(() => app.place()).toBe('/organizations?sort=offline&order=desc');
  await page.goBack();
  await expect.poll(() => app.place()).toBe('/organizations');
  await expect(orgs.header('Name')).toHaveAttribute('aria-sort', 'ascending');
  // The name column at its first order is the default: nothing in the URL.
  await orgs.sortButton('Region').click();
  await expect.poll(() => app.place()).toBe('/organizations?sort=region');
  await orgs.sortButton('Name').click();
  await expect.poll(() => app.place()).toBe('/organizations');

  // Hosts: sort and order beside the filters.
  const acme = world.seed.orgs.acme.id;
  await page.goto(`/org/${acme}/hosts?status=online&sort=last_seen&order=desc`);
  await app.waitForShell();
  const hosts = new HostsPage(page);
  await expect(hosts.header('Last seen')).toHaveAttribute('aria-sort', 'descending');
  await expect(hosts.filter('Status')).toHaveValue('online');
  await hosts.sortButton('Host').click();
  await expect.poll(() => app.place()).toBe(`/org/${acme}/hosts?status=online`);

  // Audit: newest first is the default; oldest first is ?order=asc.
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await expect.poll(() => app.place()).toBe('/audit');
  await audit.header('Time').getByRole('button', { name: 'Time', exact: true }).click();
  await expect.poll(() => app.place()).toBe('/audit?order=asc');
  await page.reload();
  await app.waitForShell();
  await expect(audit.header('Time')).toHaveAttribute('aria-sort', 'ascending');
  await expect(app.view('audit')).toContainText('oldest first');
});

test('the fleet overview and the Accounts view are places of their own', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Fleet overview', 'fleet');
  await expect.poll(() => app.place()).toBe('/fleet');
  await expect(
    app.sidebar.getByRole('link', { name: 'Fleet overview', exact: true }),
  ).toHaveAttribute('aria-current', 'page');
  await page.reload();
  await app.waitForShell();
  await expect(app.view('fleet')).toBeVisible();

  // The platform's Accounts view (the seeded admin is the platform operator).
  await app.openView('Accounts', 'accounts');
  await expect.poll(() => app.place()).toBe('/accounts');
  await page.goBack();
  await expect(app.view('fleet')).toBeVisible();
  await page.goto('/accounts');
  await app.waitForShell();
  await expect(app.view('accounts')).toBeVisible();
});
