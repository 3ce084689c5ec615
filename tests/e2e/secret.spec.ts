// UI-5 / SEC-2..4: reveal hides itself after 30 s, copy clears the clipboard after 30 s only if it
// still holds the secret, regenerate needs the typed name, the configuration downloads.
import { readFile } from 'node:fs/promises';
import { expect, readClipboard, test } from './fixtures';
import { SecretPanel } from './pages/org-pages';
import { AuditPage } from './pages/ui7-pages';

test.beforeEach(async ({ context, page, world }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.url });
  // Fake timers from the first script on; time still flows until the test jumps it forward.
  await page.clock.install();
});

test('reveal hides after 30 s; copy clears the clipboard only while it holds the secret', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);

  await panel.reveal.click();
  await expect(panel.value).toHaveText(/^\S{40,}$/);
  const secret = (await panel.value.textContent())!;
  await expect(panel.root).toContainText(/Hides in \d+ s/);
  await page.clock.runFor(25_000);
  await expect(panel.value).toBeVisible();
  await page.clock.runFor(6_000);
  await expect(panel.value).toHaveCount(0);
  await expect(panel.masked).toBeVisible();

  // Copy while hidden: the clipboard holds it, the screen does not show it.
  await panel.copy.click();
  await expect(app.toast(/copied/)).toBeVisible();
  await expect.poll(() => readClipboard(page)).toBe(secret);
  await expect(panel.value).toHaveCount(0);
  await page.clock.runFor(31_000);
  await expect(app.toast('Organization secret cleared from the clipboard.')).toBeVisible();
  await expect.poll(() => readClipboard(page)).toBe('');

  // Something else copied in the meantime is left alone.
  await panel.copy.click();
  await expect(app.toast(/copied/)).toBeVisible();
  await expect.poll(() => readClipboard(page)).toBe(secret);
  await page.evaluate(() => navigator.clipboard.writeText('my own notes'));
  await page.clock.runFor(31_000);
  await expect(
    app.toast('The clipboard no longer holds the organization secret; it was left as it is.'),
  ).toBeVisible();
  expect(await readClipboard(page)).toBe('my own notes');
});

test('every copy is in the audit trail as the panel says, shown or hidden, and not as a reveal', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  await expect(panel.root).toContainText(
    'Every reveal, copy and download is recorded in the audit trail.',
  );
  await panel.reveal.click();
  await expect(panel.value).toBeVisible();
  await panel.copy.click(); // while shown
  await expect(app.toast(/copied/)).toBeVisible();
  await panel.hide.click();
  await panel.copy.click(); // while hidden
  await expect.poll(() => app.toast(/copied/).count()).toBeGreaterThan(0);

  await app.openView('Audit trail', 'audit');
  const audit = new AuditPage(page);
  await audit.filters.getByLabel('Action').fill('organization.secret.copied');
  await expect(audit.table.locator('tbody tr')).toHaveCount(2);
  await expect(audit.table.locator('tbody tr').first()).toContainText('organization.secret.copied');
  await audit.filters.getByLabel('Action').fill('organization.secret.revealed');
  await expect(audit.table.locator('tbody tr')).toHaveCount(1);
});

test('regenerate needs the typed name, names the consequence, and shows the new secret once', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  await panel.reveal.click();
  const before = (await panel.value.textContent())!;

  await panel.regenerate.click();
  const dialog = page.getByRole('dialog', { name: 'Regenerate the organization secret' });
  await expect(dialog).toContainText('New registrations and legacy agents need the new secret.');
  await expect(dialog).toContainText('Already registered Go agents keep working');
  const confirm = dialog.getByRole('button', { name: 'Regenerate secret' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type "Acme Corp" to confirm').fill('Acme');
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type "Acme Corp" to confirm').fill('Acme Corp');
  await dialog.getByRole('radio', { name: /24 hours/ }).check();
  await confirm.click();

  const done = page.getByRole('dialog', { name: 'New secret generated' });
  const fresh = (await done.getByTestId('secret-once').textContent())!;
  expect(fresh).not.toBe(before);
  await expect(done).toContainText('The previous secret is still accepted until');
  await done.getByRole('button', { name: 'Done' }).click();
  // The revealed old value was dropped with the rotation.
  await expect(panel.masked).toBeVisible();
  await expect(page.getByText(fresh)).toHaveCount(0);

  await panel.reveal.click();
  await expect(panel.value).toHaveText(fresh);
});

test('the agent configuration downloads as a file with the server URL and secret', async ({
  page,
  signInAs,
  world,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  const [download] = await Promise.all([page.waitForEvent('download'), panel.download.click()]);
  expect(download.suggestedFilename()).toBe('orgdesk-agent-Acme-Corp.json');
  const config = JSON.parse(await readFile((await download.path())!, 'utf8')) as Record<
    string,
    unknown
  >;
  expect(config.server_url).toBe(world.url);
  expect(config.organization_id).toBe(world.seed.orgs.acme.id);
  await panel.reveal.click();
  await expect(panel.value).toHaveText(String(config.organization_secret));
});
