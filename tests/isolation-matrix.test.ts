// The tenant-isolation matrix (TEN-4, SUP-5, TEN-6), generated from the router itself: every
// procedure of appRouter × every kind of caller that must not see the victim's tenant. A new
// procedure is covered without anyone remembering: without a sample input it fails right here.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../main/trpc/router';
import { createCallerFactory } from '../main/trpc/trpc';
import { supportEngineerMutations } from '../main/trpc/procedures';

const SUPPORT_ENGINEER_MUTATIONS = supportEngineerMutations();
import {
  createIsolationWorld,
  diffDumps,
  dumpDatabase,
  findLeak,
  ownsRow,
  type IsolationWorld,
  type MatrixCaller,
  type RowChange,
} from './fixtures/isolation-world';
import { SAMPLES, type Sample } from './fixtures/isolation-samples';

type Proc = { _def: { type: 'query' | 'mutation' | 'subscription' } };

/** Every procedure of the router, by path, straight from its definition. */
function procedures(): Map<string, Proc['_def']['type']> {
  const def = appRouter._def as unknown as {
    procedures: Record<string, Proc>;
    lazy?: Record<string, unknown>;
  };
  if (def.lazy && Object.keys(def.lazy).length > 0) {
    throw new Error(
      `lazy routers are not enumerable here: ${Object.keys(def.lazy).join(', ')}; load them first`,
    );
  }
  return new Map(Object.entries(def.procedures).map(([path, p]) => [path, p._def.type]));
}

const REFUSED = new Set(['NOT_FOUND', 'FORBIDDEN']);
const createCaller = createCallerFactory(appRouter);

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

