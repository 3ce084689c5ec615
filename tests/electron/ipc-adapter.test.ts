// tRPC over IPC, end to end under Node: the real renderer link (shared/ipc-link.ts) and the real
// main handler (main/desktop/ipc/ipc-handler.ts) over a fake IPC pair that, like Electron's, structured-
// clones every message both ways. The same calls over HTTP must give the same codes and fields.
import { createTRPCClient, TRPCClientError, httpLink } from '@trpc/client';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../main/core/actor';
import { createIpcHandler, type IpcHandler } from '../../main/desktop/ipc/ipc-handler';
import type { SenderInfo } from '../../main/desktop/ipc/sender';
import { appRouter, type AppRouter } from '../../main/trpc/router';
import type { Context } from '../../main/trpc/trpc';
import type { OrgdeskBridge } from '../../shared/ipc-channels';
import { createIpcLink } from '../../shared/ipc-link';
import { createWorld, type World } from '../fixtures/world';

const APP_SENDER: SenderInfo = {
  frameUrl: 'orgdesk-app://app/index.html',
  isMainFrame: true,
  windowId: 1,
};

/** Like Electron's IPC: both directions are structured-cloned, nothing is shared by reference. */
function fakeIpcPair(handler: IpcHandler, sender: SenderInfo = APP_SENDER): OrgdeskBridge {
  return {
    trpc: {
      invoke: async (request) => structuredClone(await handler(structuredClone(request), sender)),
    },
    onShellEvent: () => () => {},
  };
}

let w: World;
let actor: Actor;
beforeEach(async () => {
  w = await createWorld();
  actor = w.admin;
});
afterEach(() => w.close());

const handlerFor = (world: World, who: () => Actor | null) =>
  createIpcHandler({
    router: appRouter,
    createContext: (): Context => ({
      services: world.services,
      actor: who(),
      serverUrl: 'http://127.0.0.1:8787',
    }),
  });

const ipcClient = (handler: IpcHandler, sender?: SenderInfo) =>
  createTRPCClient<AppRouter>({ links: [createIpcLink(() => fakeIpcPair(handler, sender))] });

async function errorOf(p: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  return err as TRPCClientError<AppRouter>;
}

