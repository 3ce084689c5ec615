// IDN-4 / RFC 8252: the desktop's single sign-on to a remote server, driven through the desktop's
// own procedures over the real IPC handler (as the console calls them), against a real Orgdesk
// server and a real OpenID provider (oidc-provider) on loopback. Replaced: the OS browser, by
// FakeSystemBrowser (the same URL check as main/electron/system-browser.ts, then Node's fetch
// following the redirects and filling the provider's login form), and the OS keychain.
// Untested here: Electron's shell.openExternal and a real browser opening the URL.
import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../../main/desktop/connections/connection-store';
import { PinnedSignerStore } from '../../main/desktop/export/pinned-signers';
import { createDesktopIpcHandler } from '../../main/desktop/ipc/desktop-ipc';
import { DesktopShell } from '../../main/desktop/desktop-shell';
import type { DesktopRouter } from '../../main/desktop/desktop.router';
import type { AppRouter } from '../../main/trpc/router';
import type { OrgdeskBridge } from '../../shared/ipc-channels';
import { createIpcLink } from '../../shared/ipc-link';
import { MIGRATIONS } from '../fixtures/export-world';
import { FakeKeychain } from '../fixtures/fake-keychain';
import { FakeSystemBrowser } from '../fixtures/fake-system-browser';
import { startIdp, type TestIdp } from '../fixtures/oidc-provider';
import { startServer, type TestServer } from '../fixtures/server';
import { createWorld, type World } from '../fixtures/world';

const WINDOW = 7;
let server: TestServer;
let idp: TestIdp;
let w: World;
let keychain: FakeKeychain;
let browser: FakeSystemBrowser;
let shell: DesktopShell;

beforeAll(async () => {
  // Real time: the desktop checks a token's expiry with the system clock.
  server = await startServer({ now: Date.now() });
  idp = await startIdp({
    redirectUris: [`${server.url}/api/v1/auth/oidc/callback`],
    users: [
      { sub: 'grace', email: 'grace@acme.test', groups: ['orgdesk-admins'] },
      { sub: 'mallory', email: 'mallory@evil.test', groups: ['orgdesk-admins'] },
    ],
  });
  await server.request('POST', '/api/v1/organizations', { body: { name: 'Remote Only Org' } });
  const put = await server.request('PUT', '/api/v1/account/sso', {
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
});
afterAll(async () => {
  await idp?.close();
  await server?.close();
});

function makeShell(opts: { ssoTimeoutMs?: number } = {}) {
  return new DesktopShell({
    services: w.services,
    operator: w.admin,
    dbFile: w.opened.file,
    migrationsFolder: MIGRATIONS,
    masterKey: () => readFileSync(join(w.dir, 'master.key'), 'utf8').trim(),
    connections: new ConnectionStore({ file: join(w.dir, 'connections.json'), vault: keychain }),
    signers: new PinnedSignerStore({ file: join(w.dir, 'pinned-signers.json') }),
    dialogs: { chooseExportTarget: async () => null, chooseExportToOpen: async () => null },
    browser,
    send: () => {},
    sourceLabel: 'desktop sso test',
    serverUrl: 'http://127.0.0.1:8787',
    ...opts,
  });
}

beforeEach(async () => {
  w = await createWorld();
  keychain = new FakeKeychain();
  browser = new FakeSystemBrowser('grace');
  shell = makeShell();
});
afterEach(() => {
  shell.dispose();
  void w.close();
});

const bridge = (s: DesktopShell): OrgdeskBridge => {
  const handler = createDesktopIpcHandler(s);
  return {
    trpc: {
      invoke: async (req) =>
        structuredClone(
          await handler(structuredClone(req), {
            frameUrl: 'orgdesk-app://app/index.html',
            isMainFrame: true,
            windowId: WINDOW,
          }),
        ),
    },
    onShellEvent: () => () => {},
  };
};
const desktopApi = (s = shell) =>
  createTRPCClient<DesktopRouter>({ links: [createIpcLink(() => bridge(s))] }).desktop.connections;
const appApi = () => createTRPCClient<AppRouter>({ links: [createIpcLink(() => bridge(shell))] });

async function failure(p: Promise<unknown>): Promise<TRPCClientError<DesktopRouter>> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCClientError);
  return e as TRPCClientError<DesktopRouter>;
}

const addRemote = (url = server.url) => desktopApi().add.mutate({ name: 'HQ server', url });
const connection = async (id: string) =>
  (await desktopApi().list.query()).connections.find((c) => c.id === id)!;

