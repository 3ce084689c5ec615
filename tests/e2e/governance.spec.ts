// UI-7 governance (GOV-1..3, GDPR-1/2): a legal hold with its reason stops a recording's deletion
// (the server's reason is shown); lifted, the deletion goes through; the cleanup reports per org;
// a user is erased only after typing their email; the account's data downloads as JSON.
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { seedRecordings } from './side-seed';

test('legal hold refuses a recording deletion with the server’s reason; lifted, it goes', async ({
  page,
  world,
  signInAs,
}) => {
  const [first] = await seedRecordings(
    world.dataDir,
    world.seed.admin.email,
    world.seed.orgs.acme.id,
    3,
  );
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Governance', 'governance');
  const recordings = page.getByTestId('recordings');
  const table = recordings.getByRole('table', { name: 'Session recordings' });
  await expect(table.locator('tbody tr')).toHaveCount(3);

  // GOV-3: the hold needs its reason, next to the field.
  const section = page.getByRole('region', { name: 'Recording governance' });
  await section.getByRole('checkbox', { name: /^Legal hold/ }).check();
  await section.getByRole('button', { name: 'Save changes' }).click();
  const reasonField = section.getByLabel('Reason for the legal hold');
  await expect(reasonField).toHaveAttribute('aria-invalid', 'true');
  await reasonField.fill('Litigation 2026-17: keep everything');
  await section.getByRole('button', { name: 'Save changes' }).click();
  await expect(app.toast('Recording governance saved.')).toBeVisible();
  await expect(recordings.getByText('Legal hold is on')).toBeVisible();

  await table.getByRole('button', { name: `Delete recording #${first}` }).click();
  const confirm = page.getByRole('dialog', { name: `Delete recording #${first}?` });
  await confirm.getByRole('button', { name: 'Delete recording' }).click();
  await expect(confirm.getByRole('alert')).toHaveText(
    `Recording ${first} cannot be deleted: "Acme Corp" is under legal hold (reason: Litigation 2026-17: keep everything). Recordings are kept until the hold is lifted.`,
  );
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(table.locator('tbody tr')).toHaveCount(3);

  await section.getByRole('checkbox', { name: /^Legal hold/ }).uncheck();
  await section.getByRole('button', { name: 'Save changes' }).click();
  await expect(recordings.getByText('Legal hold is on')).toHaveCount(0);
  await table.getByRole('button', { name: `Delete recording #${first}` }).click();
  await confirm.getByRole('button', { name: 'Delete recording' }).click();
  await expect(confirm).toBeHidden();
  await expect(app.toast(`Recording #${first} was deleted.`)).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(2);

  // GOV-3 on demand: the report names what was removed (nothing is older than 90 days here).
  await page.getByRole('button', { name: 'Run retention cleanup now' }).click();
  await page
    .getByRole('dialog', { name: 'Run the retention cleanup now?' })
    .getByRole('button', { name: 'Run cleanup' })
    .click();
  await expect(page.getByTestId('cleanup-report')).toContainText('0 recordings deleted across');
});

test('GDPR: erase a user after typing their email; export the account’s data', async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openView('Retention and GDPR', 'governance');
  const panel = page.getByRole('region', { name: 'Personal data' });

  const download = page.waitForEvent('download');
  // The file itself over REST (streamed by the server), not a tRPC envelope.
  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/account/export',
  );
  await panel.getByRole('button', { name: 'Export account data' }).click();
  const file = await download;
  expect((await answer).headers()['content-disposition']).toMatch(/^attachment; filename=/);
  expect(file.suggestedFilename()).toMatch(/^orgdesk-gdpr-account-\d+-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile(await file.path(), 'utf8')) as {
    format: string;
    kind: string;
  };
  expect(data).toMatchObject({ format: 'orgdesk.gdpr-export/1', kind: 'account' });
  // Never a password hash or a secret in it (GDPR-2).
  const text = await readFile(await file.path(), 'utf8');
  expect(text).not.toMatch(/password_hash|\$argon2|odk_orgsec_|odk_ses_|odk_pat_/i);

  await panel
    .getByLabel('Person', { exact: true })
    .selectOption({ label: `Theo Technician — ${world.seed.technician.email}` });
  await panel.getByRole('button', { name: 'Erase…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase Theo Technician?' });
  await expect(dialog).toContainText('This cannot be undone.');
  const erase = dialog.getByRole('button', { name: 'Erase permanently' });
  await expect(erase).toBeDisabled();
  await dialog.getByLabel(`Type "${world.seed.technician.email}" to confirm`).fill('tech@');
  await expect(erase).toBeDisabled();
  await dialog
    .getByLabel(`Type "${world.seed.technician.email}" to confirm`)
    .fill(world.seed.technician.email);
  await erase.click();
  await expect(dialog).toBeHidden();
  await expect(app.toast(/^User #\d+ was erased/)).toBeVisible();
  // The person is gone from the list under their name and email.
  await expect(
    panel.getByLabel('Person', { exact: true }).locator('option', { hasText: 'Theo Technician' }),
  ).toHaveCount(0);
  await expect(
    panel
      .getByLabel('Person', { exact: true })
      .locator('option', { hasText: world.seed.technician.email }),
  ).toHaveCount(0);
});
