// SCALE-2: GET /readyz's check on PostgreSQL (server/readiness.ts pgReadiness over migrate.ts's
// assertSchemaCurrent): ready on a migrated database, not ready on one without this build's
// schema, nor when the database does not answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../main/db/pg/database';
import { assertSchemaCurrent } from '../../main/db/pg/migrate';
import { pgReadiness } from '../../main/server/readiness';
import { createTestDatabase, pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';

describe.skipIf(!pgAvailable)('readiness on PostgreSQL', () => {
  let env: PgTestEnv;
  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });

  it('ready when migrated; the schema named when not; "does not answer" once the pool is gone', async () => {
    const url = env.available ? env.url : '';
    const migrated = await createTestDatabase(url);
    const empty = await createTestDatabase(url, { empty: true });
    const a = createPgPool(migrated.url, { max: 2 });
    const b = createPgPool(empty.url, { max: 2 });
    try {
      expect(await pgReadiness(a, assertSchemaCurrent)()).toEqual({ ready: true });
      expect(await pgReadiness(b, assertSchemaCurrent)()).toMatchObject({
        ready: false,
        reason: expect.stringMatching(/schema[^]*npm run migrate/),
      });
    } finally {
      await a.end();
      await b.end();
    }
    expect(await pgReadiness(a, assertSchemaCurrent)()).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/does not answer/),
    });
    await migrated.drop();
    await empty.drop();
  });
});