describe('IDN-4 desktop.connections.signInWithSso', () => {
  it('signs in through the system browser: the session lands in the vault, the connection works', async () => {
    const c = await addRemote();
    const signedIn = await desktopApi().signInWithSso.mutate({
      id: c.id,
      email: 'grace@acme.test',
    });
    // What the password sign-in answers: the connection, signed in, its token in the keychain.
    expect(signedIn).toMatchObject({
      id: c.id,
      signed_in: true,
      token_storage: 'keychain',
      email: 'grace@acme.test',
    });
    expect(keychain.encryptions).toBe(1);
    expect(readFileSync(join(w.dir, 'connections.json'), 'utf8')).not.toMatch(/odk_ses_/);
    // The browser was handed the server's own address only; it went on to the provider.
    expect(browser.calls).toHaveLength(1);
    expect(browser.calls[0]!.startsWith(`${server.url}/api/v1/auth/oidc/authorize?`)).toBe(true);
    expect(browser.visited.some((u) => new URL(u).origin === idp.issuer)).toBe(true);
    expect(browser.lastPage).toContain('You can close this window');
    // The connection is usable: the window's app calls now run on the server as grace.
    await desktopApi().use.mutate({ id: c.id });
    const me = await appApi().users.me.query();
    expect(me).toMatchObject({ email: 'grace@acme.test', roles: [{ role: 'account_admin' }] });
    const orgs = await appApi().organizations.list.query({});
    expect(orgs.items.map((o) => o.name)).toContain('Remote Only Org');
  });

  it('by account id, kept in memory only: the email shown is who the provider signed in', async () => {
    const c = await addRemote();
    const signedIn = await desktopApi().signInWithSso.mutate({
      id: c.id,
      account_id: server.accountId,
      remember: false,
    });
    expect(signedIn).toMatchObject({
      signed_in: true,
      token_storage: 'memory',
      email: 'grace@acme.test',
    });
    expect(keychain.encryptions).toBe(0);
  });

  it('a server answering with a foreign authorize URL: nothing is opened, and the error says why', async () => {
    // A hostile (or misconfigured) server: its start answers an address that is not its own.
    const answers = [
      'https://evil.test/api/v1/auth/oidc/authorize?to=x',
      `${idp.issuer}/auth?client_id=x`,
      'file:///etc/passwd',
      'smb://evil.test/share',
    ];
    let answer = '';
    const hostile: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          authorization_url: answer,
          browser_url: answer,
          expires_at: new Date(Date.now() + 600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
      const c = await addRemote(url);
      for (const a of answers) {
        answer = a;
        const refused = await failure(
          desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
        );
        expect(refused.data?.code).toBe('PRECONDITION_FAILED');
        expect(refused.message).toMatch(/^Nothing was opened in your browser: the server sent /);
      }
      expect(browser.calls).toEqual([]);
      expect(await connection(c.id)).toMatchObject({ signed_in: false });
    } finally {
      hostile.closeAllConnections();
      await new Promise((r) => hostile.close(r));
    }
  });

  it('cancel ends the wait with an error that says so', async () => {
    browser.login = null; // opens, and the person never comes back
    const c = await addRemote();
    const waiting = failure(
      desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
    );
    await browser.opened();
    expect(await desktopApi().cancelSso.mutate({ id: c.id })).toEqual({ cancelled: true });
    const e = await waiting;
    expect(e.data?.code).toBe('PRECONDITION_FAILED');
    expect(e.message).toBe('The single sign-on was cancelled; nothing was signed in');
    expect(await connection(c.id)).toMatchObject({ signed_in: false });
    // Nothing is waiting any more.
    expect(await desktopApi().cancelSso.mutate({ id: c.id })).toEqual({ cancelled: false });
  });

  it('a second attempt while one waits replaces it; the second signs in', async () => {
    browser.login = null;
    const c = await addRemote();
    const first = failure(
      desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
    );
    await browser.opened();
    browser.login = 'grace';
    const second = await desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' });
    expect(second).toMatchObject({ signed_in: true });
    const e = await first;
    expect(e.data?.code).toBe('CONFLICT');
    expect(e.message).toMatch(/replaced by a newer one/);
  });

  it('closing the window that started it ends the wait', async () => {
    browser.login = null;
    const c = await addRemote();
    const waiting = failure(
      desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
    );
    await browser.opened();
    shell.closeWindow(WINDOW);
    expect((await waiting).message).toBe(
      'The window that started this single sign-on was closed; nothing was signed in',
    );
  });

  it('a browser that never comes back times out, and the error says so', async () => {
    browser.login = null;
    const quick = makeShell({ ssoTimeoutMs: 50 });
    try {
      const c = await desktopApi(quick).add.mutate({ name: 'HQ server', url: server.url });
      const e = await failure(
        desktopApi(quick).signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
      );
      expect(e.data?.code).toBe('PRECONDITION_FAILED');
      expect(e.message).toBe('The browser did not come back within 0 s; sign in again');
    } finally {
      quick.dispose();
    }
  });

  it("the provider's refusal reaches the caller in plain words", async () => {
    browser.login = 'mallory';
    const c = await addRemote();
    const e = await failure(
      desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
    );
    expect(e.data?.code).toBe('UNAUTHORIZED');
    expect(e.message).toMatch(/mallory@evil\.test is outside this account's allowed domains/);
    expect(await connection(c.id)).toMatchObject({ signed_in: false });
  });

  it('refuses before any browser opens: bad input names its field, a keychain that is not real', async () => {
    const c = await addRemote();
    const noEmail = await failure(desktopApi().signInWithSso.mutate({ id: c.id }));
    expect(noEmail.data).toMatchObject({ code: 'BAD_REQUEST', field: 'email' });
    const badEmail = await failure(desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace' }));
    expect(badEmail.data).toMatchObject({ code: 'BAD_REQUEST', field: 'email' });
    const local = await failure(
      desktopApi().signInWithSso.mutate({ id: 'local', email: 'grace@acme.test' }),
    );
    expect(local.data?.code).toBe('NOT_FOUND');
    keychain.setBackend('basic_text');
    const insecure = await failure(
      desktopApi().signInWithSso.mutate({ id: c.id, email: 'grace@acme.test' }),
    );
    expect(insecure.data).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'remember' });
    expect(browser.calls).toEqual([]);
  });
});
