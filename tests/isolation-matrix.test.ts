// The tenant-isolation matrix (TEN-4, SUP-5, TEN-6), generated from the router itself: every
// procedure of appRouter × every kind of caller that must not see the victim's tenant. A new
// procedure is covered without anyone remembering: without a sample input it fails right here.
// This file calls the procedures in-process; isolation-matrix.rest.test.ts calls their REST
// routes over HTTP with the same callers, samples and verdicts (fixtures/isolation-matrix.ts).
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../main/trpc/router';
import { createCallerFactory } from '../main/trpc/trpc';
import {
  aimedAtRealObjects,
  callerOf,
  LIMITED_KINDS,
  mutationsOf,
  OUTSIDE_KINDS,
  procedureTypes,
  refusals,
  uncoveredCallers,
  writeLimits,
  type Outcome,
  type Transport,
} from './fixtures/isolation-matrix';
import {
  createIsolationWorld,
  type IsolationWorld,
  type MatrixCaller,
} from './fixtures/isolation-world';
import { SAMPLES } from './fixtures/isolation-samples';
import { sqliteOnly } from './fixtures/test-engine';

/**
 * The platform operator's calls, and the positive control's, succeed on the victim's account and
 * are undone by an outer BEGIN/ROLLBACK on the world's one SQLite connection, in which the
 * services' transactions nest as savepoints; on PostgreSQL each unit of work takes a connection
 * of its own from the pool, so no outer transaction can undo them and the world would change
 * under the next cell. Every other caller's cells run on both engines.
 */
const ROLLBACK_WRAP = 'undone by an outer transaction on the one SQLite connection';
const OUTSIDE_KINDS_HERE = OUTSIDE_KINDS.filter(
  (k) =>
    !(
      sqliteOnly(ROLLBACK_WRAP) &&
      k === 'platform operator without a tenant role in the victim account'
    ),
);

const createCaller = createCallerFactory(appRouter);

async function invoke(x: IsolationWorld, caller: MatrixCaller, path: string, input: unknown) {
  const api = createCaller({
    services: x.w.services,
    actor: await caller.actor(),
    serverUrl: 'http://127.0.0.1:8787',
  }) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
  const [ns, name] = path.split('.') as [string, string];
  try {
    return { ok: true, value: await api[ns]![name]!(input) } as Outcome;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { ok: false, code: e.code, message: e.message } as Outcome;
  }
}

/** Every procedure, called in-process through createCallerFactory. */
const trpc = (x: IsolationWorld): Transport => ({
  procedures: procedureTypes(),
  name: (path) => path,
  prepare: (caller, path, input) => () => invoke(x, caller, path, input),
});

let x: IsolationWorld;
let t: Transport;
beforeAll(async () => {
  x = await createIsolationWorld();
  t = trpc(x);
}, 60_000);
afterAll(() => x?.w.close());

describe('tenant-isolation matrix (generated from appRouter)', () => {
  it('every procedure has a sample input (add one in tests/fixtures/isolation-samples.ts)', () => {
    const procedures = procedureTypes();
    const missing = [...procedures.keys()]
      .filter((p) => !SAMPLES[p])
      .map((p) => `add a sample input for ${p}`);
    const stale = Object.keys(SAMPLES)
      .filter((p) => !procedures.has(p))
      .map((p) => `remove the sample for ${p}: no such procedure`);
    expect([...missing, ...stale]).toEqual([]);
  });

  it('every caller of the isolation world is in the matrix', () => {
    expect(uncoveredCallers(x)).toEqual([]);
  });

  it('prints its size', () => {
    const n = t.procedures.size;
    const m = x.callers.length;
    console.log(
      `isolation matrix: ${n} procedures × ${m} callers = ${n * m} cells; ` +
        `same-tenant write limits: ${mutationsOf(t).length} mutations × ${x.limited.length} callers`,
    );
    expect(n).toBeGreaterThan(40);
  });

  it.each(OUTSIDE_KINDS_HERE)(
    '%s: every procedure refuses the victim, leaks nothing and changes nothing',
    async (kind) => {
      const caller = callerOf(x, kind);
      const { problems, calls, succeeded } = await refusals(x, t, caller);
      console.log(`${kind}: ${calls} calls, ${succeeded} answered within the caller's own tenant`);
      expect(calls).toBeGreaterThan(t.procedures.size);
      // The caller is real: calls that only reach its own tenant do succeed.
      expect(succeeded).toBeGreaterThanOrEqual(caller.accountAdmin ? 10 : 3);
      expect(problems).toEqual([]);
    },
    60_000,
  );
});

describe('writes stop at the limits of the caller inside the tenant', () => {
  it.each(LIMITED_KINDS)(
    '%s: every mutation is refused and changes nothing',
    async (kind) => {
      expect(await writeLimits(x, t, callerOf(x, kind))).toEqual([]);
    },
    60_000,
  );

  it('the same callers can read what their role allows: the limits above are not a broken world', async () => {
    const [reader, readOnly, support] = LIMITED_KINDS.map((k) => callerOf(x, k));
    for (const c of [reader!, readOnly!, support!]) {
      const out = await invoke(x, c, 'organizations.get', { id: x.victim.org });
      expect(out).toMatchObject({ ok: true, value: { name: 'Victim Org One' } });
    }
    // A token is never more than its owner: the full admin can write where the read-only one cannot.
    const full = await invoke(
      x,
      { ...readOnly!, actor: async () => x.w.admin },
      'locations.create',
      {
        organization_id: x.victim.org,
        name: 'Written by the admin',
      },
    );
    expect(full.ok).toBe(true);
  });
});

describe('positive control: the samples point at real objects', () => {
  it.skipIf(sqliteOnly(ROLLBACK_WRAP))(
    "the victim's own admin is never told NOT_FOUND by a sample aimed at the victim",
    async () => {
      const admin: MatrixCaller = {
        ...x.callers[0]!,
        actor: async () => x.w.admin,
        kind: 'victim admin',
      };
      const { checked, problems, changes } = await aimedAtRealObjects(x, t, admin);
      expect(checked).toBeGreaterThan(50);
      expect(problems).toEqual([]);
      expect(changes).toEqual([]);
    },
  );
});
