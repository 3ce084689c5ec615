// UI-6 / SUP-4: a support engineer's pending request (seeded through the services) is approved by
// the customer's admin; the engineer then reads the account, view-only.
import { test as base, expect } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { SupportAccessPage } from './pages/support-access-page';
import { HostsPage } from './pages/ui7-pages';
import { seedSupportEngineer, type SeededEngineer } from './side-seed';

const test = base.extend<{ engineer: SeededEngineer }>({
  engineer: async ({ world }, use) => use(await seedSupportEngineer(world.dataDir)),
});

test('the admin approves a pending request; the engineer then has read access', async ({
  browser,
  world,
  engineer,
  page,
  signInAs,
}) => {
  // The engineer, in a window of their own: the request is pending, no access yet.
  const engineerContext = await browser.newContext({ baseURL: world.url });
  const engineerPage = await engineerContext.newPage();
  const engineerSignIn = new SignInPage(engineerPage);
  await engineerSignIn.goto();
  await engineerSignIn.withPassword(engineer.email, engineer.password);
  const engineerApp = new ConsolePage(engineerPage);
  await engineerApp.waitForShell();
  await expect(engineerApp.titleBar.getByText('Support · view only')).toBeVisible();
  await engineerApp.openView('Support access', 'support-access');
  const mine = new SupportAccessPage(engineerPage);
  await expect(mine.myAccess).toContainText('No account has given you access right now.');
  await expect(
    mine.myRequests.getByRole('row').filter({ hasText: engineer.reason! }),
  ).toContainText('Pending');

  // The customer's admin sees it among the pending requests and approves it.
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await expect(support.state).toHaveText('Inactive');
  const row = support.requestRow(engineer.email);
  await expect(row).toContainText(engineer.reason!);
  await expect(row).toContainText('8 hours');
  await row.getByRole('button', { name: `Approve the request of ${engineer.email}` }).click();
  await expect(support.approveDialog).toContainText(engineer.email);
  await expect(support.approveDialog).toContainText('8 hours');
  await support.approveDialog.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(support.approveDialog).toBeHidden();
  await expect(
    app.toast(`Approved: ${engineer.email} has view-only access for 8 hours.`),
  ).toBeVisible();
  await expect(support.requests).toContainText('No pending requests');
  await expect(support.state).toHaveText('Active');
  await expect(support.grants).toContainText(`Approved request of ${engineer.email}`);
  await expect(support.countdown).toHaveText(/^07:59:\d\d$/);

  // The engineer looks again: read access to the customer's account, for the time approved.
  await mine.refresh.click();
  await expect(mine.myAccess).toContainText(engineer.customerAccountName);
  await expect(mine.myAccess).toContainText('Read access');
  await expect(mine.myAccess.getByRole('timer')).toHaveText(/^07:59:\d\d$/);
  await expect(
    mine.myRequests.getByRole('row').filter({ hasText: engineer.reason! }),
  ).toContainText('Approved');

  // Read: the customer's organizations are there. View-only: every change is disabled, saying so.
  await engineerApp.switchTo('Acme Corp');
  await engineerApp.openView('Hosts', 'hosts');
  const hosts = new HostsPage(engineerPage);
  await expect(hosts.row('acme-dc01')).toBeVisible();
  await expect(
    hosts.view.getByText('Support access is view-only: no changes can be made.'),
  ).toBeVisible();
  await expect(
    hosts.row('acme-dc01').getByRole('button', { name: 'Move acme-dc01', exact: true }),
  ).toBeDisabled();
  await expect(
    hosts.row('acme-dc01').getByRole('button', { name: 'Remove acme-dc01', exact: true }),
  ).toBeDisabled();
  await engineerContext.close();
});

test('a denied request says so to the engineer, with the reason', async ({
  browser,
  world,
  engineer,
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  const row = support.requestRow(engineer.email);
  await row.getByRole('button', { name: `Deny the request of ${engineer.email}` }).click();
  await support.denyDialog.getByLabel('Reason').fill('Please go through the customer portal');
  await support.denyDialog.getByRole('button', { name: 'Deny request' }).click();
  await expect(support.denyDialog).toBeHidden();
  await expect(support.requests).toContainText('No pending requests');
  await expect(support.state).toHaveText('Inactive');

  const engineerContext = await browser.newContext({ baseURL: world.url });
  const engineerPage = await engineerContext.newPage();
  const signIn = new SignInPage(engineerPage);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const engineerApp = new ConsolePage(engineerPage);
  await engineerApp.waitForShell();
  await engineerApp.openView('Support access', 'support-access');
  const mine = new SupportAccessPage(engineerPage);
  await expect(mine.myAccess).toContainText('No account has given you access right now.');
  const mineRow = mine.myRequests.getByRole('row').filter({ hasText: engineer.reason! });
  await expect(mineRow).toContainText('Denied');
  await expect(mineRow).toContainText('Please go through the customer portal');
  await engineerContext.close();
});
