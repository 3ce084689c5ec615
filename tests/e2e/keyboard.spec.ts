// UI-16: an action palette (Ctrl/Cmd+Shift+P) with the current view's actions and their
// shortcuts, `?` for every shortcut, focus into an editor and back, no edit dropped without
// asking, and disabled controls that explain themselves in plain words.
import { checkView } from './a11y-check';
import { test as base, expect } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { LocationsPage, SettingsPage } from './pages/org-pages';
import { SignInPage } from './pages/sign-in-page';
import { seedSupportEngineer, type SeededEngineer } from './side-seed';
import { Api } from './api';

const test = base.extend<{ api: Api; engineer: SeededEngineer }>({
  api: async ({ request, world }, use) => use(new Api(request, world.url, world.seed.adminToken)),
  engineer: async ({ world }, use) => use(await seedSupportEngineer(world.dataDir)),
});

test.describe.configure({ timeout: 120_000 });

test('the palette lists the view’s actions with their shortcuts and runs one', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openPalette();
  await expect(app.paletteOption('New organization')).toContainText('N');
  await expect(app.paletteOption('Refresh')).toContainText('R');
  await expect(app.paletteOption('Switch organization')).toContainText(/Ctrl\+K|⌘K/);
  await expect(app.paletteOption('Keyboard shortcuts')).toContainText('?');
  await checkView(page, 'action-palette');

  await page.keyboard.type('new');
  await expect(app.palette.getByRole('option')).toHaveText([/^New organization/]);
  await page.keyboard.press('Enter');
  await expect(app.palette).toBeHidden();
  const create = page.getByRole('dialog', { name: 'New organization' });
  await expect(create.getByLabel('Name')).toBeFocused();
  // Closed, focus returns to the control that stands for the action.
  await page.keyboard.press('Escape');
  await expect(create).toBeHidden();
  await expect(page.getByRole('button', { name: 'New organization' })).toBeFocused();

  // The same action, by its shortcut; the button says which.
  await expect(page.getByRole('button', { name: 'New organization' })).toHaveAttribute(
    'aria-keyshortcuts',
    'N',
  );
  await page.keyboard.press('n');
  await expect(create.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');

  // Another view, other actions.
  await app.openView('Account audit trail', 'audit');
  await app.openPalette();
  await expect(app.paletteOption('Verify chain')).toBeVisible();
  await expect(app.paletteOption('New organization')).toHaveCount(0);
});

test('bulk actions are in the palette: why they wait for a selection, and run from there', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  const hosts = await app.openView('Hosts', 'hosts');
  await app.openPalette();
  await expect(app.paletteOption('Move selected hosts…')).toContainText(
    'Select one or more hosts in the table first.',
  );
  await expect(app.paletteOption('Move selected hosts…')).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Escape');

  await hosts.getByRole('checkbox', { name: 'Select acme-laptop7' }).check();
  await app.openPalette();
  await page.keyboard.type('remove selected');
  await page.keyboard.press('Enter');
  const remove = page.getByRole('dialog', { name: /Remove 1 host/ });
  await expect(remove).toBeVisible();
  await remove.getByRole('button', { name: 'Cancel' }).click();
  // Focus comes back to the bulk bar's button that stands for the action.
  await expect(
    page
      .getByRole('region', { name: 'Bulk actions' })
      .getByRole('button', { name: 'Remove selected…' }),
  ).toBeFocused();
});

test('? shows every shortcut; focus returns where it was', async ({ page, signInAs }) => {
  const app = await signInAs('admin');
  const refresh = app.refresh;
  await refresh.focus();
  await page.keyboard.press('?');
  await expect(app.shortcuts).toBeVisible();
  for (const [keys, what] of [
    [/Ctrl\+K|⌘K/, 'Switch organization'],
    [/Ctrl\+Shift\+P|⌘⇧P/, 'Show all actions'],
    ['R', 'Refresh'],
    ['?', 'Keyboard shortcuts'],
    ['N', 'New organization'],
  ] as const) {
    const row = app.shortcuts.getByRole('row').filter({ hasText: what });
    await expect(row).toContainText(keys);
  }
  await checkView(page, 'shortcut-sheet');
  await page.keyboard.press('Escape');
  await expect(app.shortcuts).toBeHidden();
  await expect(refresh).toBeFocused();
});

test('focus moves into the location editor and back to the row that opened it', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);
  const opener = locations.row('Headquarters').getByRole('button', { name: 'Headquarters' });
  await opener.click();
  await expect(locations.editor.getByLabel('Name')).toBeFocused();
  await locations.editor.getByRole('button', { name: 'Cancel' }).click();
  await expect(locations.editor).toHaveCount(0);
  await expect(opener).toBeFocused();
});

