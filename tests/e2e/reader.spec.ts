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
  await expect(create).toHaveAccessibleDescription(
    'Only account admins can create and edit organizations.',
  );

  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  for (const button of [panel.reveal, panel.copy, panel.download, panel.regenerate]) {
    await expect(button).toBeDisabled();
    await expect(button).toHaveAccessibleDescription(
      'Only account admins and org admins can view or regenerate the organization secret and bind workflows.',
    );
  }
  await expect(panel.root).toContainText(
    'Only account admins and org admins can view or regenerate the organization secret',
  );

  await app.openView('Settings', 'settings');
  const settings = new SettingsPage(page);
  await expect(settings.section('General').getByLabel('Name')).toBeDisabled();
  await expect(settings.section('General')).toContainText(
    'Only account admins can create and edit organizations.',
  );
  await expect(
    settings.section('Automation').getByRole('switch', { name: 'Kill switch' }),
  ).toBeDisabled();
  await expect(settings.section('Automation')).toContainText(
    'Only account admins and org admins can view or regenerate the organization secret and bind workflows.',
  );
  await expect(settings.section('Recording governance')).toContainText(
    'Only account admins and org admins can manage recording governance.',
  );
  const del = settings.section('Lifecycle').getByRole('button', { name: 'Delete permanently…' });
  await expect(del).toBeDisabled();
  await expect(del).toHaveAccessibleDescription(
    'Only account admins can permanently delete organizations.',
  );

  await app.openView('Locations', 'locations');
  const add = page.getByRole('button', { name: 'New location' });
  await expect(add).toBeDisabled();
  await expect(add).toHaveAccessibleDescription(
    'Only account admins, org admins and technicians can manage locations.',
  );
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
