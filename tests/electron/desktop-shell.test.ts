// The desktop shell over IPC, under Node: the one IPC handler main/electron installs, with the
// real routers, services, worker and a real remote server. Only Electron's own parts (the file
// dialogs and the channel to the window) are replaced, by the two small fakes below.
import Database from 'better-sqlite3';
import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../../main/desktop/connections/connection-store';
import { PinnedSignerStore } from '../../main/desktop/export/pinned-signers';
import { createDesktopIpcHandler } from '../../main/desktop/ipc/desktop-ipc';
import { DesktopShell, type ShellDialogs } from '../../main/desktop/desktop-shell';
import type { DesktopRouter } from '../../main/desktop/desktop.router';
import { ensureLocalOperator, LOCAL_OPERATOR_EMAIL } from '../../main/desktop/local-operator';
import type { IpcHandler } from '../../main/desktop/ipc/ipc-handler';
import type { AppRouter } from '../../main/trpc/router';
import type { OrgdeskBridge, ShellEvent } from '../../shared/ipc-channels';
import { createIpcLink } from '../../shared/ipc-link';
import { createExportWorld, MIGRATIONS, type ExportWorld } from '../fixtures/export-world';
import { FakeKeychain } from '../fixtures/fake-keychain';
import { FakeSystemBrowser } from '../fixtures/fake-system-browser';
import { startRemoteServer } from '../fixtures/remote-server';
import { createWorld, type World } from '../fixtures/world';

const WINDOW = 7;
let x: ExportWorld;
let shell: DesktopShell;
let handler: IpcHandler;
let events: ShellEvent[];
let dialogAnswers: (string | null)[];
let keychain: FakeKeychain;

beforeEach(async () => {
  x = await createExportWorld();
  events = [];
  dialogAnswers = [];
  keychain = new FakeKeychain();
  const dialogs: ShellDialogs = {
    chooseExportTarget: async () => dialogAnswers.shift() ?? null,
    chooseExportToOpen: async () => dialogAnswers.shift() ?? null,
  };
  shell = new DesktopShell({
    services: x.w.services,
    operator: x.w.admin,
    dbFile: x.w.opened.file,
    migrationsFolder: MIGRATIONS,
    masterKey: () => readFileSync(join(x.w.dir, 'master.key'), 'utf8').trim(),
    connections: new ConnectionStore({ file: join(x.w.dir, 'connections.json'), vault: keychain }),
    signers: new PinnedSignerStore({ file: join(x.w.dir, 'pinned-signers.json') }),
    dialogs,
    browser: new FakeSystemBrowser(),
    send: (windowId, event) => {
      if (windowId === WINDOW) events.push(event);
    },
    sourceLabel: 'desktop test',
    serverUrl: 'http://127.0.0.1:8787',
  });
  handler = createDesktopIpcHandler(shell);
});
afterEach(() => {
  shell.dispose();
  void x.w.close();
});

const bridge = (windowId = WINDOW, frameUrl = 'orgdesk-app://app/index.html'): OrgdeskBridge => ({
  trpc: {
    invoke: async (req) =>
      structuredClone(
        await handler(structuredClone(req), { frameUrl, isMainFrame: true, windowId }),
      ),
  },
  onShellEvent: () => () => {},
});
const appApi = (windowId = WINDOW) =>
  createTRPCClient<AppRouter>({ links: [createIpcLink(() => bridge(windowId))] });
const desktopApi = (windowId = WINDOW, frameUrl?: string) =>
  createTRPCClient<DesktopRouter>({ links: [createIpcLink(() => bridge(windowId, frameUrl))] });

async function failure(p: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCClientError);
  return e as TRPCClientError<AppRouter>;
}