describe('IPC adapter', () => {
  it('carries queries and mutations to the real router', async () => {
    const api = ipcClient(handlerFor(w, () => actor));
    const org = await api.organizations.create.mutate({ name: 'Acme', region: 'eu' });
    expect(org.secret).toMatch(/^odk_orgsec_/);
    const page = await api.organizations.list.query({ search: 'acm' });
    expect(page.items.map((o) => o.name)).toEqual(['Acme']);
    expect(await api.organizations.regions.query()).toEqual(['eu']);
  });

  it('gives the same error codes, messages and fields as HTTP', async () => {
    const server = createHTTPServer({
      router: appRouter,
      createContext: (): Context => ({
        services: w.services,
        actor,
        serverUrl: 'http://127.0.0.1:8787',
      }),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const http = createTRPCClient<AppRouter>({
        links: [httpLink({ url: `http://127.0.0.1:${port}` })],
      });
      const ipc = ipcClient(handlerFor(w, () => actor));
      await ipc.organizations.create.mutate({ name: 'Taken' });
      const reader = await w.userWith(w.accountId, []);
      const cases: [string, (api: typeof ipc) => Promise<unknown>][] = [
        ['validation', (api) => api.organizations.list.query({ limit: 5000 })],
        ['conflict', (api) => api.organizations.create.mutate({ name: 'taken' })],
        ['not found', (api) => api.organizations.get.query({ id: 999 })],
        ['blank', (api) => api.organizations.create.mutate({ name: '  ' })],
      ];
      for (const [label, call] of cases) {
        const a = await errorOf(call(ipc));
        const b = await errorOf(call(http as typeof ipc));
        expect({ label, ...a.shape }).toEqual({ label, ...b.shape });
        expect(a.data?.code).toBeTruthy();
      }
      actor = reader;
      const f1 = await errorOf(ipc.organizations.create.mutate({ name: 'X' }));
      const f2 = await errorOf((http as typeof ipc).organizations.create.mutate({ name: 'X' }));
      expect(f1.data?.code).toBe('FORBIDDEN');
      expect(f1.shape).toEqual(f2.shape);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects a malformed message before anything runs, naming the field (zod)', async () => {
    let contexts = 0;
    const handler = createIpcHandler({
      router: appRouter,
      createContext: (): Context => {
        contexts++;
        return { services: w.services, actor, serverUrl: '' };
      },
    });
    const cases: [unknown, string][] = [
      [{ id: 1, type: 'subscription', path: 'organizations.list' }, 'type'],
      [{ id: 1, type: 'query', path: '__proto__.constructor' }, 'path'],
      [{ id: 1, type: 'query', path: 'organizations/list' }, 'path'],
      [{ id: 1, type: 'query', path: 42 }, 'path'],
      [{ id: -1, type: 'query', path: 'organizations.list' }, 'id'],
      [{ id: 1, type: 'query', path: 'organizations.list', extra: true }, ''],
    ];
    for (const [message, field] of cases) {
      const reply = await handler(message, APP_SENDER);
      expect('error' in reply, JSON.stringify(message)).toBe(true);
      if (!('error' in reply)) continue;
      expect(reply.error.data.code).toBe('BAD_REQUEST');
      if (field) {
        expect(reply.error.data.field).toBe(field);
        expect(reply.error.message).toContain(field);
      } else {
        expect(reply.error.message).toMatch(/extra/);
      }
    }
    for (const junk of [null, 'organizations.list', 42, [], undefined]) {
      const reply = await handler(junk, APP_SENDER);
      expect('error' in reply && reply.error.data.code).toBe('BAD_REQUEST');
    }
    expect(contexts).toBe(0);
  });

  it('a procedure that does not exist, or the wrong type, is NOT_FOUND', async () => {
    const handler = handlerFor(w, () => actor);
    const missing = await handler({ id: 3, type: 'query', path: 'organizations.nope' }, APP_SENDER);
    expect('error' in missing && missing.error.data.code).toBe('NOT_FOUND');
    const wrongType = await handler(
      { id: 4, type: 'query', path: 'organizations.create', input: { name: 'X' } },
      APP_SENDER,
    );
    expect('error' in wrongType && wrongType.error.data.code).toBe('NOT_FOUND');
    expect(await w.caller(actor).organizations.list({})).toMatchObject({ total: 0 });
  });

  it('refuses calls from pages that are not the app, before creating a context', async () => {
    let contexts = 0;
    const handler = createIpcHandler({
      router: appRouter,
      createContext: (): Context => {
        contexts++;
        return { services: w.services, actor, serverUrl: '' };
      },
    });
    const senders: SenderInfo[] = [
      { frameUrl: 'https://evil.example.com/', isMainFrame: true, windowId: 1 },
      { frameUrl: 'file:///tmp/page.html', isMainFrame: true, windowId: 1 },
      { frameUrl: 'orgdesk-app://app/index.html', isMainFrame: false, windowId: 1 },
      { frameUrl: null, isMainFrame: true, windowId: 1 },
    ];
    for (const sender of senders) {
      const api = ipcClient(handler, sender);
      const err = await errorOf(api.organizations.create.mutate({ name: 'Injected' }));
      expect(err.data?.code).toBe('FORBIDDEN');
      expect(err.message).toMatch(/^Call refused: /);
    }
    expect(contexts).toBe(0);
    expect((await w.caller(actor).organizations.list({})).total).toBe(0);
  });

  it('replies are plain data, as over HTTP (dates as strings, nothing shared)', async () => {
    const handler = createIpcHandler({
      router: appRouter,
      createContext: (): Context => ({ services: w.services, actor, serverUrl: '' }),
    });
    await w.caller(actor).organizations.create({ name: 'Dated' });
    const reply = await handler(
      { id: 9, type: 'query', path: 'organizations.list', input: {} },
      APP_SENDER,
    );
    expect(reply.id).toBe(9);
    expect('result' in reply).toBe(true);
    const data = (reply as { result: { data: { items: { created_at: unknown }[] } } }).result.data;
    expect(typeof data.items[0]!.created_at).toBe('string');
    expect(structuredClone(reply)).toEqual(reply);
  });
});
