// UI-9 for the UI-6/UI-7 views (support access, hosts, audit, governance, users, tokens): each
// scanned with axe in light and dark (no serious or critical violation) and photographed into
// test-results/screenshots/, like a11y-screens.spec.ts does for the other views.
import { checkView } from './a11y-check';
import { test as base, expect } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { SupportAccessPage } from './pages/support-access-page';
import { AuditPage, HostsPage, UsersPage } from './pages/ui7-pages';
import { seedSupportEngineer, type SeededEngineer } from './side-seed';

const test = base.extend<{ engineer: SeededEngineer }>({
  engineer: async ({ world }, use) => use(await seedSupportEngineer(world.dataDir)),
});

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 150_000 });

test('support access: the admin side, active, with a pending request', async ({
  page,
  engineer,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await expect(support.requestRow(engineer.email)).toBeVisible();
  await checkView(page, 'support-access-inactive');
  await support.enable.click();
  await expect(support.state).toHaveText('Active');
  await checkView(page, 'support-access');
  await support.emergency.click();
  await support.emergencyDialog.getByRole('button', { name: 'End all support access' }).click();
  await expect(support.emergencyDialog.getByRole('alert')).toBeVisible();
  await checkView(page, 'support-access-emergency');
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
  await checkView(page, 'support-access-engineer');
  await context.close();
});

test('hosts: the table, the move dialog; a reader sees why not', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.row('acme-dc01')).toBeVisible();
  await checkView(page, 'hosts');
  await hosts
    .row('acme-laptop7')
    .getByRole('button', { name: 'Move acme-laptop7', exact: true })
    .click();
  await expect(hosts.moveDialog).toBeVisible();
  await checkView(page, 'hosts-move');
});

test('hosts as a reader: disabled with the reason', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  await expect(
    new HostsPage(page).view.getByText(
      'Only account admins, org admins and technicians can manage hosts.',
    ),
  ).toBeVisible();
  await checkView(page, 'hosts-reader');
});

test('audit: per org, and account-wide with the chain verified', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.verify.click();
  await expect(audit.verifyResult).toContainText('The chain is intact.');
  // One entry opened, as someone reading it would.
  await audit.table.locator('summary').first().click();
  await checkView(page, 'audit-account');
  await app.switchTo('Acme Corp');
  await app.openView('Audit trail', 'audit');
  await expect(audit.table.getByRole('row').nth(1)).toBeVisible();
  await checkView(page, 'audit');
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
  await checkView(page, 'governance');
  await app.openView('Retention and GDPR', 'governance');
  await checkView(page, 'governance-account');
});

test('users, roles and API tokens', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.openView('Users and roles', 'users');
  const users = new UsersPage(page);
  await expect(users.row('reader@northwind.test')).toBeVisible();
  await checkView(page, 'users');
  await users
    .row('reader@northwind.test')
    .getByRole('button', { name: 'Edit roles of Rita Reader' })
    .click();
  await expect(users.roleDialog).toBeVisible();
  await checkView(page, 'users-roles');
  await users.roleDialog.getByRole('button', { name: 'Cancel' }).click();

  await app.openView('API tokens', 'tokens');
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('backup script');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByRole('dialog', { name: 'Token created' })).toBeVisible();
  await checkView(page, 'tokens-created');
  await page.getByRole('button', { name: 'Done' }).click();
  await checkView(page, 'tokens');

  // IDN-5: my sessions.
  const sessions = await app.openView('Sessions', 'sessions');
  await expect(sessions.getByRole('table', { name: 'Your sessions' })).toBeVisible();
  await checkView(page, 'sessions');
});
