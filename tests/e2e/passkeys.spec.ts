// IDN-2 in Chromium with a CDP virtual authenticator (no mock of ours): add a passkey from the
// Security view, sign in with password and passkey, then, in a session without a second factor
// (an API token's), remove it: the step-up dialog asks in place and "Use a passkey" answers it.
// The page is on localhost: 127.0.0.1 is no valid RP ID, and the server maps its loopback
// address to localhost (main/features/passkeys/webauthn.ts).
import { expect, test } from './fixtures';

test.use({ baseURL: async ({ world }, use) => use(world.url.replace('127.0.0.1', 'localhost')) });

test('add a passkey, sign in with it, step up with it to remove it', async ({
  page,
  world,
  signIn,
  signInAs,
}) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });

  const app = await signInAs('admin');
  let view = await app.openView('Security', 'security');
  await view.getByLabel('Passkey name').fill('Work laptop');
  await view.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(view.locator('[data-passkeys="1"]')).toContainText('Work laptop');
  await expect(view.locator('[data-passkeys="1"]')).toContainText('Never');

  // Sign-in now offers the passkey as its second step.
  await app.signOut();
  await signIn.withPassword(world.seed.admin.email, world.seed.admin.password);
  const step = page.locator('[data-step="second-factor"]');
  await step.getByRole('button', { name: 'Use a passkey' }).click();
  await app.waitForShell();
  view = await app.openView('Security', 'security');
  await expect(view.locator('[data-passkeys="1"]')).not.toContainText('Never');

  // A session with no second factor of its own (an API token's) must step up to remove it.
  await app.signOut();
  await page.getByRole('button', { name: 'Sign in with an API token instead' }).click();
  await page.getByLabel('API token').fill(world.seed.adminToken);
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await app.waitForShell();
  view = await app.openView('Security', 'security');
  await view.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(view.locator('[data-passkeys="0"]')).toBeVisible();
});
