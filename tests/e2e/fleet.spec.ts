// UI-12: the fleet overview on All organizations — totals, the orgs that need attention, and the
// 24-hour health chart with its text alternative; axe in light and dark, and screenshots.
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { FleetPage, HealthHistoryPanel } from './pages/fleet-pages';
import { SupportAccessPage } from './pages/support-access-page';

test.describe.configure({ timeout: 120_000 });

test('totals, needs attention and the health chart with its text alternative', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Fleet overview', 'fleet');
  const fleet = new FleetPage(page);

  // 33 active orgs (Umbrella is deactivated); the hosts of Acme (5) and Initech (2).
  await expect(fleet.total('Organizations')).toHaveText('33');
  await expect(fleet.totals).toContainText('+ 1 deactivated');
  await expect(fleet.total('Hosts online')).toHaveText('4');
  await expect(fleet.total('Hosts offline')).toHaveText('2');
  await expect(fleet.total('Hosts stale')).toHaveText('1');
  await expect(fleet.total('Hosts in all')).toHaveText('7');

  // Initech: 1 of 2 offline (50 %); Acme: 1 of 5 stale (20 %); Umbrella: deactivated.
  await expect(fleet.attention.getByRole('heading')).toHaveText('Needs attention · 3');
  const names = fleet.attentionTable.locator('tbody .cell-name');
  await expect(names).toHaveText(['Initech', 'Acme Corp', 'Umbrella Health']);
  await expect(fleet.attentionRow('Initech')).toContainText('Many offline');
  await expect(fleet.attentionRow('Initech')).toContainText('50 %');
  await expect(fleet.attentionRow('Acme Corp')).toContainText('Many stale');
  await expect(fleet.attentionRow('Umbrella Health')).toContainText('Deactivated');

  // The chart: a canvas inside an image whose name is the summary in words; the numbers too.
  const chart = fleet.chart();
  await expect(chart.chart.locator('canvas').first()).toBeVisible();
  await expect(chart.summary).toContainText('Last 24 hours, 24 hourly snapshots.');
  await expect(chart.summary).toContainText('4 online, 2 offline, 1 stale of 7 hosts');
  await expect(chart.chart).toHaveAccessibleName(
    (await chart.summary.textContent()) ?? 'the summary',
  );
  await expect(chart.numbers).toBeHidden();
  await chart.numbersToggle.click();
  await expect(chart.numbers.locator('tbody tr')).toHaveCount(24);
  await expect(chart.numbers.locator('tbody tr').last()).toContainText('4');

  await checkView(page, 'fleet-overview');

  // An org in the list opens that org, whose overview has its own chart.
  await fleet.attentionRow('Acme Corp').getByRole('link', { name: 'Acme Corp' }).click();
  await expect(app.currentOrgName).toHaveText('Acme Corp');
  const orgChart = new HealthHistoryPanel(app.view('overview'));
  await expect(orgChart.summary).toContainText('3 online, 1 offline, 1 stale of 5 hosts');
});

test('support access shows on the overview while it is active', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await support.enable.click();
  await expect(support.state).toHaveText('Active');
  await app.openView('Fleet overview', 'fleet');
  const fleet = new FleetPage(page);
  await expect(fleet.supportAccess).toContainText('Support access is active');
  await expect(fleet.supportAccess).toContainText('(1 grant)');
});

test('a reader sees the fleet of their own orgs only', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.openView('Fleet overview', 'fleet');
  const fleet = new FleetPage(page);
  // Acme and Globex: 5 hosts, all of them Acme's.
  await expect(fleet.total('Organizations')).toHaveText('2');
  await expect(fleet.total('Hosts in all')).toHaveText('5');
  await expect(fleet.attentionTable.locator('tbody .cell-name')).toHaveText(['Acme Corp']);
  await expect(fleet.chart().summary).toContainText('of 5 hosts');
  await expect(fleet.supportAccess).toHaveCount(0);
});