async function invoke(x: IsolationWorld, caller: MatrixCaller, path: string, input: unknown) {
  const api = createCaller({
    services: x.w.services,
    actor: caller.actor(),
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

const describeChange = (c: RowChange) =>
  `${c.table}#${c.rowid} ${c.before ? (c.after ? 'changed' : 'deleted') : 'inserted'}`;

interface CellReport {
  problems: string[];
  calls: number;
  succeeded: number;
}

/**
 * One cell: a procedure called by one caller with each of its sample inputs (those `pick`
 * selects), once with the victim's ids and once with ids that do not exist. Returns what went
 * wrong, precisely.
 */
async function runCell(
  x: IsolationWorld,
  caller: MatrixCaller,
  path: string,
  pick: (s: Sample) => boolean,
  opts: { leakCheck: boolean; adjust?: (s: Sample) => Sample } = { leakCheck: true },
): Promise<CellReport> {
  const problems: string[] = [];
  let calls = 0;
  let succeeded = 0;
  const where = `${path} as ${caller.kind}`;
  const adjust = opts.adjust ?? ((s: Sample) => s);
  const victimSamples = SAMPLES[path]!({ v: x.victim, own: caller.own }).map(adjust);
  const missingSamples = SAMPLES[path]!({ v: x.missing, own: caller.own }).map(adjust);
  for (const [i, sample] of victimSamples.entries()) {
    if (!pick(sample)) continue;
    const outcomes: Outcome[] = [];
    for (const variant of [sample, missingSamples[i]!]) {
      if (variant !== sample && JSON.stringify(variant.input) === JSON.stringify(sample.input)) {
        continue;
      }
      const input = variant.input;
      const before = dumpDatabase(x.w);
      const out = await invoke(x, caller, path, input);
      calls++;
      const after = dumpDatabase(x.w);
      const changes = diffDumps(before, after);
      const label = `${where} with ${JSON.stringify(input)}`;
      const markers = x.markers[caller.cls];
      if (out.ok) {
        succeeded++;
        if (!sample.ownTenant) {
          problems.push(`${label}: succeeded; expected NOT_FOUND or FORBIDDEN`);
        }
        const leak = opts.leakCheck ? findLeak(JSON.stringify(out.value), markers, true) : null;
        if (leak) problems.push(`${label}: answer leaks the victim's ${leak}`);
        const foreignRows = changes.filter(
          (c) => !ownsRow(caller.actor(), caller.accountAdmin, c, before, after),
        );
        if (foreignRows.length > 0) {
          problems.push(
            `${label}: changed rows that are not the caller's: ${foreignRows.slice(0, 5).map(describeChange).join(', ')}`,
          );
        }
      } else {
        const allowed = new Set([...REFUSED, ...(sample.alsoRefusedWith?.codes ?? [])]);
        if (!allowed.has(out.code)) {
          problems.push(`${label}: ${out.code} (${out.message}); expected NOT_FOUND or FORBIDDEN`);
        }
        const leak = opts.leakCheck ? findLeak(out.message, markers, false) : null;
        if (leak) problems.push(`${label}: error message leaks the victim's ${leak}`);
        if (changes.length > 0) {
          problems.push(
            `${label}: refused, yet changed the database: ${changes.slice(0, 5).map(describeChange).join(', ')}`,
          );
        }
      }
      outcomes.push(out);
    }
    // An existing foreign id must read exactly like an id that does not exist (TEN-4).
    const [real, none] = outcomes;
    const ownAccount = sample.namesAccount && caller.cls === 'sibling';
    if (real && none && !sample.revealsExistence && !ownAccount) {
      const a = real.ok ? 'success' : real.code;
      const b = none.ok ? 'success' : none.code;
      if (a !== b) {
        problems.push(
          `${where}: existence oracle: ${a} for the victim's ids, ${b} for missing ids`,
        );
      }
    }
  }
  return { problems, calls, succeeded };
}

let x: IsolationWorld;
beforeAll(async () => {
  x = await createIsolationWorld();
}, 60_000);
afterAll(() => x?.w.close());

describe('tenant-isolation matrix (generated from appRouter)', () => {
  it('every procedure has a sample input (add one in tests/fixtures/isolation-samples.ts)', () => {
    const missing = [...procedures().keys()]
      .filter((p) => !SAMPLES[p])
      .map((p) => `add a sample input for ${p}`);
    const stale = Object.keys(SAMPLES)
      .filter((p) => !procedures().has(p))
      .map((p) => `remove the sample for ${p}: no such procedure`);
    expect([...missing, ...stale]).toEqual([]);
  });

  it('prints its size', () => {
    const n = procedures().size;
    const m = x.callers.length;
    console.log(
      `isolation matrix: ${n} procedures × ${m} callers = ${n * m} cells; ` +
        `same-tenant write limits: ${[...procedures().values()].filter((t) => t === 'mutation').length} mutations × ${x.limited.length} callers`,
    );
    expect(n).toBeGreaterThan(40);
  });

  const kinds = [
    'account admin of another account',
    'org admin of another org',
    'technician of another org',
    'reader of another org',
    'support engineer without a grant',
    'support engineer with an expired grant',
    'support engineer with a revoked grant',
  ];
  it.each(kinds)(
    '%s: every procedure refuses the victim, leaks nothing and changes nothing',
    async (kind) => {
      const caller = x.callers.find((c) => c.kind === kind)!;
      const problems: string[] = [];
      let calls = 0;
      let succeeded = 0;
      const paths = [...procedures().keys()].sort();
      for (const path of paths) {
        if (!SAMPLES[path]) problems.push(`add a sample input for ${path}`);
      }
      // Calls that may succeed (own tenant) run after the rest, so they cannot mask a refusal.
      for (const pick of [(s: Sample) => !s.ownTenant, (s: Sample) => !!s.ownTenant]) {
        for (const path of paths.filter((p) => SAMPLES[p])) {
          const r = await runCell(x, caller, path, pick);
          problems.push(...r.problems);
          calls += r.calls;
          succeeded += r.succeeded;
        }
      }
      console.log(`${kind}: ${calls} calls, ${succeeded} answered within the caller's own tenant`);
      expect(calls).toBeGreaterThan(procedures().size);
      // The caller is real: calls that only reach its own tenant do succeed.
      expect(succeeded).toBeGreaterThanOrEqual(caller.accountAdmin ? 10 : 3);
      expect(problems).toEqual([]);
    },
    60_000,
  );
});

describe('writes stop at the limits of the caller inside the tenant', () => {
  it.each([
    "reader's personal token",
    "account admin's read-only token",
    'support engineer with an active grant',
  ])(
    '%s: every mutation is refused and changes nothing',
    async (kind) => {
      const caller = x.limited.find((c) => c.kind === kind)!;
      const support = kind.startsWith('support');
      const problems: string[] = [];
      const mutations = [...procedures()].filter(([, t]) => t === 'mutation').map(([p]) => p);
      for (const path of mutations.sort()) {
        if (!SAMPLES[path]) {
          problems.push(`add a sample input for ${path}`);
          continue;
        }
        // What is still allowed: a support engineer's request and sign-out; anyone's sign-in
        // attempt; a reader's token creating a token for its owner (with the owner's rights).
        const stillAllowed =
          (support && SUPPORT_ENGINEER_MUTATIONS.has(path)) ||
          path === 'auth.login' ||
          path === 'auth.logout' ||
          (kind === "reader's personal token" && path === 'auth.createToken');
        const r = await runCell(x, caller, path, () => true, {
          leakCheck: false,
          adjust: (s) => ({
            ...s,
            ownTenant: stillAllowed ? s.ownTenant : undefined,
            revealsExistence: 'not the question here: the caller may read this tenant',
          }),
        });
        problems.push(...r.problems);
      }
      expect(problems).toEqual([]);
    },
    60_000,
  );

  it('the same callers can read what their role allows: the limits above are not a broken world', async () => {
    const reader = x.limited.find((c) => c.kind === "reader's personal token")!;
    const readOnly = x.limited.find((c) => c.kind === "account admin's read-only token")!;
    const support = x.limited.find((c) => c.kind === 'support engineer with an active grant')!;
    for (const c of [reader, readOnly, support]) {
      const out = await invoke(x, c, 'organizations.get', { id: x.victim.org });
      expect(out).toMatchObject({ ok: true, value: { name: 'Victim Org One' } });
    }
    // A token is never more than its owner: the full admin can write where the read-only one cannot.
    const full = await invoke(x, { ...readOnly, actor: () => x.w.admin }, 'locations.create', {
      organization_id: x.victim.org,
      name: 'Written by the admin',
    });
    expect(full.ok).toBe(true);
  });
});

describe('positive control: the samples point at real objects', () => {
  it("the victim's own admin is never told NOT_FOUND by a sample aimed at the victim", async () => {
    const admin: MatrixCaller = { ...x.callers[0]!, actor: () => x.w.admin, kind: 'victim admin' };
    const problems: string[] = [];
    const sqlite = x.w.opened.sqlite;
    const before = dumpDatabase(x.w);
    let checked = 0;
    for (const path of [...procedures().keys()].sort()) {
      const make = SAMPLES[path];
      if (!make) continue;
      const a = make({ v: x.victim, own: x.callers[0]!.own });
      const b = make({ v: x.victim, own: x.callers[1]!.own });
      for (const [i, sample] of a.entries()) {
        // Own-tenant calls aim at nobody; mixed inputs (my host, your location) aim at two.
        if (sample.ownTenant || JSON.stringify(sample.input) !== JSON.stringify(b[i]!.input)) {
          continue;
        }
        // Every effect is rolled back: the services' transactions nest as savepoints in this one.
        sqlite.exec('BEGIN');
        try {
          const out = await invoke(x, admin, path, sample.input);
          checked++;
          if (!out.ok && out.code === 'NOT_FOUND') {
            problems.push(`${path} ${JSON.stringify(sample.input)}: ${out.message}`);
          }
        } finally {
          sqlite.exec('ROLLBACK');
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(problems).toEqual([]);
    expect(diffDumps(before, dumpDatabase(x.w))).toEqual([]);
  });
});
