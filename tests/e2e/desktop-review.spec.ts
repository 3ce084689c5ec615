// The console's desktop-only parts (UI-8 connections, EXP export / read-only review) in real
// Chromium, against the REAL desktop IPC entry (createDesktopIpcHandler + DesktopShell + the app
// router + the export worker) running in this test process on a real temp database.
//
// What is replaced: only the Electron preload (preload/index.ts needs Electron's contextBridge and
// ipcRenderer, which cannot run here). Its stand-in below exposes the same `window.orgdesk`
// shape (trpc.invoke + onShellEvent) through page.exposeFunction, and hands each message to the
// handler with the sender facts Electron would give (the app's frame URL, main frame, window id).
// The OS file dialogs are answered by the test, as in tests/electron/desktop-shell.test.ts.
// The page itself is the built console (dist/renderer), served by the fixtures' real server.
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionStore } from '../../main/desktop/connections/connection-store';
import { PinnedSignerStore } from '../../main/desktop/export/pinned-signers';
import { createDesktopIpcHandler } from '../../main/desktop/ipc/desktop-ipc';
import { DesktopShell } from '../../main/desktop/desktop-shell';
import type { IpcHandler } from '../../main/desktop/ipc/ipc-handler';
import type { IpcResponse, OrgdeskBridge, ShellEvent } from '../../shared/ipc-channels';
import { createExportWorld, MIGRATIONS, type ExportWorld } from '../fixtures/export-world';
import { FakeKeychain } from '../fixtures/fake-keychain';
import { FakeSystemBrowser } from '../fixtures/fake-system-browser';
import { startIdp } from '../fixtures/oidc-provider';
import { startServer } from '../fixtures/server';
import type { ConsolePage } from './pages/console-page';
import { checkView } from './a11y-check';
import { expect, test } from './fixtures';

const WINDOW = 1;
/** What Electron reports as the frame URL of the app's own page (main/desktop/shell/app-protocol.ts). */
const APP_FRAME_URL = 'orgdesk-app://app/index.html';
/** Export and verify run on a worker thread that loads TypeScript through tsx: slow on a busy machine. */
const JOB_TIMEOUT = 30_000;

interface Desktop {
  x: ExportWorld;
  shell: DesktopShell;
  handler: IpcHandler;
  /** Paths the next OS file dialogs answer, in order; empty = the user cancels. */
  dialogAnswers: string[];
  events: ShellEvent[];
  /** The events the page's listeners have been handed, in order (after page.evaluate returned). */
  delivered: ShellEvent[];
  /**
   * While set, the page's `users.me` waits for it: the console stays on its boot splash after a
   * session change (shell.tsx resets every query), as on a slow machine, with nothing mounted.
   */
  holdMe: Promise<void> | null;
}

declare global {
  interface Window {
    __orgdeskInvoke?: (req: unknown) => Promise<IpcResponse>;
    __orgdeskEmit?: (event: ShellEvent) => void;
  }
}

