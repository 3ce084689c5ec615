// UI-3 editor: automation level with its explanations, the kill switch behind a confirmation, the
// major-incident workflow (active definitions only, or none), and recording governance.
import { expect, test } from './fixtures';
import { SettingsPage } from './pages/org-pages';

test('automation: level, kill switch with confirmation, major-incident workflow', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Settings', 'settings');
  const automation = new SettingsPage(page).section('Automation');

  const semi = automation.getByRole('radio', { name: 'Semi-automatic' });
  await expect(semi).toHaveAccessibleDescription(
    'Security and critical patches are approved automatically; runbooks need approval.',
  );
  await expect(automation.getByRole('radio', { name: 'Manual' })).toHaveAccessibleDescription(
    'Every action needs approval; nothing runs by itself.',
  );
  await semi.check();

  const workflow = automation.getByLabel('Major-incident workflow');
  await expect(workflow.getByRole('option')).toHaveText([
    'None (disabled)',
    'Major incident bridge',
  ]);
  await workflow.selectOption({ label: 'Major incident bridge' });
  await automation.getByRole('button', { name: 'Save changes' }).click();
  await expect(app.toast('Automation settings saved.')).toBeVisible();

  // The kill switch asks first; cancelling changes nothing.
  const kill = automation.getByRole('switch', { name: 'Kill switch' });
  await expect(kill).toHaveAttribute('aria-checked', 'false');
  await kill.click();
  const confirm = page.getByRole('dialog', { name: 'Turn the kill switch on?' });
  await expect(confirm).toContainText('Nothing automatic will run for Acme Corp');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(kill).toHaveAttribute('aria-checked', 'false');
  await kill.click();
  await confirm.getByRole('button', { name: 'Turn on' }).click();
  await expect(kill).toHaveAttribute('aria-checked', 'true');
  await expect(app.titleBar).toContainText('Kill switch on');

  // What was saved is what the overview (a fresh read) shows.
  const overview = await app.openView('Overview', 'overview');
  await expect(overview).toContainText('Semi-automatic');
  await expect(overview).toContainText('Major incident bridge');
  await expect(overview).toContainText('On — nothing automatic runs');

  // Binding back to none.
  await app.openView('Settings', 'settings');
  await workflow.selectOption({ label: 'None (disabled)' });
  await automation.getByRole('button', { name: 'Save changes' }).click();
  await expect(app.toast('Automation settings saved.')).toBeVisible();
  await app.openView('Overview', 'overview');
  await expect(app.view('overview')).toContainText('No workflow bound');
});

test('governance: retention inherits when empty; legal hold needs its reason', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Settings', 'settings');
  const governance = new SettingsPage(page).section('Recording governance');
  const retention = governance.getByLabel('Retention (days)');
  await expect(retention).toHaveAccessibleDescription(
    'Empty: inherit the account default (90 days).',
  );

  await retention.fill('0');
  await governance.getByRole('button', { name: 'Save changes' }).click();
  await expect(retention).toHaveAccessibleDescription(/between 1 and 3650 days/);

  await retention.fill('30');
  await governance.getByLabel('Recording policy').selectOption({
    label: 'Full — terminal and remote-desktop sessions are recorded',
  });
  await governance.getByRole('checkbox', { name: /Legal hold/ }).check();
  await governance.getByRole('button', { name: 'Save changes' }).click();
  const reason = governance.getByLabel('Reason for the legal hold');
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(reason).toHaveAccessibleDescription(/Give the reason for the legal hold/);

  await reason.fill('Litigation 2026-04');
  await governance.getByRole('button', { name: 'Save changes' }).click();
  await expect(app.toast('Recording governance saved.')).toBeVisible();

  // A fresh read after a reload shows what the server kept.
  await page.reload();
  await app.view('settings').waitFor();
  await expect(retention).toHaveValue('30');
  await expect(reason).toHaveValue('Litigation 2026-04');
  await retention.fill('');
  await governance.getByRole('button', { name: 'Save changes' }).click();
  await expect(app.toast('Recording governance saved.')).toBeVisible();
  await page.reload();
  await app.view('settings').waitFor();
  await expect(retention).toHaveValue('');
  await expect(retention).toHaveAttribute('placeholder', 'Inherit (90)');
});
