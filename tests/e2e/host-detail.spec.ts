// UI-7 / AGT-3/4: a host's name opens a side panel with everything about it (name, IP, agent,
// a Go agent's key fingerprint, location and pin, registered, last seen relative with the full
// date and zone on hover, status) and the row's actions; focus moves into it and back on close.
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { HostsPage } from './pages/ui7-pages';

test('a host name opens its detail panel with every fact and the row actions', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = new HostsPage(page);
  const nameButton = hosts.row('acme-dc01').getByRole('button', { name: 'acme-dc01', exact: true });

  const panel = await hosts.openDetail('acme-dc01');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'acme-dc01' })).toBeFocused();
  await expect(hosts.fact('Host name')).toHaveText('acme-dc01');
  await expect(hosts.fact('IP address')).toHaveText('10.1.0.10');
  await expect(hosts.fact('Agent')).toHaveText('Go');
  await expect(hosts.fact('Key fingerprint')).toHaveText(/^SHA256:[A-Za-z0-9+/]{43}$/);
  await expect(hosts.fact('Location')).toHaveText('Headquarters, placed by its subnets');
  await expect(hosts.fact('Status')).toHaveText('Online');
  await expect(hosts.fact('Registered')).toHaveText(/\d{4}/);
  // Relative, with the full date, time and zone on hover (and read out).
  const lastSeen = hosts.fact('Last seen').locator('time');
  await expect(lastSeen).toContainText('1 minute ago');
  await expect(lastSeen).toHaveAttribute(
    'title',
    /\d{4}.* \d{1,2}:\d{2}:\d{2}\s?[AP]M (UTC|GMT[+-]?\d*)$/,
  );
  await expect(panel.getByRole('button', { name: 'Move acme-dc01', exact: true })).toBeEnabled();
  await expect(panel.getByRole('button', { name: 'Remove acme-dc01' })).toBeEnabled();
  await checkView(page, 'host-detail');

  // Escape closes it, and focus is back on the name that opened it.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(nameButton).toBeFocused();

  // A legacy agent has no key; a move from the panel pins the host, and the panel says so.
  await hosts.openDetail('acme-ws-lyon');
  await expect(hosts.fact('Agent')).toHaveText('Legacy');
  await expect(hosts.fact('Key fingerprint')).toHaveText(
    'None (legacy agents send the org secret)',
  );
  await hosts.detail().getByRole('button', { name: 'Move acme-ws-lyon', exact: true }).click();
  await hosts.moveDialog.getByLabel('Move to').selectOption({ label: 'Headquarters' });
  await hosts.moveDialog.getByRole('button', { name: 'Move and pin' }).click();
  await expect(hosts.moveDialog).toHaveCount(0);
  await expect(hosts.fact('Location')).toHaveText('Headquarters, pinned (moved by hand)');
  await expect(hosts.detail().getByRole('button', { name: 'Unpin acme-ws-lyon' })).toBeVisible();
  await hosts.detail().getByRole('button', { name: 'Close' }).click();
  await expect(hosts.detail()).toHaveCount(0);
  await expect(
    hosts.row('acme-ws-lyon').getByRole('button', { name: 'acme-ws-lyon', exact: true }),
  ).toBeFocused();
});
