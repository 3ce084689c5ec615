// INT-1/INT-2 console screen: an account admin adds a webhook (secret shown once), tests it, reads
// its delivery log and redelivers, disables and deletes it; a reader never sees the screen.
// The receiver runs in the test process and verifies every signature.
import { startReceiver, type Receiver } from '../fixtures/webhook-receiver';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';

let rx: Receiver;
let secret: string | null = null;

test.beforeEach(async () => {
  secret = null;
  rx = await startReceiver({
    secret: () => secret,
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
});
test.afterEach(async () => {
  await rx.close();
});

test('add a webhook, test it, redeliver from its log, disable and delete it', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  const view = await app.openView('Integrations', 'integrations');
  await expect(view.getByText('No destinations yet')).toBeVisible();

  await view.getByRole('button', { name: 'New destination' }).click();
  const dialog = page.getByRole('dialog', { name: 'New destination' });
  await dialog.getByLabel('URL').fill('ftp://nowhere');
  await dialog.getByRole('button', { name: 'Add destination' }).click();
  await expect(dialog.getByLabel('URL')).toHaveAccessibleDescription(
    /url of a webhook must start with https:\/\//,
  );
  await dialog.getByLabel('Name').fill('SIEM hook');
  await dialog.getByLabel('URL').fill(rx.url);
  await dialog.getByRole('button', { name: 'Add destination' }).click();
  const added = page.getByRole('dialog', { name: 'Destination added' });
  const shown = added.getByText(/^whsec_/);
  await expect(shown).toBeVisible();
  secret = (await shown.textContent())!.trim();
  await added.getByRole('button', { name: 'Done' }).click();

  const row = view.getByRole('row').filter({ hasText: 'SIEM hook' });
  await expect(row).toContainText('Webhook');
  // Its own creation is the first delivery, signed with the secret shown once.
  await expect
    .poll(() => rx.received.map((r) => [r.json.event, r.verified]))
    .toEqual([['integration.created', true]]);
  await expect(row).toContainText('Delivering');
  // The secret is never shown again.
  await expect(page.getByText(secret)).toHaveCount(0);

  await row.getByRole('button', { name: 'Send a test to SIEM hook' }).click();
  await expect(app.toast('Test message delivered.')).toBeVisible();
  expect(rx.received.at(-1)!.json.event).toBe('integration.test');
  expect(rx.received.at(-1)!.verified).toBe(true);

  await row.getByRole('button', { name: 'Deliveries of SIEM hook' }).click();
  const log = page.getByRole('dialog', { name: 'Deliveries of SIEM hook' });
  const first = log.getByRole('row').filter({ hasText: 'integration.created' });
  await expect(first).toContainText('delivered');
  await expect(first).toContainText('HTTP 200');
  const firstId = rx.received[0]!.json.id;
  await first.getByRole('button', { name: /^Redeliver integration\.created/ }).click();
  await expect(app.toast('Queued again: it goes out with the next pass.')).toBeVisible();
  await expect
    .poll(() => rx.received.filter((r) => r.json.id === firstId && r.verified).length)
    .toBe(2);
  await log.getByRole('button', { name: 'Close' }).click();

  await row.getByRole('button', { name: 'Disable SIEM hook' }).click();
  await expect(app.toast('“SIEM hook” is off: nothing is queued for it.')).toBeVisible();
  await expect(row).toContainText('Off');
  await row.getByRole('button', { name: 'Delete SIEM hook' }).click();
  await page
    .getByRole('dialog', { name: 'Delete “SIEM hook”?' })
    .getByRole('button', { name: 'Delete destination' })
    .click();
  await expect(app.toast('SIEM hook was deleted with its queue.')).toBeVisible();
  await expect(view.getByText('No destinations yet')).toBeVisible();
  // Nothing the receiver got holds the secret itself.
  expect(rx.received.map((r) => JSON.stringify(r.headers) + r.body).join('\n')).not.toContain(
    secret,
  );
});

test('a reader has no Integrations screen', async ({ signInAs }) => {
  const app = await signInAs('reader');
  await expect(app.sidebar).toBeVisible();
  await expect(app.sidebar.getByRole('link', { name: 'Integrations', exact: true })).toHaveCount(0);
});

test('UI-9: the Integrations screen and its delivery log pass axe in light and dark', async ({
  page,
  signInAs,
}) => {
  test.setTimeout(150_000);
  const app = await signInAs('admin');
  const view = await app.openView('Integrations', 'integrations');
  await view.getByRole('button', { name: 'New destination' }).click();
  const dialog = page.getByRole('dialog', { name: 'New destination' });
  await dialog.getByLabel('Kind').selectOption('syslog');
  await dialog.getByLabel('Name').fill('Lab collector');
  await dialog.getByLabel('URL').fill('udp://127.0.0.1:9');
  await checkView(page, 'integrations-new');
  await dialog.getByRole('button', { name: 'Add destination' }).click();
  await page
    .getByRole('dialog', { name: 'Destination added' })
    .getByRole('button', { name: 'Done' })
    .click();
  const row = view.getByRole('row').filter({ hasText: 'Lab collector' });
  await expect(row).toContainText('Syslog');
  await checkView(page, 'integrations');
  await row.getByRole('button', { name: 'Deliveries of Lab collector' }).click();
  await expect(
    page.getByRole('dialog', { name: 'Deliveries of Lab collector' }).getByRole('row').nth(1),
  ).toBeVisible();
  await checkView(page, 'integrations-deliveries');
});
