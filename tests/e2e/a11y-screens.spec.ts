// UI-9: every main view, light and dark, scanned with axe (no serious or critical violation) and
// photographed into test-results/screenshots/ for a person to look at.
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { LocationsPage } from './pages/org-pages';

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 120_000 });

test('sign-in page', async ({ page, signIn }) => {
  await signIn.goto();
  await checkView(page, 'sign-in');
});

test('organizations and the switcher', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  await checkView(page, 'organizations');

  await app.switchTo('Acme Corp');
  await app.openSwitcher();
  await expect(app.switcher.getByRole('group', { name: 'Recent' })).toBeVisible();
  await checkView(page, 'org-switcher');
});

test('create organization: the form and the secret shown once', async ({ page, signInAs }) => {
  await signInAs('admin');
  await page.getByRole('button', { name: 'New organization' }).click();
  await checkView(page, 'create-organization');
  const dialog = page.getByRole('dialog', { name: 'New organization' });
  await dialog.getByLabel('Name').fill('Wayne Enterprises');
  await dialog.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('dialog', { name: 'Organization created' })).toBeVisible();
  await checkView(page, 'organization-created');
});

test('org overview and settings', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await expect(app.view('overview')).toBeVisible();
  await checkView(page, 'overview');
  await app.openView('Settings', 'settings');
  await checkView(page, 'settings');
});

test('locations: the editor, a field error, the IP tester', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);
  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await expect(locations.editor).toBeVisible();
  await checkView(page, 'locations');

  // The editor with a field error, as a technician would meet it.
  await page.getByRole('button', { name: 'New location' }).click();
  await locations.editor.getByLabel('Name').fill('Warehouse');
  await locations.subnetInput().fill('10.3.2.1/16');
  await locations.subnetInput().press('Enter');
  await expect(locations.subnetError()).toBeVisible();
  await locations.testIp('10.1.2.3');
  await expect(locations.tester.getByTestId('ip-result')).toContainText('Headquarters');
  await checkView(page, 'locations-field-error');
});

test('a reader: disabled controls with their reasons', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await checkView(page, 'overview-reader');
  await app.openView('Settings', 'settings');
  await checkView(page, 'settings-reader');
});
