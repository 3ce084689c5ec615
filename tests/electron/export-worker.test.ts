// Export and restore run on a worker thread (the main process must never freeze), reporting
// progress as they go. These run the real worker script (through tsx, as the .ts source).
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../main/desktop/export/export.service';
import { runJob } from '../../main/desktop/export/export-runner';
import { openReview } from '../../main/desktop/export/review';
import { createExportWorld, MIGRATIONS, type ExportWorld } from '../fixtures/export-world';

let x: ExportWorld;
beforeEach(async () => {
  x = await createExportWorld();
});
afterEach(() => x.w.close());

const base = () => ({
  dbFile: x.w.opened.file,
  migrationsFolder: MIGRATIONS,
  masterKey: readFileSync(join(x.w.dir, 'master.key'), 'utf8').trim(),
  installationLabel: 'worker test installation',
  actor: x.w.admin,
  now: x.w.clock.now(),
});

describe('export and restore on a worker thread', () => {
  it('exports with progress, then restores with progress', async () => {
    const progress: Progress[] = [];
    const exported = await runJob(
      {
        ...base(),
        kind: 'export',
        input: { scope: 'organization', organization_id: x.acme.id },
        target: x.file('worker.orgdesk-export'),
        sourceLabel: 'worker test',
      },
      { onProgress: (p) => progress.push(p) },
    );
    expect(exported.manifest).toMatchObject({ source: 'worker test', scope: 'organization' });
    expect(progress.length).toBeGreaterThan(5);
    // Monotonic, with a fixed total, ending at total.
    const total = progress[0]!.total;
    expect(progress.every((p) => p.total === total)).toBe(true);
    expect(progress.map((p) => p.done)).toEqual(
      [...progress.map((p) => p.done)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: total });
    expect(progress.map((p) => p.phase)).toContain('copy hosts');

    const restoreProgress: Progress[] = [];
    const restored = await runJob(
      { ...base(), kind: 'restore', input: {}, file: exported.file, pinned: [] },
      { onProgress: (p) => restoreProgress.push(p) },
    );
    expect(restored.name).toBe('Acme (restored)');
    expect(restoreProgress.at(-1)).toMatchObject({ phase: 'done' });
    expect(restoreProgress.map((p) => p.phase)).toContain('restore hosts');
    // The main thread's connection sees what the worker wrote.
    const org = await x.w.caller(x.w.admin).organizations.get({ id: restored.organization_id });
    expect(org.name).toBe('Acme (restored)');
  });

  it('a domain error in the worker keeps its code and field on the main thread', async () => {
    const tech = await x.w.userWith(x.w.accountId, [{ role: 'technician', orgId: x.acme.id }]);
    const err = await runJob({
      ...base(),
      actor: tech,
      kind: 'export',
      input: { scope: 'organization', organization_id: x.acme.id },
      target: x.file('denied.orgdesk-export'),
      sourceLabel: 'worker test',
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DomainError', code: 'FORBIDDEN' });
    expect((err as Error).message).toMatch(/organizations\.edit/);
    const bad = await runJob({
      ...base(),
      kind: 'restore',
      input: {},
      file: x.file('missing'),
      pinned: [],
    }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'NOT_FOUND', field: 'file' });
  });

  it('verifies an export’s checksum on the worker, and refuses a changed one', async () => {
    const { file, manifest } = await x.exporter.exportTo(
      x.w.admin,
      { scope: 'organization', organization_id: x.acme.id },
      x.file('verify.orgdesk-export'),
    );
    const verified = await runJob({ kind: 'verify', file });
    expect(verified.manifest.content_sha256).toBe(manifest.content_sha256);
    const db = new Database(file);
    db.prepare("UPDATE locations SET name = 'Elsewhere' WHERE name = 'HQ'").run();
    db.close();
    await expect(runJob({ kind: 'verify', file })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      field: 'file',
      message: expect.stringMatching(/changed after it was exported/),
    });
    // A manifest that does not carry the checksum the worker verified is refused too.
    await expect(
      openReview(file, { migrationsFolder: MIGRATIONS, verifiedSha256: 'f'.repeat(64) }),
    ).rejects.toThrow(/checksum/);
  });
});
