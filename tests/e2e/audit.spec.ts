// UI-7 audit viewer (AUD-2/3): newest first, filters with errors next to the field, CSV and JSON
// export as downloads, and a chain verification that names the first altered entry.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { ConsolePage } from './pages/console-page';
import { SignInPage } from './pages/sign-in-page';
import { AuditPage } from './pages/ui7-pages';
import { alterAuditEntry } from './side-seed';

test('account-wide: filter, export CSV and JSON, verify the chain, then catch a tampered entry', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Account audit trail', 'audit');
  const audit = new AuditPage(page);
  // Newest first: the sign-in that just happened.
  await expect(audit.table.locator('tbody tr').first()).toContainText('auth.signed_in');

  const created = 4 + world.seed.fillerCount;
  await audit.filters.getByLabel('Action').fill('organization.created');
  await expect(audit.view.locator('.view-subtitle')).toHaveText(
    `All organizations · ${created} entries, newest first`,
  );
  await expect(page.getByRole('navigation', { name: 'Pages of audit entries' })).toContainText(
    `1–25 of ${created}`,
  );
  await expect(audit.table.locator('tbody tr')).toHaveCount(25);

  const csvDownload = page.waitForEvent('download');
  // The browser fetches the file itself over REST (streamed by the server), not a tRPC envelope.
  const csvAnswer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/audit/export',
  );
  await audit.view.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await csvDownload;
  expect((await csvAnswer).headers()['content-type']).toBe('text/csv; charset=utf-8');
  expect(csv.suggestedFilename()).toMatch(/^orgdesk-audit-account-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile(await csv.path(), 'utf8')).trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    'id,at,account_id,organization_id,actor_user_id,actor_label,action,target_type,target_id,details,prev_hash,hash',
  );
  expect(lines).toHaveLength(created + 1);
  expect(lines.slice(1).every((l) => l.includes(',organization.created,'))).toBe(true);
  await expect(app.toast(`Saved ${csv.suggestedFilename()}: ${created} entries.`)).toBeVisible();

  // AUD-2: the saved file's detached signature and the signer's key, verified with openssl.
  const signature = page.getByRole('status', { name: 'Export signature' });
  await expect(signature).toContainText(`${csv.suggestedFilename()} is signed by`);
  const sigDownload = page.waitForEvent('download');
  await signature.getByRole('button', { name: 'Save signature' }).click();
  const sig = await sigDownload;
  expect(sig.suggestedFilename()).toBe(`${csv.suggestedFilename()}.sig`);
  const keyDownload = page.waitForEvent('download');
  await signature.getByRole('button', { name: 'Save public key' }).click();
  const key = await keyDownload;
  const verified = spawnSync(
    'openssl',
    [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      await key.path(),
      '-rawin',
      '-in',
      await csv.path(),
      '-sigfile',
      await sig.path(),
    ],
    { encoding: 'utf8' },
  );
  expect(`${verified.stdout}${verified.stderr}`.trim()).toBe('Signature Verified Successfully');

  const jsonDownload = page.waitForEvent('download');
  await audit.view.getByRole('button', { name: 'Export JSON' }).click();
  const json = await jsonDownload;
  expect(json.suggestedFilename()).toMatch(/\.json$/);
  const entries = JSON.parse(await readFile(await json.path(), 'utf8')) as { action: string }[];
  expect(entries).toHaveLength(created);
  expect(new Set(entries.map((e) => e.action))).toEqual(new Set(['organization.created']));

  // A time range the wrong way round: the server blames `to`, shown under "Until".
  await audit.filters.getByLabel('From').fill('2030-01-01T00:00');
  await audit.filters.getByLabel('Until').fill('2020-01-01T00:00');
  const until = audit.filters.getByLabel('Until');
  await expect(until).toHaveAttribute('aria-invalid', 'true');
  await expect(until).toHaveAccessibleDescription(/to must be later than from/);
  await audit.filters.getByLabel('Until').fill('');
  await expect(until).not.toHaveAttribute('aria-invalid', 'true');

  // AUD-3: intact, then an entry changed behind the application's back is named.
  await audit.verify.click();
  await expect(audit.verifyResult).toContainText('The chain is intact.');
  await alterAuditEntry(world.dataDir, 3, '{"tampered":true}');
  await audit.verify.click();
  await expect(audit.verifyResult).toContainText('The chain is broken at entry #3 (altered).');
});

test('per org: only that org’s entries; without audit.view the reason instead', async ({
  page,
  signInAs,
  browser,
  world,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Audit trail', 'audit');
  const audit = new AuditPage(page);
  await expect(audit.table).toContainText('location.created');
  await expect(audit.table).toContainText('organization.created');
  // Account-level entries (users, sign-ins) and other orgs' entries are not Acme's.
  await expect(audit.table).not.toContainText('user.created');
  await expect(audit.table).not.toContainText('auth.signed_in');
  await expect(audit.table.getByRole('columnheader', { name: 'Organization' })).toHaveCount(0);

  // A technician of Acme holds no audit.view.
  const context = await browser.newContext({ baseURL: world.url });
  const techPage = await context.newPage();
  const signIn = new SignInPage(techPage);
  await signIn.goto();
  await signIn.withPassword(world.seed.technician.email, world.seed.technician.password);
  const tech = new ConsolePage(techPage);
  await tech.waitForShell();
  await tech.switchTo('Acme Corp');
  await tech.sidebar.getByRole('link', { name: 'Audit trail', exact: true }).click();
  await expect(
    techPage
      .locator('[data-view="audit"][data-state="ready"]')
      .getByText('Only account admins and org admins can view the audit trail.'),
  ).toBeVisible();
  await expect(techPage.getByRole('table', { name: 'Audit entries' })).toHaveCount(0);
  await context.close();
});