test('unsaved edits are never dropped silently: closing, navigating, Back, closing the tab', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Settings', 'settings');
  const general = new SettingsPage(page).section('General');
  await general.getByLabel('Name').fill('Acme Corporation');

  // Leaving by the sidebar asks; "Keep editing" stays, with the edit.
  await app.sidebar.getByRole('link', { name: 'Overview', exact: true }).click();
  await expect(app.discardPrompt).toContainText('General');
  await checkView(page, 'discard-prompt');
  await app.discardPrompt.getByRole('button', { name: 'Keep editing' }).click();
  await expect(app.discardPrompt).toBeHidden();
  await expect(app.view('settings')).toBeVisible();
  await expect(general.getByLabel('Name')).toHaveValue('Acme Corporation');

  // Back asks too, and stays put when told to.
  await page.goBack();
  await expect(app.discardPrompt).toBeVisible();
  await app.discardPrompt.getByRole('button', { name: 'Keep editing' }).click();
  await expect(app.view('settings')).toBeVisible();
  await expect(general.getByLabel('Name')).toHaveValue('Acme Corporation');

  // Closing the tab asks the browser's own question.
  const asked = new Promise<string>((resolve) =>
    page.once('dialog', (d) => {
      resolve(d.type());
      void d.dismiss();
    }),
  );
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
});

test('discarding is a choice: switching org, closing an editor or a dialog with edits', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  // A dialog with something typed asks before Escape drops it.
  await page.getByRole('button', { name: 'New organization' }).click();
  const create = page.getByRole('dialog', { name: 'New organization' });
  await create.getByLabel('Name').fill('Half-typed Inc');
  await page.keyboard.press('Escape');
  await expect(app.discardPrompt).toBeVisible();
  await expect(app.discardPrompt.getByRole('button', { name: 'Keep editing' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(app.discardPrompt).toBeHidden();
  await expect(create.getByLabel('Name')).toHaveValue('Half-typed Inc');
  await create.getByRole('button', { name: 'Cancel' }).click();
  await app.discardPrompt.getByRole('button', { name: 'Discard changes' }).click();
  await expect(create).toBeHidden();

  // The location editor: Cancel with an edit asks; the switcher's move asks too.
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);
  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await locations.editor.getByLabel('Name').fill('HQ Berlin');
  await locations.editor.getByRole('button', { name: 'Cancel' }).click();
  await app.discardPrompt.getByRole('button', { name: 'Keep editing' }).click();
  await expect(locations.editor.getByLabel('Name')).toHaveValue('HQ Berlin');
  await locations.row('Branch Lyon').getByRole('button', { name: 'Branch Lyon' }).click();
  await app.discardPrompt.getByRole('button', { name: 'Keep editing' }).click();
  await expect(locations.editor.getByLabel('Name')).toHaveValue('HQ Berlin');

  await app.openSwitcher();
  await page.keyboard.type('Globex');
  await expect(app.switcher.getByRole('option', { name: /^Globex/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('Enter');
  await expect(app.discardPrompt).toBeVisible();
  await app.discardPrompt.getByRole('button', { name: 'Discard changes' }).click();
  await expect(app.currentOrgName).toHaveText('Globex');
  await expect(locations.editor).toHaveCount(0);
});

test('disabled controls explain themselves in plain words', async ({ page, signInAs }) => {
  const app = await signInAs('reader');
  const create = page.getByRole('button', { name: 'New organization' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAccessibleDescription(
    'Only account admins can create and edit organizations.',
  );
  // In the palette too, and a shortcut for it says why instead of doing nothing.
  await app.openPalette();
  await expect(app.paletteOption('New organization')).toHaveAttribute('aria-disabled', 'true');
  await expect(app.paletteOption('New organization')).toContainText(
    'Only account admins can create and edit organizations.',
  );
  await page.keyboard.press('Escape');

  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  await expect(page.getByRole('button', { name: 'New location' })).toHaveAccessibleDescription(
    'Only account admins, org admins and technicians can manage locations.',
  );
  // No reason anywhere names a permission by its id.
  for (const view of ['Overview', 'Hosts', 'Settings', 'Locations']) {
    await app.openView(view, view.toLowerCase());
    for (const text of await page.locator('.disabled-reason').allInnerTexts()) {
      expect(text, view).not.toMatch(/\b[a-z_]+\.[a-z_]+\b/);
    }
  }
});

test('a support engineer is told access is view-only, never to ask an admin', async ({
  browser,
  world,
  api,
  engineer,
}) => {
  await api.call('POST', `/support-access/requests/${engineer.requestId}/approve`, {});
  const context = await browser.newContext({ baseURL: world.url });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.withPassword(engineer.email, engineer.password);
  const app = new ConsolePage(page);
  await app.waitForShell();
  await app.switchTo('Acme Corp');
  for (const [label, id] of [
    ['Overview', 'overview'],
    ['Locations', 'locations'],
    ['Hosts', 'hosts'],
    ['Settings', 'settings'],
  ] as const) {
    await app.openView(label, id);
    const reasons = await page.locator('.disabled-reason').allInnerTexts();
    expect(reasons.length, label).toBeGreaterThan(0);
    for (const text of reasons) {
      expect(text, label).toBe('Support access is view-only: no changes can be made.');
    }
  }
  await context.close();
});