/** Waits (without a timed assertion: the test's own timeout bounds it) for an event to arrive. */
async function eventWhere(pred: (e: ShellEvent) => boolean): Promise<ShellEvent> {
  for (;;) {
    const found = events.find(pred);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('desktop shell over IPC', () => {
  it('starts on the local database', async () => {
    expect(await desktopApi().desktop.session.query()).toMatchObject({
      mode: 'local',
      read_only: false,
    });
    const orgs = await appApi().organizations.list.query({});
    expect(orgs.items.map((o) => o.name)).toEqual(['Acme', 'Globex']);
  });

  it('exports on a worker thread, with progress events to the window', async () => {
    dialogAnswers.push(x.file('from-menu.orgdesk-export'));
    const result = await desktopApi().desktop.exports.create.mutate({
      scope: 'organization',
      organization_id: x.acme.id,
    });
    expect(result?.manifest).toMatchObject({
      source: 'desktop test',
      organizations: [{ name: 'Acme' }],
    });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(3);
    expect(progress[0]).toMatchObject({ label: 'Exporting Acme', finished: false });
    expect(progress.at(-1)).toMatchObject({ phase: 'done', finished: true });
    // Cancelled dialog: nothing happens.
    expect(await desktopApi().desktop.exports.create.mutate({ scope: 'account' })).toBeNull();
  });

  it('an opened export is a read-only review: mutations refused, the label says what it is', async () => {
    dialogAnswers.push(x.file('review.orgdesk-export'));
    await desktopApi().desktop.exports.create.mutate({
      scope: 'organization',
      organization_id: x.acme.id,
    });
    dialogAnswers.push(x.file('review.orgdesk-export'));
    const session = await desktopApi().desktop.exports.openReview.mutate();
    expect(session).toMatchObject({ mode: 'review', read_only: true });
    expect(session?.label).toMatch(/^Read-only review of the export of Acme/);
    // Its checksum was verified on the worker, with progress shown.
    await eventWhere((e) => e.type === 'progress' && e.finished && e.label.startsWith('Verifying'));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'progress',
        label: 'Verifying review.orgdesk-export',
        finished: true,
      }),
    );
    expect(events).toContainEqual({ type: 'session-changed' });
    // The same views read the export...
    const orgs = await appApi().organizations.list.query({});
    expect(orgs.items.map((o) => o.name)).toEqual(['Acme']);
    // ...and no change goes through, whatever the procedure.
    for (const call of [
      () => appApi().organizations.create.mutate({ name: 'New' }),
      () => appApi().organizations.update.mutate({ id: x.acme.id, patch: { name: 'Renamed' } }),
      () => appApi().organizations.revealSecret.mutate({ id: x.acme.id }),
      () => appApi().locations.delete.mutate({ id: x.acme.locationId }),
      () => appApi().auth.login.mutate({ email: 'a@b.c', password: 'x' }),
    ]) {
      const err = await failure(call());
      expect(err.data?.code).toBe('FORBIDDEN');
      expect(err.message).toMatch(/read-only review of the export of Acme .*changes are disabled/);
    }
    // Another window is not affected: it still works on the local database.
    expect((await appApi(8).organizations.list.query({})).items).toHaveLength(2);
    // Export and restore need the local database.
    const refused = await failure(desktopApi().desktop.exports.create.mutate({ scope: 'account' }));
    expect(refused.message).toMatch(/switch this window to "This computer"/);
    // Closing the review returns to the local database.
    expect(await desktopApi().desktop.exports.closeReview.mutate()).toMatchObject({
      mode: 'local',
    });
    await appApi().organizations.create.mutate({ name: 'After review' });
  });

  it('a review opens on its verified signature while the worker reads the checksum, then says it is verified', async () => {
    dialogAnswers.push(x.file('early.orgdesk-export'));
    await desktopApi().desktop.exports.create.mutate({
      scope: 'organization',
      organization_id: x.acme.id,
    });
    events.length = 0;
    dialogAnswers.push(x.file('early.orgdesk-export'));
    // EXP-2: answered before the checksum (which reads every row) is known: the first page of
    // a large export shows without waiting for the whole file to be read.
    const opened = await desktopApi().desktop.exports.openReview.mutate();
    expect(opened).toMatchObject({ mode: 'review', content_check: 'checking' });
    expect(opened?.signer).toMatchObject({ trust: 'own', trusted: true });
    expect((await appApi().organizations.list.query({})).items.map((o) => o.name)).toEqual([
      'Acme',
    ]);
    await eventWhere((e) => e.type === 'progress' && e.finished && e.label.startsWith('Verifying'));
    await expect
      .poll(async () => (await desktopApi().desktop.session.query()).content_check)
      .toBe('verified');
    expect(events.filter((e) => e.type === 'review-refused')).toEqual([]);
  });

  it('a review whose content fails its checksum is closed the moment the worker says so, with why', async () => {
    const file = x.file('changed.orgdesk-export');
    dialogAnswers.push(file);
    await desktopApi().desktop.exports.create.mutate({
      scope: 'organization',
      organization_id: x.acme.id,
    });
    // A row changed after the export, the signed manifest left as it was.
    const db = new Database(file);
    db.prepare("UPDATE locations SET name = 'Elsewhere' WHERE name = 'HQ'").run();
    db.close();
    events.length = 0;
    dialogAnswers.push(file);
    const opened = await desktopApi().desktop.exports.openReview.mutate();
    expect(opened).toMatchObject({ mode: 'review', content_check: 'checking' });
    const refused = await eventWhere((e) => e.type === 'review-refused');
    expect(refused).toMatchObject({
      message: expect.stringMatching(/changed after it was exported .*cannot be trusted/),
    });
    // Back on the local database: nothing of the file is served any more.
    expect(await desktopApi().desktop.session.query()).toMatchObject({
      mode: 'local',
      content_check: null,
    });
    expect((await appApi().organizations.list.query({})).items.map((o) => o.name)).toEqual([
      'Acme',
      'Globex',
    ]);
  });

  it('restores from an export chosen in the dialog, on the worker', async () => {
    dialogAnswers.push(x.file('r.orgdesk-export'));
    await desktopApi().desktop.exports.create.mutate({
      scope: 'organization',
      organization_id: x.acme.id,
    });
    dialogAnswers.push(x.file('r.orgdesk-export'));
    const restored = await desktopApi().desktop.exports.restore.mutate({});
    expect(restored).toMatchObject({ name: 'Acme (restored)', renamed_from: 'Acme' });
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ finished: true });
    expect((await appApi().organizations.list.query({})).items.map((o) => o.name)).toContain(
      'Acme (restored)',
    );
  });

  it('a review of our own export says it is signed by this installation, the key exportKey.get shows', async () => {
    dialogAnswers.push(x.file('own.orgdesk-export'));
    await desktopApi().desktop.exports.create.mutate({ scope: 'account' });
    dialogAnswers.push(x.file('own.orgdesk-export'));
    const own = await desktopApi().desktop.exports.openReview.mutate();
    const { own: ownKey } = await desktopApi().desktop.signers.list.query();
    expect(own?.signer).toMatchObject({
      trust: 'own',
      trusted: true,
      fingerprint: ownKey.fingerprint,
    });
    // The app router shows the same key (GET /api/v1/export-key on a server).
    await desktopApi().desktop.exports.closeReview.mutate();
    expect(await appApi().exportKey.get.query()).toEqual(ownKey);
  });

  describe('another installation’s export', () => {
    let elsewhere: ExportWorld;
    let file: string;
    let theirs: ReturnType<ExportWorld['w']['services']['infra']['signer']['key']>;
    beforeEach(async () => {
      elsewhere = await createExportWorld();
      file = (
        await elsewhere.exporter.exportTo(
          elsewhere.w.admin,
          { scope: 'organization', organization_id: elsewhere.acme.id },
          x.file('elsewhere.orgdesk-export'),
        )
      ).file;
      theirs = elsewhere.w.services.infra.signer.key();
    });
    afterEach(() => elsewhere.w.close());

    it('is reviewed as from an unknown signer until pinned, and again once unpinned', async () => {
      dialogAnswers.push(file);
      const unknown = await desktopApi().desktop.exports.openReview.mutate();
      expect(unknown?.signer).toMatchObject({
        trust: 'unknown',
        trusted: false,
        fingerprint: theirs.fingerprint,
        public_key: theirs.public_key,
      });
      // Pinned while under review: the window is told, and the session says so at once.
      events.length = 0;
      await desktopApi().desktop.signers.pin.mutate({
        public_key: theirs.public_key,
        label: 'Branch office',
      });
      expect(events).toContainEqual({ type: 'session-changed' });
      expect((await desktopApi().desktop.session.query()).signer).toMatchObject({
        trust: 'pinned',
        trusted: true,
        pinned_label: 'Branch office',
      });
      expect((await desktopApi().desktop.signers.list.query()).pinned).toEqual([
        expect.objectContaining({ fingerprint: theirs.fingerprint, label: 'Branch office' }),
      ]);
      await desktopApi().desktop.signers.unpin.mutate({ fingerprint: theirs.fingerprint });
      expect((await desktopApi().desktop.session.query()).signer).toMatchObject({
        trust: 'unknown',
        trusted: false,
      });
    });

    it('is restored only when its signer is accepted by fingerprint or pinned', async () => {
      dialogAnswers.push(file);
      const refused = await failure(desktopApi().desktop.exports.restore.mutate({}));
      expect(refused.data).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'accept_signer' });
      expect(refused.message).toContain(theirs.fingerprint);
      dialogAnswers.push(file);
      const accepted = await desktopApi().desktop.exports.restore.mutate({
        accept_signer: theirs.fingerprint,
      });
      expect(accepted).toMatchObject({ name: 'Acme (restored)' });
      await desktopApi().desktop.signers.pin.mutate({
        public_key: theirs.public_key,
        label: 'Branch office',
      });
      dialogAnswers.push(file);
      expect(await desktopApi().desktop.exports.restore.mutate({})).toMatchObject({
        name: 'Acme (restored 2)',
      });
    });
  });

  it('desktop procedures validate like the app ones, and refuse foreign pages too', async () => {
    const bad = await failure(
      desktopApi().desktop.connections.add.mutate({ name: 'X', url: 'http://example.com' }),
    );
    expect(bad.data).toMatchObject({ code: 'BAD_REQUEST', field: 'url' });
    const blank = await failure(
      desktopApi().desktop.connections.add.mutate({ name: ' ', url: 'https://x.example' }),
    );
    expect(blank.data).toMatchObject({ code: 'BAD_REQUEST', field: 'name' });
    const foreign = await failure(
      desktopApi(WINDOW, 'https://evil.example.com/').desktop.connections.list.query(),
    );
    expect(foreign.data?.code).toBe('FORBIDDEN');
  });
});

