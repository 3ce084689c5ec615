import { TRPCClientError, createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../main/trpc/router';
import { startServer, type TestServer } from '../fixtures/server';
import { sessionOf } from '../../shared/schemas/mfa.schema';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const client = (token: string | null, batch = false) => {
  const opts = {
    url: `${s.url}/trpc`,
    headers: () => (token ? { Authorization: `Bearer ${token}` } : {}),
  };
  return createTRPCClient<AppRouter>({ links: [batch ? httpBatchLink(opts) : httpLink(opts)] });
};

async function failure(p: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  return err as TRPCClientError<AppRouter>;
}

describe('/trpc over HTTP', () => {
  it('answers a query with a bearer token, the same router as IPC', async () => {
    const me = await client(s.adminToken).users.me.query();
    expect(me.email).toBe('admin@orgdesk.local');
    expect(me.roles).toEqual([{ role: 'account_admin' }]);
  });

  it('is UNAUTHORIZED without a token or with a bad one (HTTP 401)', async () => {
    for (const token of [null, 'odk_ses_nope']) {
      const err = await failure(client(token).users.me.query());
      expect(err.data?.code).toBe('UNAUTHORIZED');
      expect(err.data?.httpStatus).toBe(401);
    }
    const raw = await s.request('GET', '/trpc/users.me', { token: null });
    expect(raw.status).toBe(401);
  });

  it('mutations and batched queries work; validation errors name the field', async () => {
    const api = client(s.adminToken, true);
    const org = await api.organizations.create.mutate({ name: 'Via tRPC' });
    const [list, regions] = await Promise.all([
      api.organizations.list.query({ search: 'via trpc' }),
      api.organizations.regions.query(),
    ]);
    expect(list.items.map((o) => o.id)).toEqual([org.id]);
    expect(regions).toEqual([]);
    const err = await failure(api.organizations.list.query({ limit: 1001 }));
    expect(err.data?.code).toBe('BAD_REQUEST');
    expect(err.data?.field).toBe('limit');
    const extra = await failure(
      client(s.adminToken).organizations.create.mutate({ name: 'X', colour: 'red' } as never),
    );
    expect(extra.data?.field).toBe('colour');
  });

  it('sign-in over tRPC: a session, sign-out with the same token, throttling with Retry-After', async () => {
    await client(s.adminToken).users.create.mutate({
      email: 'trpc@users.test',
      name: 'T',
      password: 'a long enough password',
    });
    const session = sessionOf(
      await client(null).auth.login.mutate({
        email: 'trpc@users.test',
        password: 'a long enough password',
      }),
    );
    expect(session.token).toMatch(/^odk_ses_/);
    const signedIn = client(session.token);
    expect((await signedIn.users.me.query()).email).toBe('trpc@users.test');
    await signedIn.auth.logout.mutate();
    expect((await failure(signedIn.users.me.query())).data?.code).toBe('UNAUTHORIZED');

    for (let i = 0; i < 6; i++) {
      await failure(client(null).auth.login.mutate({ email: 'trpc@users.test', password: 'x' }));
    }
    const raw = await s.request('POST', '/trpc/auth.login', {
      token: null,
      body: { email: 'trpc@users.test', password: 'a long enough password' },
    });
    expect(raw.status).toBe(429);
    expect(raw.headers['retry-after']).toBe('1');
  });

  it('a support engineer cannot write over tRPC either', async () => {
    const home = await s.services.accounts.provision({
      accountName: 'Support Home',
      adminEmail: 'sup-admin@trpc.test',
      adminName: 'S',
    });
    const engineer = await s.userToken([], { accountId: home.accountId, support: true });
    await s.services.supportAccess.enable((await s.services.auth.authenticate(s.adminToken))!, {
      duration_hours: 2,
    });
    const api = client(engineer.token);
    expect((await api.organizations.list.query()).total).toBeGreaterThan(0);
    const err = await failure(api.organizations.create.mutate({ name: 'Nope' }));
    expect(err.data?.code).toBe('FORBIDDEN');
  });
});
