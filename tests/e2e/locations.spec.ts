// UI-4: subnets as validated chips (client check, then the server's message under the field),
// the zone's local time, and the "which location would this IP land in" tester.
import { expect, test } from './fixtures';
import { checkView } from './a11y-check';
import { LocationsPage } from './pages/org-pages';

test('a bad CIDR is flagged at the field, fixed, saved, and an IP then lands there', async ({
  page,
  signInAs,
}) => {
  // A technician: locations.manage on Acme, nothing account-wide.
  const app = await signInAs('technician');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);

  await locations.view.getByRole('button', { name: 'New location' }).click();
  await locations.editor.getByLabel('Name').fill('Warehouse');

  // Host bits set: refused on the client with the corrected network offered.
  const subnets = locations.subnetInput();
  await subnets.fill('10.3.2.1/16');
  await subnets.press('Enter');
  await expect(subnets).toHaveAttribute('aria-invalid', 'true');
  await expect(locations.subnetError()).toHaveText(
    '10.3.2.1/16 has host bits set: did you mean 10.3.0.0/16?',
  );
  await locations.editor.getByRole('button', { name: 'Use 10.3.0.0/16 instead' }).click();
  await subnets.press('Enter');
  await expect(
    locations.editor.getByRole('list', { name: 'Subnets' }).getByRole('listitem'),
  ).toHaveText([/10\.3\.0\.0\/16/]);
  await expect(subnets).not.toHaveAttribute('aria-invalid', 'true');

  // Valid on its own, but Headquarters already has it: the server's message, under the field,
  // and the offending chip (entry 1) marked.
  await subnets.fill('10.1.0.0/16');
  await subnets.press('Enter');
  await locations.editor.getByLabel('Time zone').fill('Asia/Tokyo');
  await expect(locations.editor).toContainText(/Local time there: .+GMT\+9/);
  await locations.editor.getByRole('button', { name: 'Create location' }).click();
  await expect(locations.subnetError()).toHaveText(
    /10\.1\.0\.0\/16 is already a subnet of location "Headquarters"/,
  );
  await expect(locations.editor.locator('.chip-invalid')).toHaveText(/10\.1\.0\.0\/16/);

  await locations.editor.getByRole('button', { name: 'Remove 10.1.0.0/16' }).click();
  await expect(locations.subnetError()).toHaveCount(0);
  await locations.editor.getByRole('button', { name: 'Create location' }).click();
  await expect(locations.editor).toHaveCount(0);
  await expect(locations.row('Warehouse')).toContainText('10.3.0.0/16');
  await expect(locations.row('Warehouse')).toContainText('Asia/Tokyo');

  // The tester answers with the same assignment agents get.
  await expect(await locations.testIp('10.3.200.7')).toHaveText(
    /10\.3\.200\.7 lands in Warehouse \(matched 10\.3\.0\.0\/16/,
  );
  await expect(await locations.testIp('10.1.2.3')).toHaveText(/lands in Headquarters/);
  await expect(await locations.testIp('192.0.2.1')).toHaveText(
    /lands in Default \(no subnet matched/,
  );
  await locations.testIp('10.3.2');
  await expect(locations.tester.getByLabel('IP address')).toHaveAccessibleDescription(
    /is not an IPv4 or IPv6 address/,
  );
});

test('LOC-4: deleting a location previews where its hosts go (with the org colour), then says where they went', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await app.switchTo('Acme Corp');
  await app.openView('Locations', 'locations');
  const locations = new LocationsPage(page);

  // A wider network elsewhere: Headquarters' hosts resolve to it once Headquarters is gone.
  await locations.view.getByRole('button', { name: 'New location' }).click();
  await locations.editor.getByLabel('Name').fill('Campus');
  await locations.subnetInput().fill('10.0.0.0/8');
  await locations.subnetInput().press('Enter');
  await locations.editor.getByRole('button', { name: 'Create location' }).click();
  await expect(locations.row('Campus')).toBeVisible();

  await locations.row('Headquarters').getByRole('button', { name: 'Headquarters' }).click();
  await locations.editor.getByRole('button', { name: 'Delete…' }).click();
  const dialog = locations.deleteDialog('Headquarters');
  await expect(dialog.getByTestId('org-target')).toContainText('Acme Corp');
  const preview = dialog.getByRole('list', { name: 'Where its hosts go' });
  await expect(preview.getByRole('listitem')).toHaveText(['3 hosts to Campus']);
  await expect(locations.row('Headquarters')).toBeVisible(); // nothing deleted yet
  await checkView(page, 'location delete preview');

  await dialog.getByRole('button', { name: 'Delete location' }).click();
  await expect(app.toast('Deleted Headquarters. 3 hosts moved: 3 to Campus.')).toBeVisible();
  await expect(locations.row('Headquarters')).toHaveCount(0);
  await expect(locations.row('Campus')).toContainText('3');
});