describe('remote connections (UI-8)', () => {
  let remote: World;
  let server: Awaited<ReturnType<typeof startRemoteServer>>;
  const PASSWORD = 'remote password 123';
  beforeEach(async () => {
    // The server's clock is real time here: the desktop checks token expiry with the system clock.
    remote = await createWorld({ now: Date.now() });
    const api = remote.caller(remote.admin);
    const user = await api.users.create({
      email: 'ops@remote.test',
      name: 'Ops',
      password: PASSWORD,
    });
    await api.users.setRoles({ id: user.id, roles: [{ role: 'account_admin' }] });
    await api.organizations.create({ name: 'Remote Only Org' });
    server = await startRemoteServer(remote);
  });
  afterEach(async () => {
    await server.close();
    void remote.close();
  });

  it('signs in, forwards the window’s calls with the token, and signs out', async () => {
    const d = desktopApi().desktop.connections;
    const c = await d.add.mutate({ name: 'HQ server', url: server.url });
    const notYet = await failure(d.use.mutate({ id: c.id }));
    expect(notYet.data?.code).toBe('UNAUTHORIZED');
    const signedIn = await d.signIn.mutate({
      id: c.id,
      email: 'ops@remote.test',
      password: PASSWORD,
    });
    expect(signedIn).toMatchObject({ signed_in: true, token_storage: 'keychain' });
    expect(readFileSync(x.file('connections.json'), 'utf8')).not.toMatch(/odk_ses_/);
    await d.use.mutate({ id: c.id });
    expect(await desktopApi().desktop.session.query()).toMatchObject({
      mode: 'remote',
      connection_id: c.id,
    });
    // The app router now runs on the server.
    const orgs = await appApi().organizations.list.query({});
    expect(orgs.items.map((o) => o.name)).toEqual(['Remote Only Org']);
    const me = await appApi().users.me.query();
    expect(me.email).toBe('ops@remote.test');
    // The server's errors arrive as the server shaped them.
    const conflict = await failure(
      appApi().organizations.create.mutate({ name: 'remote only org' }),
    );
    expect(conflict.data).toMatchObject({ code: 'CONFLICT', field: 'name' });
    // Another window stays local.
    expect((await appApi(8).organizations.list.query({})).items.map((o) => o.name)).toEqual([
      'Acme',
      'Globex',
    ]);
    await d.signOut.mutate({ id: c.id });
    expect(await desktopApi().desktop.session.query()).toMatchObject({ mode: 'local' });
    expect((await d.list.query()).connections.find((k) => k.id === c.id)).toMatchObject({
      signed_in: false,
    });
  });

  it('with a keychain that is not secure: "remember" is refused with why; memory-only works', async () => {
    keychain.setBackend('basic_text');
    const d = desktopApi().desktop.connections;
    const c = await d.add.mutate({ name: 'HQ server', url: server.url });
    const refused = await failure(
      d.signIn.mutate({ id: c.id, email: 'ops@remote.test', password: PASSWORD, remember: true }),
    );
    expect(refused.data).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'remember' });
    expect(refused.message).toMatch(
      /will not store the sign-in token on this computer: no keyring/,
    );
    // Refused before the password was sent: the server saw no sign-in.
    const signIns = remote.opened.sqlite
      .prepare("SELECT count(*) AS n FROM audit_entries WHERE action = 'auth.signed_in'")
      .get() as { n: number };
    expect(signIns.n).toBe(0);
    expect((await d.list.query()).keychain).toMatchObject({ secure: false });
    const memory = await d.signIn.mutate({
      id: c.id,
      email: 'ops@remote.test',
      password: PASSWORD,
      remember: false,
    });
    expect(memory).toMatchObject({ signed_in: true, token_storage: 'memory' });
    await d.use.mutate({ id: c.id });
    expect((await appApi().organizations.list.query({})).items).toHaveLength(1);
  });
});

