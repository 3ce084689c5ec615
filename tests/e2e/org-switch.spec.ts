// UI-1: keyboard switching re-scopes every view and leaves nothing of the previous tenant.
import { expect, test } from './fixtures';
import { LocationsPage } from './pages/org-pages';
import { HostsPage } from './pages/ui7-pages';

test('switching org with the keyboard re-scopes every view and clears selections', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await expect(page).toHaveTitle(/^Acme Corp · Overview — Orgdesk$/);
  await expect(app.view('overview').getByRole('heading', { level: 1 })).toHaveText('Acme Corp');

  // Select a location of Acme: its editor is open.
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);
  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await expect(locations.editor.getByLabel('Name')).toHaveValue('Headquarters');
  // Saving leaves a notice that names Acme's location; it must not outlive the switch either.
  await locations.editor.getByRole('button', { name: 'Save location' }).click();
  await expect(app.toast('Saved Headquarters.')).toBeVisible();
  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await expect(locations.editor.getByLabel('Name')).toHaveValue('Headquarters');

  // Switch with arrows: type part of the name, move down to it, Enter.
  await app.openSwitcher();
  await page.keyboard.type('glob');
  const globex = app.switcher.getByRole('option', { name: /Globex/ });
  await expect(globex).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await expect(globex).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');

  await expect(app.currentOrgName).toHaveText('Globex');
  await expect(page).toHaveTitle(/^Globex · Locations — Orgdesk$/);
  // Same kind of view, new tenant: Globex's locations, no editor, nothing of Acme.
  await expect(app.view('locations')).toBeVisible();
  await expect(locations.row('Globex Office')).toBeVisible();
  await expect(locations.editor).toHaveCount(0);
  await expect(page.getByText('Headquarters')).toHaveCount(0);
  await expect(page.getByText('Acme Corp')).toHaveCount(0);

  await app.openView('Overview', 'overview');
  await expect(app.view('overview').getByRole('heading', { level: 1 })).toHaveText('Globex');
  await app.openView('Settings', 'settings');
  await expect(page.getByRole('region', { name: 'General' }).getByLabel('Name')).toHaveValue(
    'Globex',
  );
});

test('recents and pins are offered first; All organizations for account admins', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Initech');
  await app.switchTo('Globex');

  await app.openSwitcher();
  const recent = app.switcher.getByRole('group', { name: 'Recent' });
  await expect(recent.getByRole('option')).toHaveText([/^Globex/, /^Initech/]);
  const all = app.switcher.getByRole('option', { name: 'All organizations' });
  await expect(all).toHaveAttribute('aria-selected', 'true');

  // Alt+P pins the highlighted org (Initech, after one step down past Globex).
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(recent.getByRole('option', { name: /Initech/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('Alt+p');
  const pinned = app.switcher.getByRole('group', { name: 'Pinned' });
  await expect(pinned.getByRole('option')).toHaveText([/Initech/]);

  // Back to the account-wide scope with the keyboard.
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(all).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(app.currentOrgName).toHaveText('All organizations');
  await expect(app.view('organizations')).toBeVisible();
  await expect(page).toHaveTitle(/^All organizations · Organizations — Orgdesk$/);
});

test('a reader only ever sees the orgs they hold a role on', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  await app.openSwitcher();
  await expect(app.switcher.getByRole('option')).toHaveText([/^Acme Corp/, /^Globex/]);
  await expect(app.switcher.getByRole('option', { name: 'All organizations' })).toHaveCount(0);
  await page.keyboard.type('initech');
  await expect(app.switcher.getByRole('status')).toHaveText(/No organization matches/);
});

test("the highlighted org's first data is asked before Enter: the switch shows it without asking again", async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.row('acme-dc01')).toBeVisible();

  const hostLists: string[] = [];
  page.on('request', (r) => {
    if (decodeURIComponent(r.url()).includes('hosts.list')) hostLists.push(r.url());
  });
  await app.openSwitcher();
  await page.keyboard.type('initech');
  await expect(app.switcher.getByRole('option', { name: /Initech/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  // Highlighted, not chosen: Initech's first hosts page is on its way already.
  await expect.poll(() => hostLists.length).toBe(1);
  await page.keyboard.press('Enter');
  await expect(app.currentOrgName).toHaveText('Initech');
  await expect(hosts.row('initech-app1')).toBeVisible();
  // The view read the switcher's answer: the very query (same input), not a second request.
  expect(hostLists).toHaveLength(1);
});
