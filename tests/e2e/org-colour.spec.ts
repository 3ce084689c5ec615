// UI-15: a colour per org (derived from its id), in the title bar beside the current org and in
// every destructive confirmation; axe in light and dark on a confirmation that shows it.
import type { Locator } from '@playwright/test';
import { orgColorIndex, orgInitials } from '../../shared/org-color';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { orgTarget } from './pages/fleet-pages';
import { SecretPanel, SettingsPage } from './pages/org-pages';
import { SupportAccessPage } from './pages/support-access-page';
import { HostsPage } from './pages/ui7-pages';

test.describe.configure({ timeout: 120_000 });

test('the org colour: in the title bar and in every destructive confirmation', async ({
  page,
  signInAs,
  world,
}) => {
  const app = await signInAs('admin');
  const acme = world.seed.orgs.acme;
  await app.switchTo('Acme Corp');
  const badge = app.titleBar.locator('.org-badge');
  await expect(badge).toHaveText(orgInitials('Acme Corp'));
  await expect(badge).toHaveAttribute('data-org-color', String(orgColorIndex(acme.id)));
  // Another org, another colour (neighbouring ids never share one).
  await app.switchTo('Globex');
  await expect(badge).toHaveAttribute(
    'data-org-color',
    String(orgColorIndex(world.seed.orgs.globex.id)),
  );
  await app.switchTo('Acme Corp');

  const colour = String(orgColorIndex(acme.id));
  const expectTarget = async (dialog: Locator) => {
    await expect(orgTarget(dialog)).toContainText('Acme Corp');
    await expect(orgTarget(dialog).locator('.org-badge')).toHaveAttribute('data-org-color', colour);
  };

  // Regenerate secret.
  await new SecretPanel(page).regenerate.click();
  const regenerate = page.getByRole('dialog', { name: 'Regenerate the organization secret' });
  await expectTarget(regenerate);
  await checkView(page, 'confirm-org-colour');
  await regenerate.getByRole('button', { name: 'Cancel' }).click();

  // Remove a host.
  await app.openView('Hosts', 'hosts');
  await new HostsPage(page)
    .row('acme-dc01')
    .getByRole('button', { name: 'Remove acme-dc01' })
    .click();
  const removeHost = page.getByRole('dialog', { name: 'Remove acme-dc01?' });
  await expectTarget(removeHost);
  await removeHost.getByRole('button', { name: 'Cancel' }).click();

  // Deactivate.
  await app.openView('Settings', 'settings');
  await new SettingsPage(page)
    .section('Lifecycle')
    .getByRole('button', { name: 'Deactivate…' })
    .click();
  const deactivate = page.getByRole('dialog', { name: 'Deactivate Acme Corp?' });
  await expectTarget(deactivate);
  await deactivate.getByRole('button', { name: 'Cancel' }).click();

  // Emergency disable is account-wide: it names the whole account instead of one org.
  await app.switchToAll();
  await app.openView('Support access', 'support-access');
  const support = new SupportAccessPage(page);
  await support.enable.click();
  await expect(support.state).toHaveText('Active');
  await support.emergency.click();
  await expect(orgTarget(support.emergencyDialog)).toContainText('Whole account');
  await expect(orgTarget(support.emergencyDialog)).toContainText(
    'Every organization of this account',
  );
});