describe('local operator', () => {
  it('is provisioned on first start and found again afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-op-'));
    const w = await createWorld();
    try {
      // The world's admin exists: a database without a state file adopts its first admin.
      const state = join(dir, 'local-operator.json');
      const adopted = await ensureLocalOperator(w.services, state, { displayName: 'Me' });
      expect(adopted.userId).toBe(w.admin.userId);
      expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ operator_user_id: w.admin.userId });
      expect((await ensureLocalOperator(w.services, state, { displayName: 'Me' })).userId).toBe(
        w.admin.userId,
      );
    } finally {
      void w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty database gets an account and its operator, without a password', async () => {
    const { openDatabase } = await import('../../main/db/database');
    const { createServices } = await import('../../main/services');
    const { sqliteStorage } = await import('../../main/db/sqlite/storage');
    const { FileKeyStore } = await import('../../main/core/key-store');
    const { ManualClock } = await import('../../main/core/clock');
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-op-'));
    const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    try {
      const services = createServices({
        storage: sqliteStorage(opened.db),
        clock: new ManualClock(),
        keys: new FileKeyStore(join(dir, 'k')),
      });
      const actor = await ensureLocalOperator(services, join(dir, 'op.json'), {
        displayName: 'Dana',
      });
      expect(actor).toMatchObject({
        label: LOCAL_OPERATOR_EMAIL,
        via: 'local',
        isSupportEngineer: false,
      });
      const me = await services.users.me(actor);
      expect(me).toMatchObject({ name: 'Dana' });
      // An account admin: the operator may create orgs.
      const org = await services.organizations.create(actor, { name: 'First' });
      expect(org.name).toBe('First');
      const row = opened.sqlite
        .prepare('SELECT password_hash FROM users WHERE id = ?')
        .get(actor.userId);
      expect(row).toEqual({ password_hash: null });
    } finally {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
