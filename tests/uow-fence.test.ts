// Issue 14: services reach storage only through the unit of work. The storage fence of
// eslint.config.js refuses drizzle, better-sqlite3 and main/db/ in services (main/core/**,
// main/features/**/*.service.ts), except the files on the allow-list of eslint.not-converted.js,
// and that list may only shrink: every line is a conversion still to do.
import { untypedEslint } from './fixtures/eslint-untyped';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOT_CONVERTED } from '../eslint.not-converted.js';

const eslint = untypedEslint();
const FENCE = /reaches storage only through its unit of work/;

async function restricted(filePath: string, code?: string): Promise<string[]> {
  const [result] =
    code === undefined
      ? await eslint.lintFiles([filePath])
      : await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

/**
 * The allow-list as this step left it (issue 14, first step: organizations and access converted).
 * A conversion deletes lines from eslint.not-converted.js; nothing is ever added back.
 */
const BASELINE = [
  'main/core/audit.ts',
  'main/features/accounts/accounts.service.ts',
  'main/features/audit/audit.service.ts',
  'main/features/auth/auth.service.ts',
  'main/features/automation/automation.service.ts',
  'main/features/feature-flags/feature-flags.service.ts',
  'main/features/fleet/fleet.service.ts',
  'main/features/gdpr/gdpr.service.ts',
  'main/features/governance/governance.service.ts',
  'main/features/hosts/hosts.service.ts',
  'main/features/locations/locations.service.ts',
  'main/features/support-access/support-access.service.ts',
  'main/features/users/users.service.ts',
  'main/features/workflows/incidents.service.ts',
  'main/features/workflows/workflows.service.ts',
];

const STORAGE_IMPORT = /from '(drizzle-orm[^']*|better-sqlite3|(\.\.\/)+db\/[^']*)'/;

describe('the storage fence of services (issue 14)', () => {
  const probes = [
    ['main/features/probe/probe.service.ts', 'drizzle-orm'],
    ['main/features/probe/probe.service.ts', 'drizzle-orm/sqlite-core'],
    ['main/features/probe/probe.service.ts', 'better-sqlite3'],
    ['main/features/probe/probe.service.ts', '../../db/database'],
    ['main/features/probe/probe.service.ts', '../../db/schema'],
    ['main/core/probe.ts', 'drizzle-orm'],
    ['main/core/probe.ts', '../db/database'],
  ] as const;

  it.each(probes)('refuses %s importing %s (values and types alike)', async (file, from) => {
    const value = `import { probe } from '${from}';\nexport const used = [probe];\n`;
    const type = `import type { Probe } from '${from}';\nexport type Used = Probe;\n`;
    expect(await restricted(file, value)).toEqual([expect.stringMatching(FENCE)]);
    expect(await restricted(file, type)).toEqual([expect.stringMatching(FENCE)]);
  });

  it('keeps the zones it shares files with (a fenced service still may not import main/server/)', async () => {
    const code = `import { probe } from '../../server/http-io';\nexport const used = [probe];\n`;
    expect(await restricted('main/features/probe/probe.service.ts', code)).toEqual([
      expect.stringMatching(/main\/features\/ may not import main\/server\//),
    ]);
  });

  it.each([
    'main/features/organizations/organizations.service.ts',
    'main/features/onboarding/onboarding.service.ts',
    'main/features/onboarding/onboarding-defaults.service.ts',
    'main/features/organizations/secrets.service.ts',
    'main/features/agents/agents.service.ts',
    'main/features/hosts/hosts.service.ts',
    'main/features/locations/locations.service.ts',
    'main/features/fleet/fleet.service.ts',
    'main/features/support-access/support-access.service.ts',
    'main/features/users/users.service.ts',
    'main/features/accounts/accounts.service.ts',
    'main/features/auth/auth.service.ts',
    'main/core/access.ts',
    'main/core/uow.ts',
    'main/features/feature-flags/feature-flags.service.ts',
    'main/features/automation/automation.service.ts',
    'main/features/workflows/workflows.service.ts',
    'main/features/workflows/incidents.service.ts',
    'main/features/governance/governance.service.ts',
    'main/features/audit/audit.service.ts',
    'main/features/gdpr/gdpr.service.ts',
    // Issue 15: the SQLite append moved to main/db/sqlite/audit-log.ts; the chain stays here.
    'main/core/audit.ts',
  ])('the converted %s imports no storage', async (file) => {
    expect(NOT_CONVERTED).not.toContain(file);
    expect(await restricted(file)).toEqual([]);
  });

  it('the allow-list only shrinks, and lists only files that still need it', () => {
    expect(NOT_CONVERTED.filter((f) => !BASELINE.includes(f))).toEqual([]);
    const stale = NOT_CONVERTED.filter(
      (f) => !existsSync(f) || !STORAGE_IMPORT.test(readFileSync(f, 'utf8')),
    );
    // Converted (or gone): delete its line from eslint.not-converted.js.
    expect(stale).toEqual([]);
  });
});
