// IDN-1 / IDN-3 in Chromium: enrol an authenticator from the Security view (QR code and key),
// keep the recovery codes, sign in with the second step, be asked for a code in place when a
// secret is revealed, and see "Require MFA" lead a user straight to enrolment. Codes are computed
// with otplib, as the app on a phone would.
import { totpCode } from '../../main/features/mfa/totp';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SecretPanel } from './pages/org-pages';

test('enrol, sign in with a recovery code, step up in place before revealing a secret', async ({
  page,
  browser,
  world,
  signIn,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const view = await app.openView('Security', 'security');
  await view.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(view.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await view.locator('[data-totp-secret]').textContent())!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await checkView(page, 'security');
  await view.getByLabel('Code from the app').fill(totpCode(secret, Date.now()));
  await view.getByRole('button', { name: 'Confirm' }).click();
  // allTextContents() does not wait: wait for the list the confirmation answers first.
  await expect(view.locator('.recovery-code-list code')).toHaveCount(10);
  const codes = await view.locator('.recovery-code-list code').allTextContents();
  expect(codes).toHaveLength(10);
  await view.getByRole('button', { name: 'I have saved them' }).click();
  await expect(view.locator('[data-totp="enrolled"]')).toContainText('10 recovery codes left');

  // Sign-in now takes a second step.
  await app.signOut();
  await signIn.withPassword(world.seed.admin.email, world.seed.admin.password);
  const step = page.locator('[data-step="second-factor"]');
  await step.getByLabel('Authentication code').fill(codes[0]!);
  await step.getByRole('button', { name: 'Verify' }).click();
  await app.waitForShell();

  // A session without a recent second factor (an API token's) is asked in place.
  const other = await browser.newContext({ baseURL: world.url });
  const tab = await other.newPage();
  await tab.goto('/');
  await tab.getByRole('button', { name: 'Sign in with an API token instead' }).click();
  await tab.getByLabel('API token').fill(world.seed.adminToken);
  await tab.getByRole('button', { name: 'Sign in with token' }).click();
  const tabApp = new ConsolePage(tab);
  await tabApp.waitForShell();
  await tabApp.switchTo('Acme Corp');
  const panel = new SecretPanel(tab);
  await panel.reveal.click();
  const dialog = tab.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Authentication code').fill('not-a-code');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toContainText('wrong or was already used');
  await dialog.getByLabel('Authentication code').fill(codes[1]!);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(panel.value).toHaveText(/^\S{40,}$/);
  await other.close();
});

test('Require MFA: a user without a second factor is led to enrolment first', async ({
  page,
  world,
  signIn,
  signInAs,
}) => {
  const app = await signInAs('admin');
  // The admin enrols first, then requires it of everyone.
  const view = await app.openView('Security', 'security');
  await view.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await view.locator('[data-totp-secret]').textContent())!;
  await view.getByLabel('Code from the app').fill(totpCode(secret, Date.now()));
  await view.getByRole('button', { name: 'Confirm' }).click();
  await view.getByRole('button', { name: 'I have saved them' }).click();
  // Wait for the enrolled state (the status refetched) before the next click, so it does not land
  // on a panel about to be redrawn.
  await expect(view.getByRole('button', { name: 'Remove authenticator' })).toBeVisible();
  await view.getByLabel('Require a second factor for every user of this account').check();
  await expect(
    view.getByLabel('Require a second factor for every user of this account'),
  ).toBeChecked();
  await app.signOut();

  await signIn.withPassword(world.seed.technician.email, world.seed.technician.password);
  const gate = page.locator('[data-view="mfa-enrolment"]');
  await expect(gate).toContainText('Your account requires a second factor');
  await gate.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const own = (await gate.locator('[data-totp-secret]').textContent())!;
  await gate.getByLabel('Code from the app').fill(totpCode(own, Date.now()));
  await gate.getByRole('button', { name: 'Confirm' }).click();
  await gate.getByRole('button', { name: 'I have saved them' }).click();
  await app.waitForShell();
});