/** The stand-in for the preload: the same two functions, nothing else. Runs in the page. */
function installBridge() {
  const listeners = new Set<(event: ShellEvent) => void>();
  window.__orgdeskEmit = (event) => listeners.forEach((l) => l(event));
  const bridge: OrgdeskBridge = {
    trpc: { invoke: (req) => window.__orgdeskInvoke!(req) },
    onShellEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  (window as unknown as { orgdesk: OrgdeskBridge }).orgdesk = Object.freeze(bridge);
}

async function startDesktop(
  page: Page,
  keychain = new FakeKeychain(),
  browser = new FakeSystemBrowser(),
): Promise<Desktop> {
  const x = await createExportWorld();
  const dialogAnswers: string[] = [];
  const events: ShellEvent[] = [];
  const delivered: ShellEvent[] = [];
  const d = { holdMe: null as Promise<void> | null };
  const shell = new DesktopShell({
    services: x.w.services,
    operator: x.w.admin,
    dbFile: x.w.opened.file,
    migrationsFolder: MIGRATIONS,
    masterKey: () => readFileSync(join(x.w.dir, 'master.key'), 'utf8').trim(),
    connections: new ConnectionStore({ file: join(x.w.dir, 'connections.json'), vault: keychain }),
    signers: new PinnedSignerStore({ file: join(x.w.dir, 'pinned-signers.json') }),
    dialogs: {
      chooseExportTarget: async () => dialogAnswers.shift() ?? null,
      chooseExportToOpen: async () => dialogAnswers.shift() ?? null,
    },
    browser,
    // webContents.send in Electron; here the page's listeners, called in the page.
    send: (windowId, event) => {
      if (windowId !== WINDOW) return;
      events.push(event);
      void page
        .evaluate((e) => window.__orgdeskEmit?.(e), event)
        .then(() => delivered.push(event))
        .catch(() => {});
    },
    sourceLabel: 'desktop e2e',
    serverUrl: 'http://127.0.0.1:8787',
  });
  const handler = createDesktopIpcHandler(shell);
  // Structured clone both ways, as Electron's IPC does.
  await page.exposeFunction('__orgdeskInvoke', async (req: unknown) => {
    if (d.holdMe && (req as { path?: unknown }).path === 'users.me') await d.holdMe;
    return structuredClone(
      await handler(structuredClone(req), {
        frameUrl: APP_FRAME_URL,
        isMainFrame: true,
        windowId: WINDOW,
      }),
    );
  });
  await page.addInitScript(installBridge);
  return Object.assign(d, { x, shell, handler, dialogAnswers, events, delivered });
}

// axe takes seconds per scan on two cores, and each view is scanned twice.
test.describe.configure({ timeout: 120_000 });

let desktop: Desktop | null = null;
test.afterEach(() => {
  desktop?.shell.dispose();
  void desktop?.x.w.close();
  desktop = null;
});

/** Exports Acme through the Export screen, with the progress and the result shown. */
async function exportAcme(page: Page, app: ConsolePage, d: Desktop): Promise<string> {
  const file = d.x.file('acme.orgdesk-export');
  const view = await app.openView('Export and review', 'exports');
  d.dialogAnswers.push(file);
  await view.getByRole('button', { name: 'Export…', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByLabel('What to export').selectOption({ label: 'Acme' });
  await dialog.getByRole('button', { name: 'Export…', exact: true }).click();
  const panel = page.getByTestId('job-panel');
  await expect(panel.getByRole('status').filter({ hasText: 'Exported to' })).toContainText(
    'acme.orgdesk-export',
    { timeout: JOB_TIMEOUT },
  );
  // The worker's last progress event: a bar at its end, with the label of the job.
  const bar = panel.getByRole('progressbar', { name: 'Exporting Acme' });
  const max = await bar.getAttribute('aria-valuemax');
  expect(Number(max)).toBeGreaterThan(0);
  await expect(bar).toHaveAttribute('aria-valuenow', max!);
  // Counts from the manifest: Acme's three hosts.
  await expect(panel.locator('.job-counts')).toContainText(/hosts\s*3/);
  expect(d.events.some((e) => e.type === 'progress' && !e.finished)).toBe(true);
  await panel.getByRole('button', { name: 'Dismiss' }).click();
  return file;
}

test('an opened export is a read-only review: banner, disabled mutations, server refusal', async ({
  page,
  app,
}) => {
  const d = (desktop = await startDesktop(page));
  await page.goto('/');
  await app.waitForShell();
  // Inside the desktop shell: local database, no sign-in, the desktop screens in the sidebar.
  await expect(app.sidebar.getByRole('link', { name: 'Connections' })).toBeVisible();
  const newOrg = page.getByRole('button', { name: /New organization/ });
  await expect(newOrg).toBeEnabled();

  const file = await exportAcme(page, app, d);
  await checkView(page, 'exports');

  // Open it for review from the menu (a shell event), as File › Open export… does.
  d.dialogAnswers.push(file);
  await page.evaluate(() => window.__orgdeskEmit?.({ type: 'menu', command: 'open-export' }));
  const banner = page.getByRole('region', { name: 'Read-only review' });
  await expect(banner).toContainText(
    /Read-only review of the export of Acme \(exported .* by .*\) — changes are disabled/,
    { timeout: JOB_TIMEOUT },
  );
  await expect(page.getByTestId('job-panel')).toContainText('Opened the export of Acme');
  // EXP-1: the banner says who signed: this installation, so trusted.
  const signer = banner.getByTestId('review-signer');
  await expect(signer).toHaveAttribute('data-trust', 'own');
  await expect(signer).toContainText('Signed by this installation');
  await expect(signer).toContainText(d.x.w.services.infra.signer.key().fingerprint);
  await expect(
    page
      .getByTestId('job-panel')
      .getByRole('progressbar', { name: 'Verifying acme.orgdesk-export' }),
  ).toBeVisible();

  // The same views browse the export: only Acme is in it.
  const orgs = await app.openView('Organizations', 'organizations');
  await expect(orgs.getByRole('link', { name: 'Acme' }).first()).toBeVisible();
  await expect(orgs.getByText('Globex')).toHaveCount(0);
  // Mutation controls are disabled, with the review as the reason.
  const reason = 'Changes are disabled: this window shows a read-only review of an export.';
  await expect(newOrg).toBeDisabled();
  await expect(newOrg).toHaveAccessibleDescription(reason);
  // A GuardedButton no permission check disables: the shared component alone does it here,
  // while a button marked as only reading (opening another export) stays usable.
  const exportsView = await app.openView('Export and review', 'exports');
  const restore = exportsView.getByRole('button', { name: 'Restore from export…' });
  await expect(restore).toBeDisabled();
  await expect(restore).toHaveAccessibleDescription(reason);
  await expect(exportsView.getByRole('button', { name: 'Open export…' })).toBeEnabled();
  // The export key to give to reviewers is shown there, with its fingerprint.
  await expect(exportsView.getByTestId('own-fingerprint')).toHaveText(
    d.x.w.services.infra.signer.key().fingerprint,
  );
  // UI-9: the desktop's own screen, in review (banner, signer, disabled controls), light and dark.
  await checkView(page, 'exports-review');
  await app.switchTo('Acme');
  // Plain buttons disabled through denyReason (the secret panel of the overview).
  const regenerate = app.view('overview').getByRole('button', { name: 'Regenerate secret…' });
  await expect(regenerate).toBeDisabled();
  await expect(regenerate).toHaveAccessibleDescription(reason);
  const locations = await app.openView('Locations', 'locations');
  const newLocation = locations.getByRole('button', { name: 'New location' });
  await expect(newLocation).toBeDisabled();
  await expect(newLocation).toHaveAccessibleDescription(reason);
  const settings = await app.openView('Settings', 'settings');
  for (const button of await settings.getByRole('button', { name: /Deactivate|Delete/ }).all()) {
    await expect(button).toBeDisabled();
  }
  // The banner stays in every view.
  await expect(banner).toBeVisible();

  // A mutation sent anyway (past the disabled controls) is refused by main, in its words.
  const refused = await page.evaluate(() =>
    (window as unknown as { orgdesk: OrgdeskBridge }).orgdesk.trpc.invoke({
      id: 1,
      type: 'mutation',
      path: 'organizations.create',
      input: { name: 'Sneaky' },
    }),
  );
  expect(refused).toMatchObject({
    error: { message: expect.stringMatching(/read-only review of the export of Acme/) },
  });
  expect(
    (await d.x.w.services.organizations.list(d.x.w.admin, {})).items.map((o) => o.name),
  ).toEqual(['Acme', 'Globex']);

  // Closing the review returns to the local database, with every control usable again.
  await banner.getByRole('button', { name: 'Close review' }).click();
  await expect(banner).toBeHidden();
  await app.waitForShell();
  await expect(page.getByRole('button', { name: /New organization/ })).toBeEnabled();
  await expect(
    app.view('organizations').getByRole('link', { name: 'Globex' }).first(),
  ).toBeVisible();
});

test('a review shows at once while its checksum is read, and closes if the content does not match', async ({
  page,
  app,
}) => {
  const d = (desktop = await startDesktop(page));
  await page.goto('/');
  await app.waitForShell();
  const file = await exportAcme(page, app, d);

  // EXP-2: the banner says the signature is verified and, until the worker is done, that the
  // content is being checked; then that both are verified.
  d.dialogAnswers.push(file);
  await page.evaluate(() => window.__orgdeskEmit?.({ type: 'menu', command: 'open-export' }));
  const banner = page.getByRole('region', { name: 'Read-only review' });
  await expect(banner.getByTestId('review-check')).toContainText(
    'Signature and checksum verified',
    { timeout: JOB_TIMEOUT },
  );
  expect(d.events.filter((e) => e.type === 'session-changed').length).toBeGreaterThanOrEqual(2);
  await banner.getByRole('button', { name: 'Close review' }).click();
  await expect(banner).toBeHidden();

  // A row changed after the export, its signed manifest left as it was: the review is closed
  // as soon as the checksum says so, and the job panel says why.
  const db = new Database(file);
  db.prepare("UPDATE locations SET name = 'Elsewhere' WHERE name = 'HQ'").run();
  db.close();
  d.dialogAnswers.push(file);
  await page.evaluate(() => window.__orgdeskEmit?.({ type: 'menu', command: 'open-export' }));
  await expect(page.getByTestId('job-panel')).toContainText(/changed after it was exported/, {
    timeout: JOB_TIMEOUT,
  });
  await expect(banner).toBeHidden();
  await app.waitForShell();
  await expect(page.getByRole('button', { name: /New organization/ })).toBeEnabled();
});

test('a refused review says why even when the refusal arrives while the console reloads', async ({
  page,
  app,
}) => {
  const d = (desktop = await startDesktop(page));
  await page.goto('/');
  await app.waitForShell();
  const file = await exportAcme(page, app, d);
  const db = new Database(file);
  db.prepare("UPDATE locations SET name = 'Elsewhere' WHERE name = 'HQ'").run();
  db.close();

  // The review's session change reloads the whole console (every query reset, `users.me`
  // included); held here, so the worker's refusal reaches the page while nothing of the console
  // is mounted, as it may on a busy machine. Its reason must still reach the job panel.
  let release!: () => void;
  d.holdMe = new Promise<void>((resolve) => (release = resolve));
  d.dialogAnswers.push(file);
  await page.evaluate(() => window.__orgdeskEmit?.({ type: 'menu', command: 'open-export' }));
  await expect
    .poll(() => d.delivered.some((e) => e.type === 'review-refused'), { timeout: JOB_TIMEOUT })
    .toBe(true);
  // The scenario holds: the console was still on its boot splash when the refusal arrived.
  await expect(page.locator('[data-view="boot"][data-state="loading"]')).toBeVisible();
  release();
  d.holdMe = null;
  await app.waitForShell();
  await expect(page.getByTestId('job-panel')).toContainText(/changed after it was exported/);
  await expect(page.getByRole('region', { name: 'Read-only review' })).toBeHidden();
});

test('remembering a sign-in where the keychain is not secure is refused next to the field', async ({
  page,
  app,
}) => {
  desktop = await startDesktop(page, new FakeKeychain('basic_text'));
  await page.goto('/');
  await app.waitForShell();
  const view = await app.openView('Connections', 'connections');
  await expect(view.getByRole('note')).toContainText('not secure');
  await checkView(page, 'connections');
  await view.getByRole('button', { name: 'Add server' }).click();
  const form = view.getByRole('form', { name: 'Add a server' });
  await form.getByLabel('Name').fill('Staging');
  // Port 9 (discard): the refusal must come before any network call.
  await form.getByLabel('Server URL').fill('http://127.0.0.1:9');
  await form.getByLabel('Email').fill('admin@example.test');
  await form.getByLabel('Password').fill('correct horse battery staple');
  const remember = form.getByLabel('Remember this sign-in');
  await expect(remember).not.toBeChecked();
  await remember.check();
  await form.getByRole('button', { name: 'Add and sign in' }).click();
  await expect(remember).toHaveAccessibleDescription(
    /will not store the sign-in token on this computer/,
  );
  // The server was added, not signed in; it is listed with that state.
  await expect(view.getByRole('listitem', { name: 'Staging' })).toContainText('Not signed in');
});

test('IDN-4: single sign-on from the Connections screen: waiting, cancel, the error, then signed in', async ({
  page,
  app,
}) => {
  // A remote Orgdesk server with SSO through a real OpenID provider; the OS browser is the fake
  // (fixtures/fake-system-browser.ts): Node's fetch through the server and the provider's pages.
  const remote = await startServer({ now: Date.now() });
  const idp = await startIdp({
    redirectUris: [`${remote.url}/api/v1/auth/oidc/callback`],
    users: [
      { sub: 'grace', email: 'grace@acme.test', groups: ['orgdesk-admins'] },
      { sub: 'mallory', email: 'mallory@evil.test', groups: ['orgdesk-admins'] },
    ],
  });
  try {
    const put = await remote.request('PUT', '/api/v1/account/sso', {
      body: {
        issuer: idp.issuer,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        allowed_domains: ['acme.test'],
        extra_scopes: 'groups',
        group_mappings: [{ group: 'orgdesk-admins', role: 'account_admin' }],
        enabled: true,
      },
    });
    expect(put.status, put.text).toBe(200);
    const browser = new FakeSystemBrowser(null); // first: a person who never comes back
    desktop = await startDesktop(page, new FakeKeychain(), browser);
    await page.goto('/');
    await app.waitForShell();
    const view = await app.openView('Connections', 'connections');
    await view.getByRole('button', { name: 'Add server' }).click();
    const form = view.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Name').fill('HQ');
    await form.getByLabel('Server URL').fill(remote.url);
    await form.getByLabel('Email').fill('grace@acme.test');
    await form.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    // Waiting: the form says where to continue, and offers to cancel.
    const waiting = form.getByRole('status', { name: 'Single sign-on' });
    await expect(waiting).toContainText('Continue in your browser…');
    await browser.opened(1);
    await waiting.getByRole('button', { name: 'Cancel single sign-on' }).click();
    await expect(waiting).toBeHidden();
    await expect(form.getByRole('alert')).toHaveCount(0);
    // The provider refusing: its reason, in the form.
    browser.login = 'mallory';
    await form.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await expect(form.getByRole('alert')).toContainText(
      "mallory@evil.test is outside this account's allowed domains",
    );
    // Then signed in: the form closes and the connection says who.
    browser.login = 'grace';
    await form.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await expect(form).toBeHidden();
    await expect(view.getByRole('listitem', { name: 'HQ' })).toContainText(
      'Signed in as grace@acme.test · token kept in the OS keychain',
    );
    // Only the server's own sign-in address was ever handed to the browser.
    expect(browser.calls).toHaveLength(3);
    for (const url of browser.calls) {
      expect(url.startsWith(`${remote.url}/api/v1/auth/oidc/authorize?`)).toBe(true);
    }
  } finally {
    await idp.close();
    await remote.close();
  }
});

test('UI-10 inside the desktop: the place is after the "#", and a reload keeps it', async ({
  page,
  app,
}) => {
  desktop = await startDesktop(page);
  await page.goto('/index.html');
  await app.waitForShell();
  // The app protocol is only ever asked for index.html: the place is the hash (shell/router.ts).
  const where = () => new URL(page.url());
  await expect.poll(() => where().hash).toBe('#/organizations');
  expect(where().pathname).toBe('/index.html');
  await app.switchTo('Acme');
  await app.openView('Hosts', 'hosts');
  const acme = (await desktop.x.w.services.organizations.list(desktop.x.w.admin, {})).items.find(
    (o) => o.name === 'Acme',
  )!.id;
  await expect.poll(() => where().hash).toBe(`#/org/${acme}/hosts`);
  await app.sidebar.getByRole('link', { name: 'Locations', exact: true }).click();
  await expect(app.view('locations')).toBeVisible();
  await page.goBack();
  await expect(app.view('hosts')).toBeVisible();
  await page.reload();
  await app.waitForShell();
  await expect(app.view('hosts')).toBeVisible();
  await expect(app.currentOrgName).toHaveText('Acme');
  expect(where().pathname).toBe('/index.html');
});
