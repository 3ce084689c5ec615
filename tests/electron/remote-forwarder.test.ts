// The desktop forwards a window's tRPC calls to a remote Orgdesk server with the bearer token:
// tested against the real server (main/server/app.ts) on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteForwarder } from '../../main/desktop/connections/remote-forwarder';
import { createWorld, type World } from '../fixtures/world';
import { startRemoteServer } from '../fixtures/remote-server';

let w: World;
let server: Awaited<ReturnType<typeof startRemoteServer>>;
const PASSWORD = 'a long enough password';
beforeEach(async () => {
  w = await createWorld();
  await w.caller(w.admin).users.create({ email: 'ops@a.test', name: 'Ops', password: PASSWORD });
  server = await startRemoteServer(w);
});
afterEach(async () => {
  await server.close();
  void w.close();
});

describe('remote forwarder', () => {
  it('signs in, then forwards queries and mutations with the bearer token', async () => {
    let token: string | null = null;
    const f = new RemoteForwarder({ url: server.url, token: () => token });
    // Without a token the server answers UNAUTHORIZED, shaped as tRPC shapes it.
    const anonymous = await f.forward({ id: 1, type: 'query', path: 'users.me' });
    expect('error' in anonymous && anonymous.error.data.code).toBe('UNAUTHORIZED');
    // ops holds no role yet: signed in, it can read itself but create nothing.
    const session = await f.signIn('ops@a.test', PASSWORD);
    expect(session.token).toMatch(/^odk_ses_/);
    token = session.token;
    const me = await f.forward({ id: 2, type: 'query', path: 'users.me' });
    expect('result' in me && (me.result.data as { email: string }).email).toBe('ops@a.test');
    const denied = await f.forward({
      id: 3,
      type: 'mutation',
      path: 'organizations.create',
      input: { name: 'X' },
    });
    expect('error' in denied && denied.error.data.code).toBe('FORBIDDEN');
    expect(denied.id).toBe(3);
  });

  it('names itself to the server: "my sessions" shows the sign-in as Orgdesk desktop (IDN-5)', async () => {
    let token: string | null = null;
    const f = new RemoteForwarder({ url: server.url, token: () => token });
    token = (await f.signIn('ops@a.test', PASSWORD)).token;
    const sessions = await f.forward({ id: 1, type: 'query', path: 'auth.sessions' });
    expect('result' in sessions && sessions.result.data).toEqual([
      expect.objectContaining({ client: 'Orgdesk desktop', current: true }),
    ]);
  });

  it('passes the server’s validation errors through with their field', async () => {
    const token = await w.services.auth.issueToken(w.admin.userId, 'personal', 'test');
    const f = new RemoteForwarder({ url: server.url, token: () => token });
    const created = await f.forward({
      id: 1,
      type: 'mutation',
      path: 'organizations.create',
      input: { name: 'Remote Org' },
    });
    expect('result' in created).toBe(true);
    const invalid = await f.forward({
      id: 2,
      type: 'query',
      path: 'organizations.list',
      input: { limit: 5000 },
    });
    expect('error' in invalid && invalid.error).toMatchObject({
      data: { code: 'BAD_REQUEST', field: 'limit' },
      message: expect.stringMatching(/limit must be at most 1000/),
    });
    const conflict = await f.forward({
      id: 3,
      type: 'mutation',
      path: 'organizations.create',
      input: { name: 'remote org' },
    });
    expect('error' in conflict && conflict.error.data).toMatchObject({
      code: 'CONFLICT',
      field: 'name',
    });
  });

  it('a wrong password is the server’s UNAUTHORIZED, with its message', async () => {
    const f = new RemoteForwarder({ url: server.url, token: () => null });
    await expect(f.signIn('ops@a.test', 'wrong password here')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Email or password is wrong',
    });
  });

  it('an unreachable server is a BAD_GATEWAY naming it', async () => {
    await server.close();
    const f = new RemoteForwarder({ url: server.url, token: () => null });
    const r = await f.forward({ id: 1, type: 'query', path: 'users.me' });
    expect('error' in r && r.error).toMatchObject({
      data: { code: 'BAD_GATEWAY', httpStatus: 502 },
      message: expect.stringContaining(server.url),
    });
    server = { url: server.url, close: async () => {} };
  });
});
