// LOC-1 / UI-4: the time zone picker offers every current IANA zone, finds one by an old name
// (Europe/Kiev, Calcutta) and saves the current name, which the locations table then shows.
import { TIMEZONES } from '../../shared/timezones';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';
import { LocationsPage } from './pages/org-pages';

test('the picker lists every current zone and finds Europe/Kyiv and Asia/Kolkata by their old names', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);

  await locations.view.getByRole('button', { name: 'New location' }).click();
  await locations.editor.getByLabel('Name').fill('Kyiv office');
  const picker = locations.timezonePicker();

  // Opened empty, it offers every current zone: the table's, not what this browser's ICU lists.
  await picker.focus();
  await picker.press('ArrowDown');
  await expect(picker).toHaveAttribute('aria-expanded', 'true');
  await expect(locations.timezoneOptions()).toHaveCount(TIMEZONES.length);

  // Each of them is one this browser can tell the time in.
  const unknown = await page.evaluate((zones) => {
    return zones.filter((timeZone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone });
        return false;
      } catch {
        return true;
      }
    });
  }, TIMEZONES as string[]);
  expect(unknown).toEqual([]);

  // The old name finds the current one, and says why it matched.
  await picker.fill('Europe/Kiev');
  await expect(locations.timezoneOptions().first()).toHaveAccessibleName(
    /^Europe\/Kyiv, formerly Europe\/Kiev/,
  );
  await checkView(page, 'timezone-picker');
  await picker.press('ArrowDown');
  await picker.press('Enter');
  await expect(picker).toHaveValue('Europe/Kyiv');
  await expect(picker).toHaveAttribute('aria-expanded', 'false');
  await expect(locations.editor).toContainText(/Local time there: .+GMT\+[23]/);
  await locations.editor.getByRole('button', { name: 'Create location' }).click();
  await expect(locations.editor).toHaveCount(0);
  await expect(locations.row('Kyiv office')).toContainText('Europe/Kyiv');

  // A part of an old name, picked with the mouse; an alias typed and saved as is is mapped too.
  await locations.row('Kyiv office').getByRole('button', { name: 'Kyiv office' }).click();
  await picker.fill('Calcutta');
  await locations.timezoneOptions().filter({ hasText: 'Asia/Kolkata' }).click();
  await expect(picker).toHaveValue('Asia/Kolkata');
  await locations.editor.getByRole('button', { name: 'Save location' }).click();
  await expect(locations.editor).toHaveCount(0);
  await expect(locations.row('Kyiv office')).toContainText('Asia/Kolkata');
});
