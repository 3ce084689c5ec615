// INT-3 console: the bell in the title bar counts an account admin's unread notifications and
// opens their list, where one or all are marked read. The events are made through the REST API,
// behind the console's back, as another admin or a script would.
import { Api } from './api';
import { expect, test as base } from './fixtures';

const test = base.extend<{ api: Api }>({
  api: async ({ request, world }, use) => use(new Api(request, world.url, world.seed.adminToken)),
});

test('the bell counts support access events; the list marks one, then all, read', async ({
  page,
  signInAs,
  api,
}) => {
  await signInAs('admin');
  const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');

  await api.call('POST', '/support-access/enable', { duration_hours: 2, reason: 'vendor call' });
  // Polled: the console notices by itself, or when the bell is opened.
  await bell.click();
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  await expect(panel.getByText('Support access enabled')).toBeVisible();
  await expect(panel.getByText(/enabled support access to your account until/)).toBeVisible();
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');

  await panel.getByRole('button', { name: 'Mark read: Support access enabled' }).click();
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');
  await expect(panel.getByRole('button', { name: /^Mark read:/ })).toHaveCount(0);

  await api.call('POST', '/support-access/disable', {});
  await api.call('POST', '/support-access/emergency-disable', { reason: 'drill' });
  await bell.click();
  await bell.click();
  await expect(panel.getByText('Emergency disable of support access')).toBeVisible();
  await expect(bell).toHaveAccessibleName('Notifications, 2 unread');
  await panel.getByRole('button', { name: 'Mark all read' }).click();
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');
});

test('a reader is told nothing: the bell stays at zero', async ({ page, signInAs, api }) => {
  await api.call('POST', '/support-access/enable', { duration_hours: 1 });
  await signInAs('reader');
  await expect(page.getByRole('button', { name: /^Notifications, / })).toHaveAccessibleName(
    'Notifications, 0 unread',
  );
});
