// The import zones of eslint.config.js, exercised through the ESLint Node API: a probe source at a
// virtual path inside each zone must get the zone's error for each forbidden import, and none for
// an allowed one. Removing or loosening a zone makes this fail.
import { untypedEslint } from './fixtures/eslint-untyped';
import { describe, expect, it } from 'vitest';

const eslint = untypedEslint();

/** The no-restricted-imports messages ESLint reports for `code` placed at `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

/** A probe that imports `what` from `from` and uses it, so no other rule has anything to say. */
const valueImport = (from: string, what = 'probe') =>
  `import { ${what} } from '${from}';\nexport const used = [${what}];\n`;
const typeImport = (from: string) =>
  `import type { Probe } from '${from}';\nexport type Used = Probe;\n`;

interface Case {
  zone: string;
  file: string;
  from: string;
  message: RegExp;
  typeOnly?: boolean;
}

const forbidden: Case[] = [
  // main/features/** imports nothing from main/server/**, main/desktop/**, main/electron/**, electron.
  {
    zone: 'features -> server',
    file: 'main/features/probe/probe.service.ts',
    from: '../../server/http-io',
    message: /main\/features\/ may not import main\/server\/: .+/,
  },
  {
    zone: 'features -> server (deeper file, type import)',
    file: 'main/features/probe/sub/probe.ts',
    from: '../../../server/rest/http-kit',
    message: /main\/features\/ may not import main\/server\/: .+/,
    typeOnly: true,
  },
  {
    zone: 'features -> desktop',
    file: 'main/features/probe/probe.service.ts',
    from: '../../desktop/export/export-file',
    message: /main\/features\/ may not import main\/desktop\/: .+/,
  },
  {
    zone: 'features -> desktop (type import)',
    file: 'main/features/probe/probe.router.ts',
    from: '../../desktop/desktop-shell',
    message: /main\/features\/ may not import main\/desktop\/: .+/,
    typeOnly: true,
  },
  {
    zone: 'features -> main/electron',
    file: 'main/features/probe/probe.service.ts',
    from: '../../electron/paths',
    message: /main\/features\/ may not import main\/electron\/: .+/,
  },
  {
    zone: 'features -> electron',
    file: 'main/features/probe/probe.service.ts',
    from: 'electron',
    message: /Only main\/electron\/ may import electron\./,
  },
  // main/core/** imports nothing from main/features/**.
  {
    zone: 'core -> features',
    file: 'main/core/probe.ts',
    from: '../features/organizations/organizations.service',
    message: /main\/core\/ may not import main\/features\/: .+/,
  },
  {
    zone: 'core -> features (type import)',
    file: 'main/core/probe.ts',
    from: '../features/audit/audit.service',
    message: /main\/core\/ may not import main\/features\/: .+/,
    typeOnly: true,
  },
  {
    zone: 'core -> electron',
    file: 'main/core/probe.ts',
    from: 'electron',
    message: /Only main\/electron\/ may import electron\./,
  },
  // main/server/** imports nothing from the desktop home (nor main/electron/, nor electron).
  {
    zone: 'server -> desktop',
    file: 'main/server/probe.ts',
    from: '../desktop/export/export.service',
    message: /main\/server\/ may not import main\/desktop\/: .+/,
  },
  {
    zone: 'server/rest -> desktop',
    file: 'main/server/rest/probe.rest.ts',
    from: '../../desktop/shell/app-protocol',
    message: /main\/server\/ may not import main\/desktop\/: .+/,
  },
  {
    zone: 'server -> main/electron',
    file: 'main/server/probe.ts',
    from: '../electron/paths',
    message: /main\/server\/ may not import main\/electron\/: .+/,
  },
  {
    zone: 'server -> electron',
    file: 'main/server/probe.ts',
    from: 'electron',
    message: /Only main\/electron\/ may import electron\./,
  },
  // renderer/components/** imports nothing from renderer/features/**, and keeps the browser fence.
  {
    zone: 'components -> features',
    file: 'renderer/components/probe.tsx',
    from: '../features/audit/audit-view',
    message: /renderer\/components\/ may not import renderer\/features\/: .+/,
  },
  {
    zone: 'components -> features (type import)',
    file: 'renderer/components/probe.tsx',
    from: '../features/desktop/desktop-api',
    message: /renderer\/components\/ may not import renderer\/features\/: .+/,
    typeOnly: true,
  },
  {
    zone: 'components -> Node built-in',
    file: 'renderer/components/probe.tsx',
    from: 'node:fs',
    message: /no Node built-ins/,
  },
  {
    zone: 'components -> main (value)',
    file: 'renderer/components/probe.tsx',
    from: '../../main/trpc/router',
    message: /may import only types from main\//,
  },
  {
    zone: 'components -> electron',
    file: 'renderer/components/probe.tsx',
    from: 'electron',
    message: /only through tRPC/,
  },
];

const allowed: Omit<Case, 'message'>[] = [
  {
    zone: 'features -> core',
    file: 'main/features/probe/probe.service.ts',
    from: '../../core/errors',
  },
  // A feature's helpers may still reach main/db/; its services may not (issue 14: the storage
  // fence, tests/uow-fence.test.ts).
  { zone: 'features -> db', file: 'main/features/probe/probe-sql.ts', from: '../../db/schema' },
  {
    zone: 'features -> trpc',
    file: 'main/features/probe/probe.router.ts',
    from: '../../trpc/trpc',
  },
  {
    zone: 'features -> @trpc/server',
    file: 'main/features/probe/probe.router.ts',
    from: '@trpc/server',
  },
  {
    zone: 'features -> another feature',
    file: 'main/features/probe/probe.service.ts',
    from: '../organizations/organizations.service',
  },
  {
    zone: 'features -> shared desktop schema',
    file: 'main/features/probe/probe.service.ts',
    from: '../../../shared/schemas/desktop.schema',
  },
  // core -> db is fenced since issue 14 (tests/uow-fence.test.ts).
  {
    zone: 'server -> features',
    file: 'main/server/probe.ts',
    from: '../features/hosts/hosts.service',
  },
  {
    zone: 'server/rest -> trpc',
    file: 'main/server/rest/probe.rest.ts',
    from: '../../trpc/router',
  },
  {
    zone: 'desktop -> features',
    file: 'main/desktop/probe.ts',
    from: '../features/hosts/hosts.service',
  },
  { zone: 'desktop -> core', file: 'main/desktop/export/probe.ts', from: '../../core/errors' },
  { zone: 'electron -> desktop', file: 'main/electron/probe.ts', from: '../desktop/desktop-shell' },
  { zone: 'electron -> electron', file: 'main/electron/probe.ts', from: 'electron' },
  { zone: 'components -> lib', file: 'renderer/components/probe.tsx', from: '../lib/format' },
  {
    zone: 'components -> main (type)',
    file: 'renderer/components/probe.tsx',
    from: '../../main/trpc/router',
    typeOnly: true,
  },
  {
    zone: 'features -> components',
    file: 'renderer/features/probe/probe-view.tsx',
    from: '../../components/dialog',
  },
];

describe('lint zones (eslint.config.js)', () => {
  it.each(forbidden)('forbids $zone', async ({ file, from, message, typeOnly }) => {
    const messages = await restricted(file, typeOnly ? typeImport(from) : valueImport(from));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each(allowed)('allows $zone', async ({ file, from, typeOnly }) => {
    expect(await restricted(file, typeOnly ? typeImport(from) : valueImport(from))).toEqual([]);
  });
});
