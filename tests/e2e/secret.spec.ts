// UI-5 / SEC-2..4: reveal hides itself after 30 s, copy clears the clipboard after 30 s only if it
// still holds the secret, regenerate needs the typed name, the configuration downloads.
import { readFile } from 'node:fs/promises';
import { expect, readClipboard, test } from './fixtures';
import { checkView } from './a11y-check';
import { SecretPanel, SecretRolloverPanel } from './pages/org-pages';
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

test('SEC-3: the grace defaults to 24 h, the dialog counts legacy agents, the overview lists who still uses the old secret', async ({
  page,
  signInAs,
  world,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  const panel = new SecretPanel(page);
  const rollover = new SecretRolloverPanel(page);
  await expect(rollover.root).toHaveCount(0);

  await panel.regenerate.click();
  const dialog = page.getByRole('dialog', { name: 'Regenerate the organization secret' });
  await expect(dialog.getByRole('radio', { name: /24 hours/ })).toBeChecked();
  // Acme's two legacy agents (acme-ws-lyon, acme-old-kiosk) send the current secret.
  await expect(dialog.getByTestId('legacy-count')).toHaveText(
    '2 legacy agents still use the current secret: each needs the new one before the grace period ends.',
  );
  await checkView(page, 'regenerate secret dialog');
  await dialog.getByLabel('Type "Acme Corp" to confirm').fill('Acme Corp');
  await dialog.getByRole('button', { name: 'Regenerate secret' }).click();
  const done = page.getByRole('dialog', { name: 'New secret generated' });
  const fresh = (await done.getByTestId('secret-once').textContent())!;
  await done.getByRole('button', { name: 'Done' }).click();

  await expect(rollover.root).toContainText(
    'The previous organization secret is still accepted until',
  );
  await expect(rollover.root).toContainText(
    '2 legacy agents have not been seen with the new secret yet',
  );
  await expect(rollover.hosts.getByRole('listitem')).toHaveText([/acme-old-kiosk/, /acme-ws-lyon/]);
  await checkView(page, 'secret rollover panel');

  // One agent moves over (it registers again with the new secret): it leaves the list.
  const moved = await fetch(`${world.url}/api/v1/agents/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-organization-secret': fresh },
    body: JSON.stringify({ hostname: 'acme-ws-lyon', ip: '10.2.3.4', agent_type: 'legacy' }),
  });
  expect(moved.status).toBe(200);
  await page.reload();
  await app.waitForShell();
  await expect(rollover.hosts.getByRole('listitem')).toHaveText([/acme-old-kiosk/]);
  await expect(rollover.root).toContainText(
    '1 legacy agent has not been seen with the new secret yet',
  );
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
