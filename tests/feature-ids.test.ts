// Every feature id the repository cites (in code, tests or docs) is explained on docs/features.md,
// where each id is defined by one list item of the form `- **ORG-2** — …` under its area's heading.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = 'docs/features.md';
const PREFIXES = [
  'TEN',
  'ORG',
  'SEC',
  'LOC',
  'AGT',
  'AUT',
  'SUP',
  'GOV',
  'GDPR',
  'AUD',
  'UI',
  'EXP',
  'API',
  'PLAT',
  'IDN',
  'SCALE',
  'INT',
];
const CITED = new RegExp(`\\b(?:${PREFIXES.join('|')})-\\d+\\b`, 'g');
const DEFINED = /^- \*\*([A-Z]+-\d+)\*\* — /gm;

const SCANNED_DIRS = ['main', 'preload', 'shared', 'renderer', 'tests', 'bench', 'scripts', 'docs'];
const SCANNED_FILES = /\.(?:ts|tsx|mts|mjs|js|sql|css|html|md)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'meta']);

function* files(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) yield* files(path);
    } else if (SCANNED_FILES.test(e.name)) yield path;
  }
}

/** Each cited id with the first file that cites it. */
function citedIds(): Map<string, string> {
  const out = new Map<string, string>();
  const paths = [
    ...SCANNED_DIRS.flatMap((d) => [...files(join(ROOT, d))]),
    join(ROOT, 'README.md'),
  ];
  for (const path of paths) {
    const where = relative(ROOT, path);
    if (where === PAGE) continue;
    for (const [id] of readFileSync(path, 'utf8').matchAll(CITED)) {
      if (!out.has(id)) out.set(id, where);
    }
  }
  return out;
}

const page = readFileSync(join(ROOT, PAGE), 'utf8');
const defined = [...page.matchAll(DEFINED)].map((m) => m[1]!);

describe(PAGE, () => {
  it('defines every feature id cited in the repository', () => {
    const known = new Set(defined);
    const missing = [...citedIds()]
      .filter(([id]) => !known.has(id))
      .map(([id, where]) => `${id} (cited in ${where})`);
    expect(missing, `add these ids to ${PAGE}`).toEqual([]);
  });

  it('defines each id once, under the heading of its prefix', () => {
    const duplicates = defined.filter((id, i) => defined.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
    const misplaced: string[] = [];
    let area = '';
    for (const line of page.split('\n')) {
      const heading = /^## .*\(([A-Z]+)\)$/.exec(line);
      if (heading) area = heading[1]!;
      const item = /^- \*\*([A-Z]+)-\d+\*\*/.exec(line);
      if (item && item[1] !== area) misplaced.push(line.slice(2, 40));
    }
    expect(misplaced).toEqual([]);
    expect(PREFIXES.filter((p) => !page.includes(`(${p})\n`))).toEqual([]);
  });
});
