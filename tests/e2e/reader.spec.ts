// SEC-2 and TEN-3 in the UI: a reader sees what they may not do, and why, instead of errors.
import { expect, test } from './fixtures';
import { SecretPanel, SettingsPage } from './pages/org-pages';

test('a reader sees reveal disabled with the reason, and every edit likewise', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('reader');
  const create = page.getByRole('button', { name: 'New organization' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAccessibleDescription(/settings\.manage/);

  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  for (const button of [panel.reveal, panel.copy, panel.download, panel.regenerate]) {
    await expect(button).toBeDisabled();
    await expect(button).toHaveAccessibleDescription(
      'You need the organizations.edit permission (view or regenerate the organization secret and bind workflows); ask an account admin.',
    );
  }
  await expect(panel.root).toContainText('You need the organizations.edit permission');

  await app.openView('Settings', 'settings');
  const settings = new SettingsPage(page);
  await expect(settings.section('General').getByLabel('Name')).toBeDisabled();
  await expect(settings.section('General')).toContainText(
    'You need the settings.manage permission',
  );
  await expect(
    settings.section('Automation').getByRole('switch', { name: 'Kill switch' }),
  ).toBeDisabled();
  await expect(settings.section('Automation')).toContainText(
    'You need the organizations.edit permission',
  );
  await expect(settings.section('Recording governance')).toContainText(
    'You need the governance.manage permission',
  );
  const del = settings.section('Lifecycle').getByRole('button', { name: 'Delete permanently…' });
  await expect(del).toBeDisabled();
  await expect(del).toHaveAccessibleDescription(/organizations\.hard_delete/);

  await app.openView('Locations', 'locations');
  const add = page.getByRole('button', { name: 'New location' });
  await expect(add).toBeDisabled();
  await expect(add).toHaveAccessibleDescription(/locations\.manage/);
});

test('sign-in: a wrong password says so; an API token signs in; sign out returns to sign-in', async ({
  page,
  signIn,
  app,
  world,
}) => {
  await signIn.goto();
  await signIn.withPassword(world.seed.admin.email, 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Email or password is wrong');

  await signIn.withToken('odp_not_a_real_token');
  await expect(page.getByLabel('API token')).toHaveAccessibleDescription(
    /This API token is not valid/,
  );
  await page.getByLabel('API token').fill(world.seed.adminToken);
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await app.waitForShell();
  await expect(app.currentOrgName).toHaveText('All organizations');

  await app.titleBar.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('[data-view="sign-in"]')).toBeVisible();
  // The token was only forgotten here, not revoked: it still signs in.
  await signIn.withToken(world.seed.adminToken);
  await app.waitForShell();
});
