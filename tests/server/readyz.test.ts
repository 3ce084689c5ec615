// SCALE-2: GET /readyz, the readiness probe a load balancer routes by: 200 while the server can
// serve (the database answers and holds exactly this build's schema), 503 with a reason
// otherwise (shutting down, the database gone, a schema this build does not match). /healthz
// stays the liveness probe: the process is up, whatever the database does.
import { Agent, request as httpRequest } from 'node:http';
import { sql, type SQL } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSchemaCurrent } from '../../main/db/pg/migrate';
import { createServer } from '../../main/server/app';
import { pgReadiness } from '../../main/server/readiness';
import { sqlRun } from '../fixtures/raw-sql';
import { startServer, type TestServer } from '../fixtures/server';
import { onPg } from '../fixtures/test-engine';
import { createWorld } from '../fixtures/world';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

describe('GET /readyz', () => {
  it('200 when the database answers with the schema this build expects; no token needed', async () => {
    s = await startServer();
    const res = await s.request('GET', '/readyz', { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ready' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('503 naming the migration when the file holds a schema this build does not know', async () => {
    s = await startServer();
    // A newer release migrated the database (one migration more than this build carries), in
    // drizzle's journal table: PostgreSQL keeps it in the drizzle schema.
    const journal = sql.raw(onPg ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations');
    await sqlRun(
      s.db,
      sql`INSERT INTO ${journal} (hash, created_at) VALUES (${'f'.repeat(64)}, ${4_102_444_800_000})`,
    );
    const res = await s.request('GET', '/readyz', { token: null });
    expect(res.status).toBe(503);
    expect(res.json.status).toBe('unavailable');
    expect(res.json.reason).toMatch(/schema/i);
    expect(res.json.reason).toMatch(/newer release|does not know/);
    // Liveness is not readiness: the process itself is fine.
    expect((await s.request('GET', '/healthz', { token: null })).status).toBe(200);
  });

  it('503 when the database does not answer', async () => {
    s = await startServer();
    if (s.pgDatabase) {
      // The database is gone under the server's pool (FORCE ends its connections).
      await s.pgDatabase.drop();
    } else {
      s.opened.close();
      // Closed here already: the fixture's own close must not close it again.
      s.opened.close = () => {};
    }
    const res = await s.request('GET', '/readyz', { token: null });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/database/),
    });
    expect((await s.request('GET', '/healthz', { token: null })).status).toBe(200);
  });

  it('503 once shutdown began, so the balancer stops routing before the drain ends', async () => {
    const w = await createWorld();
    // The engine's own check, as the composition root passes it (SQLite's is the default).
    const pgDb = w.db as unknown as { execute(q: SQL): Promise<{ rows: unknown[] }> };
    const readiness = onPg
      ? pgReadiness({ query: (text: string) => pgDb.execute(sql.raw(text)) }, assertSchemaCurrent)
      : undefined;
    const server = createServer({
      services: w.services,
      readiness,
      port: 0,
      log: { info: () => {}, error: () => {} },
    });
    const { port } = await server.listen();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect((await get('/readyz')).status).toBe(200);
      // The next request rides the kept-alive connection, sent as shutdown begins.
      const closing = server.close();
      const during = await get('/readyz');
      expect(during.status).toBe(503);
      expect(JSON.parse(during.body)).toMatchObject({
        reason: expect.stringMatching(/shutting down/),
      });
      await closing;
    } finally {
      agent.destroy();
      await w.services.infra.offload.close();
      await w.close();
    }
  });
});
