// UI-1: the switcher's count says exactly what its list holds: how many orgs it shows of how
// many there are (or match), and how many of those are active or deactivated, by the same filter
// as the list (deactivated orgs are listed, tagged).
import { expect, test } from './fixtures';

test("the switcher's count matches what it shows, capped or not, searching or not", async ({
  page,
  world,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.openSwitcher();
  const orgOptions = app.switcher.getByRole('option').filter({ hasNotText: /^All organizations$/ });
  const status = app.switcher.getByRole('status');
  // Acme, Globex, Initech, Umbrella (deactivated) and the filler tenants; the list is capped.
  const total = 4 + world.seed.fillerCount;
  await expect(orgOptions).toHaveCount(20);
  await expect(status).toHaveText(
    `Showing 20 of ${total} organizations (${total - 1} active, 1 deactivated).`,
  );

  await page.keyboard.type('tenant');
  await expect(status).toHaveText(`Showing 20 of ${world.seed.fillerCount} matches (all active).`);
  await expect(orgOptions).toHaveCount(20);

  await app.switcherInput.fill('umbrella');
  await expect(status).toHaveText('1 organization matches (deactivated).');
  await expect(orgOptions).toHaveText([/^Umbrella Health.*deactivated/]);

  // Globex ("Logistics") and Umbrella Health: every match fits, one of them deactivated.
  await app.switcherInput.fill('l');
  await expect(status).toHaveText('2 organizations match (1 active, 1 deactivated).');
  await expect(orgOptions).toHaveCount(2);
});
