// API-1: what the REST projection costs over calling the same procedure through tRPC, on one
// in-process server over loopback HTTP (keep-alive), timed in alternation so drift falls on both.
import type { Actor } from '../main/core/actor';
import { createServer } from '../main/server/app';
import type { Services } from '../main/services';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { msFigure, timeInterleaved } from './measure';

async function ok(res: Response): Promise<void> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

export async function restBenches(
  ds: Dataset,
  services: Services,
  admin: Actor,
  runs: number,
): Promise<Row[]> {
  const { token } = await services.auth.createPersonalToken(admin, { name: 'bench REST' });
  const server = createServer({ services, port: 0, log: { info: () => {}, error: console.error } });
  const { url } = await server.listen();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const orgId = ds.auditOrgId;
  const input = encodeURIComponent(JSON.stringify({ id: orgId }));
  let n = 0;
  const rows: Row[] = [];
  try {
    const read = await timeInterleaved(
      async () => ok(await fetch(`${url}/api/v1/organizations/${orgId}`, { headers: auth })),
      async () =>
        ok(await fetch(`${url}/trpc/organizations.get?input=${input}`, { headers: auth })),
      { runs },
    );
    // The same audited write both ways: a description change (one transaction, one audit entry).
    const write = await timeInterleaved(
      async () =>
        ok(
          await fetch(`${url}/api/v1/organizations/${orgId}`, {
            method: 'PATCH',
            headers: auth,
            body: JSON.stringify({ description: `rest ${n++}` }),
          }),
        ),
      async () =>
        ok(
          await fetch(`${url}/trpc/organizations.update`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ id: orgId, patch: { description: `trpc ${n++}` } }),
          }),
        ),
      { runs },
    );
    for (const [what, [rest, trpc], call] of [
      ['read: GET /organizations/{id}', read, 'organizations.get'],
      ['write: PATCH /organizations/{id}', write, 'organizations.update'],
    ] as const) {
      const ratio = rest.p50 / trpc.p50;
      rows.push({
        name: `API-1 REST ${what} (projected) against the same tRPC call`,
        figure: msFigure(rest),
        baseline: `tRPC ${call} over HTTP ${msFigure(trpc)}`,
        ratio: `${ratio.toFixed(2)}× (p50)`,
        target: '≤ 1.10× the tRPC call',
        met: ratio <= 1.1,
        raw: { rest, trpc },
      });
    }
  } finally {
    await server.close();
  }
  return rows;
}
