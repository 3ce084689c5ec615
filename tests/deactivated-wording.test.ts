// Issue 17 item 8: an org, account or user that an admin deactivated is "Deactivated" everywhere
// the console, the API's descriptions and the docs say so; never "Inactive" (hosts are online,
// offline or stale, AGT-3). This reads every string the console can show (string literals,
// template text and JSX text of renderer/), the API's descriptions and summaries (shared/schemas,
// the routers) and the docs, and fails where "inactive" comes back.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const INACTIVE = /\binactive\b/i;

/**
 * Where "inactive" means something else, each with the reason. Support access (SUP-2) is a grant
 * that is running or not, never deactivated by anyone; a workflow definition (AUT-4) has an
 * active flag of its own and is not an org, account or user.
 */
const ELSEWHERE: { file: string; text: RegExp; why: string }[] = [
  {
    file: 'renderer/features/support-access/status-panel.tsx',
    text: /^Inactive$/,
    why: 'SUP-2: no support grant is running now',
  },
  // TanStack Query's name for a cached answer no component shows: an API value, never shown.
  ...['renderer/features/support-access/access-watch.tsx', 'renderer/shell/app.tsx'].map(
    (file) => ({
      file,
      text: /^inactive$/,
      why: "TanStack Query's removeQueries({ type: 'inactive' }): the cache's word, not shown",
    }),
  ),
  {
    file: 'main/features/organizations/organizations.service.ts',
    text: /^ is inactive: activate it first/,
    why: 'AUT-3/AUT-4: a workflow definition, not an org',
  },
];

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesUnder(join(dir, e.name), ext)
      : ext.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

/** The text of a TypeScript file's strings, template parts and JSX text (no comments, no names). */
function stringsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      out.push(node.text);
    } else if (ts.isJsxText(node) && node.text.trim() !== '') {
      out.push(node.text.trim());
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function offenders(files: string[], read: (f: string) => string[]): string[] {
  return files.flatMap((file) =>
    read(file)
      .filter((s) => INACTIVE.test(s))
      .filter((s) => !ELSEWHERE.some((e) => e.file === file && e.text.test(s)))
      .map((s) => `${file}: ${JSON.stringify(s)}`),
  );
}

describe('"Deactivated", said one way', () => {
  it('the console never calls an org, account or user "inactive"', () => {
    const files = filesUnder('renderer', /\.tsx?$/);
    expect(files.length).toBeGreaterThan(50);
    expect(offenders(files, stringsOf)).toEqual([]);
  });

  it("the API's descriptions, summaries and messages never do", () => {
    const files = [...filesUnder('shared', /\.ts$/), ...filesUnder('main/features', /\.ts$/)];
    expect(offenders(files, stringsOf)).toEqual([]);
  });

  it('the docs never do', () => {
    const files = [...filesUnder('docs', /\.md$/), 'README.md'];
    const lines = (f: string) => readFileSync(join(root, f), 'utf8').split('\n');
    expect(offenders(files, lines)).toEqual([]);
  });

  it('each exception still exists (an exception nobody needs is removed)', () => {
    for (const e of ELSEWHERE) {
      expect(
        stringsOf(e.file).some((s) => e.text.test(s)),
        `${e.file}: ${e.why}`,
      ).toBe(true);
    }
  });
});
