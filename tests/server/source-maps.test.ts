// Source maps hand out the console's original source; the server never serves them, and the
// build does not point to them (hidden: kept on disk to read a stack trace, never referenced).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import viteConfig from '../../vite.config';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
let root: string;
beforeAll(async () => {
  // A built console with its maps beside the bundles, as `vite build` with maps on leaves it.
  root = mkdtempSync(join(tmpdir(), 'orgdesk-console-'));
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'assets/app.js'), 'console.log(1);\n');
  writeFileSync(join(root, 'assets/app.js.map'), '{"version":3,"sources":["secret.ts"]}');
  writeFileSync(join(root, 'assets/app.css.MAP'), '{"version":3}');
  s = await startServer({ staticDir: root });
});
afterAll(async () => {
  await s.close();
  rmSync(root, { recursive: true, force: true });
});

describe('source maps', () => {
  it('the bundle itself is served', async () => {
    const res = await s.request('GET', '/assets/app.js', { token: null });
    expect(res.status).toBe(200);
    expect(res.text).toBe('console.log(1);\n');
  });

  it.each([
    ['GET', '/assets/app.js.map'],
    ['HEAD', '/assets/app.js.map'],
    ['GET', '/assets/app.js%2Emap'],
    ['GET', '/assets/app.css.MAP'],
    ['GET', '/assets/app.js.map?x=1'],
  ])('%s %s is 404 although the file exists', async (method, path) => {
    const res = await s.request(method, path, { token: null });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('secret.ts');
  });

  it('vite builds them hidden (or not at all): no bundle names its map', () => {
    const sourcemap = (viteConfig as { build?: { sourcemap?: unknown } }).build?.sourcemap;
    expect(['hidden', false]).toContain(sourcemap);
  });
});
