// UI-9: every main view, light and dark, scanned with axe (no serious or critical violation) and
// photographed into test-results/screenshots/ for a person to look at.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { LocationsPage } from './pages/org-pages';

const SCHEMES = ['light', 'dark'] as const;

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 120_000 });

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
    // A modal's backdrop covers only the viewport, so dialogs are taken at viewport size.
    const modal = await page.locator('dialog[open]').count();
    await page.screenshot({
      path: `test-results/screenshots/${name}-${colorScheme}.png`,
      fullPage: modal === 0,
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('sign-in page', async ({ page, signIn }) => {
  await signIn.goto();
  await check(page, 'sign-in');
});

test('organizations and the switcher', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  await check(page, 'organizations');

  await app.switchTo('Acme Corp');
  await app.openSwitcher();
  await expect(app.switcher.getByRole('group', { name: 'Recent' })).toBeVisible();
  await check(page, 'org-switcher');
});

test('create organization: the form and the secret shown once', async ({ page, signInAs }) => {
  await signInAs('admin');
  await page.getByRole('button', { name: 'New organization' }).click();
  await check(page, 'create-organization');
  const dialog = page.getByRole('dialog', { name: 'New organization' });
  await dialog.getByLabel('Name').fill('Wayne Enterprises');
  await dialog.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('dialog', { name: 'Organization created' })).toBeVisible();
  await check(page, 'organization-created');
});

test('org overview and settings', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await expect(app.view('overview')).toBeVisible();
  await check(page, 'overview');
  await app.openView('Settings', 'settings');
  await check(page, 'settings');
});

test('locations: the editor, a field error, the IP tester', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);
  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await expect(locations.editor).toBeVisible();
  await check(page, 'locations');

  // The editor with a field error, as a technician would meet it.
  await page.getByRole('button', { name: 'New location' }).click();
  await locations.editor.getByLabel('Name').fill('Warehouse');
  await locations.subnetInput().fill('10.3.2.1/16');
  await locations.subnetInput().press('Enter');
  await expect(locations.subnetError()).toBeVisible();
  await locations.testIp('10.1.2.3');
  await expect(locations.tester.getByTestId('ip-result')).toContainText('Headquarters');
  await check(page, 'locations-field-error');
});

test('a reader: disabled controls with their reasons', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.switchTo('Acme Corp');
  await check(page, 'overview-reader');
  await app.openView('Settings', 'settings');
  await check(page, 'settings-reader');
});
