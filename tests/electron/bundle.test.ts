// `npm run build:main`: the Electron main process and the export worker as bundles that need
// nothing at run time but Electron, better-sqlite3 and Node's built-ins; and the bundled worker
// really runs (under Node here; under Electron's Node in the app).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../main/desktop/export/export.service';
import { runJob } from '../../main/desktop/export/export-runner';
import { verifySignature } from '../../main/core/export-key';
import type { AuditExportBytes } from '../../main/features/audit/audit-jobs';
import { ReadPool } from '../../main/workers/read-pool';
import type { AuditVerifyResult } from '../../shared/schemas/audit.schema';
import { createExportWorld, MIGRATIONS } from '../fixtures/export-world';

let out: string;
beforeAll(() => {
  // Inside the repo, as in the app: the externals resolve from node_modules above the bundle.
  mkdirSync('dist', { recursive: true });
  out = mkdtempSync(join(process.cwd(), 'dist', 'bundle-test-'));
  execFileSync(process.execPath, ['scripts/build-main.mjs', '--outdir', out], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const ALLOWED = new Set([
  'electron',
  'better-sqlite3',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
]);

function dependencies(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specs = [
    ...code.matchAll(/^\s*import\s[^'"]*?from\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]!);
  return [...new Set(specs)].sort();
}

describe('main-process bundles', () => {
  it('need only electron, better-sqlite3 and Node built-ins', () => {
    const main = dependencies(join(out, 'main.js'));
    expect(main).toContain('electron');
    expect(main).toContain('better-sqlite3');
    expect(main.filter((d) => !ALLOWED.has(d))).toEqual([]);
    for (const file of ['export-worker.mjs', 'read-worker.mjs']) {
      const worker = dependencies(join(out, file));
      expect(worker).not.toContain('electron');
      expect(worker.filter((d) => !ALLOWED.has(d))).toEqual([]);
    }
  });

  it('the desktop read worker carries no PostgreSQL code: the desktop is SQLite-only', () => {
    // The server's PostgreSQL jobs run in a worker of their own (main/workers/pg-read-worker.ts,
    // from source); a read-worker.ts that reached for them would bundle pg and its runner here.
    // esbuild names every module it bundles in a `// path` comment.
    const code = readFileSync(join(out, 'read-worker.mjs'), 'utf8');
    expect(code).toMatch(/^\/\/ main\/workers\/read-jobs\.ts$/m);
    expect(code).not.toMatch(/^\/\/ (main\/db\/pg\/|node_modules\/pg(-[a-z]+)?\/)/m);
  });

  it('the bundled read worker verifies the audit chain', async () => {
    const x = await createExportWorld();
    const pool = new ReadPool(
      { dbFile: x.w.opened.file, chainKey: x.w.services.infra.chain.derivedKey() },
      { entry: { file: pathToFileURL(join(out, 'read-worker.mjs')) } },
    );
    try {
      const result = await pool.run<AuditVerifyResult>({
        kind: 'audit.verify',
        accountId: x.w.accountId,
      });
      expect(result).toMatchObject({ ok: true });
      expect(result.checked).toBeGreaterThan(0);
    } finally {
      await pool.close();
      void x.w.close();
    }
  });

  it('the bundled read worker encodes and signs an audit export, its bytes transferred', async () => {
    const x = await createExportWorld();
    const signer = x.w.services.infra.signer;
    const pool = new ReadPool(
      { dbFile: x.w.opened.file, chainKey: x.w.services.infra.chain.derivedKey() },
      { entry: { file: pathToFileURL(join(out, 'read-worker.mjs')) } },
    );
    try {
      const result = await pool.run<AuditExportBytes>({
        kind: 'audit.export',
        scope: { accountId: x.w.accountId },
        filter: {},
        format: 'csv',
        signingKey: signer.signingKey(),
      });
      expect(result.bytes).toBeInstanceOf(Uint8Array);
      const csv = Buffer.from(result.bytes).toString('utf8');
      expect(csv.startsWith('id,at,account_id,')).toBe(true);
      expect(result.count).toBeGreaterThan(0);
      expect(
        verifySignature(signer.key().public_key, Buffer.from(result.bytes), result.signature),
      ).toBe(true);
    } finally {
      await pool.close();
      void x.w.close();
    }
  });

  it('the bundled worker exports with progress', async () => {
    const x = await createExportWorld();
    try {
      const progress: Progress[] = [];
      const result = await runJob(
        {
          kind: 'export',
          dbFile: x.w.opened.file,
          migrationsFolder: MIGRATIONS,
          masterKey: readFileSync(join(x.w.dir, 'master.key'), 'utf8').trim(),
          installationLabel: 'bundle test installation',
          actor: x.w.admin,
          input: { scope: 'account' },
          target: x.file('bundled.orgdesk-export'),
          sourceLabel: 'bundle test',
        },
        {
          onProgress: (p) => progress.push(p),
          entry: { file: pathToFileURL(join(out, 'export-worker.mjs')) },
        },
      );
      expect(result.manifest.organizations.map((o) => o.name)).toEqual(['Acme', 'Globex']);
      expect(progress.at(-1)).toMatchObject({ phase: 'done' });
    } finally {
      void x.w.close();
    }
  });
});
