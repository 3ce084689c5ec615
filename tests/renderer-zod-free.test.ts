// The console bundle stays free of zod: whatever the renderer imports as a value from shared/
// (constants, permissions, org search, …) must not reach zod, directly or through another module.
// Types are erased, so `import type` from a schema is fine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourcesUnder(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

/** The modules a file imports values from (not `import type`, not `export type`). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?'([^']+)'/gm,
  )) {
    if (!m[1]) out.push(m[2]!);
  }
  return out;
}

const resolveTs = (from: string, spec: string): string | null => {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  }
  return null;
};

/** The chain of imports from `file` to zod, or null when it never gets there. */
function pathToZod(file: string, seen = new Set<string>()): string[] | null {
  if (seen.has(file)) return null;
  seen.add(file);
  for (const spec of valueImports(file)) {
    if (spec === 'zod' || spec.startsWith('zod/')) return [relative(root, file), spec];
    if (!spec.startsWith('.')) continue;
    const next = resolveTs(file, spec);
    const rest = next && pathToZod(next, seen);
    if (rest) return [relative(root, file), ...rest];
  }
  return null;
}

describe('renderer imports from shared/', () => {
  it('never pull in zod', () => {
    const shared = resolve(root, 'shared');
    const reached = new Set<string>();
    const chains: string[][] = [];
    for (const file of sourcesUnder(resolve(root, 'renderer'))) {
      for (const spec of valueImports(file)) {
        const target = spec.startsWith('.') ? resolveTs(file, spec) : null;
        if (!target || !target.startsWith(shared)) continue;
        reached.add(relative(root, target));
        const chain = pathToZod(target);
        if (chain) chains.push([relative(root, file), ...chain]);
      }
    }
    expect(chains).toEqual([]);
    // The check looks at something: the constants and the permission table are imported.
    expect([...reached]).toEqual(
      expect.arrayContaining(['shared/constants.ts', 'shared/permissions.ts']),
    );
  });

  it('does see a schema import when there is one', () => {
    expect(pathToZod(resolve(root, 'shared/schemas/hosts.schema.ts'))).toEqual([
      'shared/schemas/hosts.schema.ts',
      'zod',
    ]);
  });
});
