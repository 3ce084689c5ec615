// UI-14: lists and health counts refresh by themselves while visible (every 30 s), a Refresh
// control (button and R) does it now, and a support engineer's window drops an account's data
// the moment their access to it ends. Time is the page's own fake clock (page.clock): the
// console keeps its production interval and the test moves time past it, no sleeping.
import { checkView } from './a11y-check';
import { test as base, expect } from './fixtures';
import { Api } from './api';
import { ConsolePage } from './pages/console-page';
import { OrganizationsPage } from './pages/organizations-page';
import { SignInPage } from './pages/sign-in-page';
import { HostsPage } from './pages/ui7-pages';
import { seedSupportEngineer, type SeededEngineer } from './side-seed';

const test = base.extend<{ api: Api; engineer: SeededEngineer }>({
  api: async ({ request, world }, use) => use(new Api(request, world.url, world.seed.adminToken)),
  engineer: async ({ world }, use) => use(await seedSupportEngineer(world.dataDir)),
});

/** Just past the console's 30-second refresh interval. */
const PAST_INTERVAL = '00:31';

// axe scans the banner twice (light and dark), seconds each on two shared cores.
test.describe.configure({ timeout: 120_000 });

test('a list and the health counts refresh by themselves within 30 s', async ({
  page,
  world,
  api,
  signInAs,
}) => {
  await page.clock.install();
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.table.locator('tbody .cell-name')).toHaveCount(5);
  await expect(
    app.titleBar.getByRole('img', { name: '3 online, 1 offline, 1 stale' }),
  ).toBeVisible();

  // An agent enrolls behind the console's back.
  await api.registerHost(world.seed.orgs.acme.id, 'acme-new01', '10.1.0.99');
  await page.clock.fastForward(PAST_INTERVAL);
  await expect(hosts.row('acme-new01')).toBeVisible();
  await expect(hosts.table.locator('tbody .cell-name')).toHaveCount(6);
  await expect(
    app.titleBar.getByRole('img', { name: '4 online, 1 offline, 1 stale' }),
  ).toBeVisible();
});

test('Refresh, the button or R, refreshes the current view now', async ({
  page,
  world,
  api,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await orgs.search('Globex');
  await expect(orgs.row('Globex')).toBeVisible();
  const globex = world.seed.orgs.globex.id;

  await api.call('PATCH', `/organizations/${globex}`, { name: 'Globex Logistics' });
  await app.refresh.click();
  await expect(orgs.row('Globex Logistics')).toBeVisible();
  await expect(app.refresh).toHaveAttribute('aria-keyshortcuts', 'R');

  await api.call('PATCH', `/organizations/${globex}`, { description: 'Freight, refreshed by key' });
  await orgs.table.click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  await expect(orgs.row('Globex Logistics')).toContainText('Freight, refreshed by key');

  // Typing an "r" into a field is typing, not a shortcut.
  await orgs.filter('Search').fill('');
  await orgs.filter('Search').press('r');
  await expect(orgs.filter('Search')).toHaveValue('r');
});

test("when support access ends, the engineer's window drops that account's data at once", async ({
  browser,
  world,
  api,
  engineer,
}) => {
  await api.call('POST', `/support-access/requests/${engineer.requestId}/approve`, {});
  const context = await browser.newContext({ baseURL: world.url });
  const page = await context.newPage();
  await page.clock.install();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const app = new ConsolePage(page);
  await app.waitForShell();
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.table.locator('tbody .cell-name')).toHaveCount(5);

  // The customer's admin pulls the plug. The engineer's next call for the account (here: opening
  // another of its views, well before the next refresh) is refused as not found, and that is
  // enough for the window to check its access and drop the account.
  await api.call('POST', '/support-access/emergency-disable', { reason: 'Incident 99' });
  await app.sidebar.getByRole('link', { name: 'Audit trail', exact: true }).click();
  await expect(app.accessEnded).toContainText(
    `Your support access to ${engineer.customerAccountName} has ended`,
  );
  await expect(page.getByText('acme-dc01')).toHaveCount(0);
  await expect(app.currentOrgName).not.toHaveText('Acme Corp');
  // UI-9: the banner that says why, light and dark.
  await checkView(page, 'support-access-ended');

  // Nothing of the account is left to show: going back to its hosts with the server holding
  // every answer shows no cached org or host, only loading.
  await page.route('**/trpc/**', () => {});
  await page.goBack();
  await expect(app.currentOrgName).toHaveText('Loading…');
  await expect(page.getByText('acme-dc01')).toHaveCount(0);
  await context.close();
});

test("the engineer's access check alone notices a grant has ended, in All organizations too", async ({
  browser,
  world,
  api,
  engineer,
}) => {
  await api.call('POST', `/support-access/requests/${engineer.requestId}/approve`, {});
  const context = await browser.newContext({ baseURL: world.url });
  const page = await context.newPage();
  await page.clock.install();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const app = new ConsolePage(page);
  await app.waitForShell();
  const orgs = new OrganizationsPage(page);
  await expect(orgs.row('Acme Corp')).toBeVisible();

  await api.call('POST', '/support-access/emergency-disable', { reason: 'Incident 100' });
  await page.clock.fastForward(PAST_INTERVAL);
  await expect(app.accessEnded).toContainText(
    `Your support access to ${engineer.customerAccountName} has ended`,
  );
  await expect(orgs.row('Acme Corp')).toHaveCount(0);
  await context.close();
});
