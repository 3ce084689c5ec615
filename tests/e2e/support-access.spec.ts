// UI-6 / SUP-1..3: an account admin enables support access, watches it count down, and ends it
// with an emergency disable that asks for a reason; the status is inactive again afterwards.
import { expect, test } from './fixtures';
import { AuditPage } from './pages/ui7-pages';
import { SupportAccessPage, countdownSeconds } from './pages/support-access-page';

test('enable support access, see the countdown tick, emergency-disable with a reason', async ({
  page,
  signInAs,
}) => {
  // Fake timers from the first script on; time still flows until the test pauses it.
  await page.clock.install();
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await expect(support.state).toHaveText('Inactive');
  await expect(support.countdown).toHaveCount(0);
  await expect(support.disable).toBeDisabled();

  // SUP-1: 24 hours unless the admin picks another duration.
  await expect(support.duration).toHaveValue('24');
  await support.duration.selectOption({ label: '4 hours' });
  await support.enable.click();
  await expect(support.state).toHaveText('Active');
  await expect(app.toast(/Support access enabled until/)).toBeVisible();
  await expect(support.grants.getByRole('listitem')).toHaveText([
    /Enabled by your account for the support team/,
  ]);
  // Just under 4 hours left.
  await expect(support.countdown).toHaveText(/^03:59:\d\d$/);
  await expect(support.enable).toHaveText('Extend support access');

  // The countdown ticks every second on its own: stop the clock, then run it 3 s.
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 1000);
  const before = countdownSeconds(await support.countdown.innerText());
  await page.clock.runFor(3000);
  await expect(support.countdown).toHaveText(formatSeconds(before - 3));
  await page.clock.runFor(1000);
  await expect(support.countdown).toHaveText(formatSeconds(before - 4));
  await page.clock.resume();

  // SUP-3: emergency disable refuses to go without a reason, then ends everything.
  await support.emergency.click();
  const dialog = support.emergencyDialog;
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  await dialog.getByRole('button', { name: 'End all support access' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(/Give the reason/);
  await expect(dialog.getByLabel('Reason')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Reason').fill('Suspicious activity reported by the SOC');
  await dialog.getByRole('button', { name: 'End all support access' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    app.toast(/Emergency disable: 1 grant ended and 0 pending requests cancelled/),
  ).toBeVisible();
  await expect(support.state).toHaveText('Inactive');
  await expect(support.countdown).toHaveCount(0);
  await expect(support.enable).toHaveText('Enable support access');

  // SUP-6: the trail says who did it and why.
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.filters.getByLabel('Action').fill('support_access.emergency_disabled');
  const rows = audit.table
    .getByRole('row')
    .filter({ hasText: 'support_access.emergency_disabled' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('admin@northwind.test');
  await expect(rows.first()).toContainText('Suspicious activity reported by the SOC');
});

test('disable ends the access the account enabled; the keyboard reaches every control', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await expect(support.state).toHaveText('Inactive');

  // Keyboard only: the duration select, then the button after it.
  await support.duration.focus();
  await page.keyboard.press('Tab');
  await expect(support.enable).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(support.state).toHaveText('Active');
  await expect(support.countdown).toHaveText(/^23:59:\d\d$/);

  await support.disable.focus();
  await page.keyboard.press('Enter');
  await expect(app.toast('Support access enabled by your account has ended.')).toBeVisible();
  await expect(support.state).toHaveText('Inactive');
  await expect(support.disable).toBeDisabled();

  // The emergency dialog closes with Escape and gives focus back to what opened it.
  await support.emergency.focus();
  await page.keyboard.press('Enter');
  await expect(support.emergencyDialog.getByLabel('Reason')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(support.emergencyDialog).toBeHidden();
  await expect(support.emergency).toBeFocused();
});

function formatSeconds(total: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${d > 0 ? `${d} d ` : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
}
