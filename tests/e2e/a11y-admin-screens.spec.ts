// UI-9 for the UI-6/UI-7 views (support access, hosts, audit, governance, users, tokens): each
// scanned with axe in light and dark (no serious or critical violation) and photographed into
// test-results/screenshots/, like a11y-screens.spec.ts does for the other views.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test as base, expect } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { SupportAccessPage } from './pages/support-access-page';
import { AuditPage, HostsPage, UsersPage } from './pages/ui7-pages';
import { seedSupportEngineer, type SeededEngineer } from './side-seed';

const SCHEMES = ['light', 'dark'] as const;

const test = base.extend<{ engineer: SeededEngineer }>({
  engineer: async ({ world }, use) => use(await seedSupportEngineer(world.dataDir)),
});

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 150_000 });

/** The same check as a11y-screens.spec.ts (a spec file cannot import another one). */
async function check(page: Page, name: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
      }));
    expect(blocking, `${name} (${colorScheme})`).toEqual([]);
    const modal = await page.locator('dialog[open]').count();
    await page.screenshot({
      path: `test-results/screenshots/${name}-${colorScheme}.png`,
      fullPage: modal === 0,
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('support access: the admin side, active, with a pending request', async ({
  page,
  engineer,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await expect(support.requestRow(engineer.email)).toBeVisible();
  await check(page, 'support-access-inactive');
  await support.enable.click();
  await expect(support.state).toHaveText('Active');
  await check(page, 'support-access');
  await support.emergency.click();
  await support.emergencyDialog.getByRole('button', { name: 'End all support access' }).click();
  await expect(support.emergencyDialog.getByRole('alert')).toBeVisible();
  await check(page, 'support-access-emergency');
});

test('support access: the support engineer side', async ({ browser, world, engineer }) => {
  const context = await browser.newContext({ baseURL: world.url });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const app = new ConsolePage(page);
  await app.waitForShell();
  await app.openView('Support access', 'support-access');
  await expect(new SupportAccessPage(page).myRequests).toContainText('Pending');
  await check(page, 'support-access-engineer');
  await context.close();
});

test('hosts: the table, the move dialog; a reader sees why not', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.row('acme-dc01')).toBeVisible();
  await check(page, 'hosts');
  await hosts
    .row('acme-laptop7')
    .getByRole('button', { name: 'Move acme-laptop7', exact: true })
    .click();
  await expect(hosts.moveDialog).toBeVisible();
  await check(page, 'hosts-move');
});

test('hosts as a reader: disabled with the reason', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  await expect(
    new HostsPage(page).view.getByText(/You need the hosts\.manage permission/),
  ).toBeVisible();
  await check(page, 'hosts-reader');
});

test('audit: per org, and account-wide with the chain verified', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.verify.click();
  await expect(audit.verifyResult).toContainText('The chain is intact.');
  // One entry opened, as someone reading it would.
  await audit.table.locator('summary').first().click();
  await check(page, 'audit-account');
  await app.switchTo('Acme Corp');
  await app.openView('Audit trail', 'audit');
  await expect(audit.table.getByRole('row').nth(1)).toBeVisible();
  await check(page, 'audit');
});

test('governance: per org, and the account panel with personal data', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Governance', 'governance');
  await page.getByRole('button', { name: 'Run retention cleanup now' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Run cleanup' }).click();
  await expect(page.getByTestId('cleanup-report')).toContainText('deleted across');
  await check(page, 'governance');
  await app.openView('Retention and GDPR', 'governance');
  await check(page, 'governance-account');
});

test('users, roles and API tokens', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Users and roles', 'users');
  const users = new UsersPage(page);
  await expect(users.row('reader@northwind.test')).toBeVisible();
  await check(page, 'users');
  await users
    .row('reader@northwind.test')
    .getByRole('button', { name: 'Edit roles of Rita Reader' })
    .click();
  await expect(users.roleDialog).toBeVisible();
  await check(page, 'users-roles');
  await users.roleDialog.getByRole('button', { name: 'Cancel' }).click();

  await app.openView('API tokens', 'tokens');
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('backup script');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByRole('dialog', { name: 'Token created' })).toBeVisible();
  await check(page, 'tokens-created');
  await page.getByRole('button', { name: 'Done' }).click();
  await check(page, 'tokens');
});
