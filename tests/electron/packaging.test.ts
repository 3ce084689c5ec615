// The packaging configuration agrees with the code that runs packaged: fuses hardened (but
// Playwright's inspect fuse kept), native module and worker unpacked, migrations shipped where
// main/electron/paths.ts looks for them; and `npm start` says clearly when Electron is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const yml = readFileSync('electron-builder.yml', 'utf8');
const line = (key: string): string | undefined =>
  yml
    .split('\n')
    .find((l) => l.trim().startsWith(`${key}:`))
    ?.split(':')[1]
    ?.trim();

describe('electron-builder.yml', () => {
  it('hardens the Electron fuses, keeping only what Playwright needs', () => {
    expect(line('runAsNode')).toBe('false');
    expect(line('enableNodeOptionsEnvironmentVariable')).toBe('false');
    expect(line('enableCookieEncryption')).toBe('true');
    expect(line('enableEmbeddedAsarIntegrityValidation')).toBe('true');
    expect(line('onlyLoadAppFromAsar')).toBe('true');
    expect(line('enableNodeCliInspectArguments')).toBe('true');
    expect(yml).toMatch(/Playwright[\s\S]{0,200}enableNodeCliInspectArguments: true/);
  });

  it('targets AppImage and deb, NSIS and dmg', () => {
    expect(yml).toMatch(/linux:\n\s+target: \[AppImage, deb\]/);
    expect(yml).toMatch(/win:\n\s+target: nsis/);
    expect(yml).toMatch(/mac:\n\s+target: dmg/);
  });

  it('unpacks what cannot run from app.asar, where the code looks for it', () => {
    expect(yml).toContain('- node_modules/better-sqlite3/**');
    expect(yml).toContain('- dist/main/electron/export-worker.mjs');
    const paths = readFileSync('main/electron/paths.ts', 'utf8');
    expect(paths).toContain("'app.asar.unpacked'");
    expect(paths).toContain("'export-worker.mjs'");
    expect(readFileSync('scripts/build-main.mjs', 'utf8')).toContain("'export-worker.mjs'");
  });

  it('ships the migrations as a resource at the path the packaged app reads', () => {
    expect(yml).toMatch(/extraResources:\n\s+- from: main\/db\/migrations\n\s+to: migrations/);
    expect(readFileSync('main/electron/paths.ts', 'utf8')).toContain(
      "join(process.resourcesPath, 'migrations')",
    );
    expect(existsSync('main/db/migrations/meta/_journal.json')).toBe(true);
  });

  it('registers the orgdesk:// scheme for deep links', () => {
    expect(yml).toMatch(/schemes: \[orgdesk\]/);
  });
});

function binaryPresent(): boolean {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    return (
      existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()))
    );
  } catch {
    return false;
  }
}

describe('npm start', () => {
  // Where the binary exists, `npm start` would launch the app: not something to do in a test.
  it.skipIf(binaryPresent())(
    'says clearly that the Electron binary is missing, and exits non-zero',
    () => {
      const run = spawnSync(process.execPath, ['scripts/start.mjs'], {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        timeout: 60_000,
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/the Electron binary is not installed/);
      expect(run.stderr).toMatch(/npx electron --version/);
      expect(run.stderr).toMatch(/npm run server/);
    },
  );
});
