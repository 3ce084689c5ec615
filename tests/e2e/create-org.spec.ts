// UI-3 create: the secret is shown once, with the Default location created beside it.
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';
import { OrganizationsPage } from './pages/organizations-page';
import { SecretPanel } from './pages/org-pages';

test('creating an organization shows its secret exactly once and a Default location', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await expect(app.view('organizations')).toBeVisible();

  await orgs.create({ name: 'Stark Industries', description: 'R&D', region: 'us-west' });
  const created = page.getByRole('dialog', { name: 'Organization created' });
  const secret = created.getByTestId('secret-once');
  await expect(secret).toHaveText(/^\S{40,}$/);
  const secretText = (await secret.textContent())!;
  await expect(created).toContainText('A Default location was created');
  await expect(created).toContainText('Shown only this once');

  await created.getByRole('button', { name: 'Done' }).click();
  await expect(created).toBeHidden();
  // Gone from the page and from the table: nothing keeps it.
  await expect(page.getByText(secretText)).toHaveCount(0);
  await expect(orgs.row('Stark Industries')).toBeVisible();

  await orgs.row('Stark Industries').getByRole('link', { name: 'Stark Industries' }).click();
  await expect(app.view('overview')).toBeVisible();
  const panel = new SecretPanel(page);
  await expect(panel.masked).toBeVisible();
  await expect(page.getByText(secretText)).toHaveCount(0);

  const locations = await app.openView('Locations', 'locations');
  await expect(locations.getByRole('button', { name: 'Default', exact: true })).toBeVisible();
  await expect(locations.getByRole('table', { name: 'Locations' }).getByRole('row')).toHaveCount(2);
});

test('a duplicate name is refused with the message under the Name field', async ({
  page,
  signInAs,
}) => {
  await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await orgs.create({ name: 'acme corp' });
  const dialog = page.getByRole('dialog', { name: 'New organization' });
  const name = dialog.getByLabel('Name');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription(/already exists in this account/);
});

test('the Region field suggests the regions organizations already have', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const orgs = new OrganizationsPage(page);
  await expect(app.view('organizations')).toBeVisible();
  // The same regions as the list's filter offers (one query, read by each where it is shown).
  const values = (options: Locator) =>
    options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  const filterOptions = orgs.filter('Region').locator('option');
  await expect.poll(() => filterOptions.count()).toBeGreaterThan(1);
  const offered = await values(filterOptions);
  expect(offered).toContain('us-west');

  const dialog = await orgs.openCreate();
  const listId = await dialog.getByLabel('Region').getAttribute('list');
  await expect
    .poll(() => values(dialog.locator(`datalist[id="${listId}"] option`)))
    .toEqual(offered);
});
