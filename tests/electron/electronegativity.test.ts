// Electronegativity (Doyensec's Electron security scanner) over the Electron-facing code: the
// main process (main/electron) and the preload. No HIGH or MEDIUM finding may appear unless it is
// in the reviewed allowlist, and every allowlist entry must still match a finding.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_FINDINGS } from './electronegativity-allowlist';

const require = createRequire(import.meta.url);

function scanner(): string | null {
  try {
    const pkgFile = require.resolve('@doyensec/electronegativity/package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin: Record<string, string> };
    const bin = join(dirname(pkgFile), pkg.bin.electronegativity!);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** The CSV fields of one line (quoted fields may hold commas and doubled quotes). */
function csvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.trim());
  return out;
}

const bin = scanner();
if (!bin) {
  console.warn(
    'Electronegativity scan skipped: the dev dependency @doyensec/electronegativity is not installed (npm install).',
  );
}

describe('Electronegativity', () => {
  it.skipIf(!bin)(
    'finds no HIGH or MEDIUM issue outside the reviewed allowlist',
    () => {
      const work = mkdtempSync(join(tmpdir(), 'orgdesk-eneg-'));
      try {
        const tree = join(work, 'src');
        mkdirSync(join(tree, 'main'), { recursive: true });
        cpSync('main/electron', join(tree, 'main', 'electron'), { recursive: true });
        cpSync('preload', join(tree, 'preload'), { recursive: true });
        const csv = join(work, 'report.csv');
        // -e: the Electron version (the scanner cannot find package.json in this tree).
        execFileSync(process.execPath, [bin!, '-i', tree, '-r', '-e', '45.0.0', '-o', csv], {
          stdio: 'pipe',
          timeout: 120_000,
        });
        const rows = readFileSync(csv, 'utf8')
          .split('\n')
          .slice(1)
          .filter((l) => l.trim())
          .map(csvLine)
          .map(([check, severity, , file]) => ({
            check: check!,
            severity: severity!,
            file: file!,
          }));
        expect(rows.length).toBeGreaterThan(0);
        const serious = rows.filter((r) => r.severity === 'HIGH' || r.severity === 'MEDIUM');
        const counts = new Map<string, number>();
        for (const r of serious) {
          const key = `${r.check} ${r.file}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const allowed = new Map(ALLOWED_FINDINGS.map((a) => [`${a.check} ${a.file}`, a.count]));
        const unexpected = [...counts].filter(([key, n]) => n > (allowed.get(key) ?? 0));
        expect(unexpected).toEqual([]);
        const stale = [...allowed].filter(([key, n]) => (counts.get(key) ?? 0) < n);
        expect(stale).toEqual([]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
