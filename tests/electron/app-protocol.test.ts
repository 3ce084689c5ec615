// The app protocol (orgdesk-app://app/…): every request stays inside the built renderer
// directory, and every response carries the strict CSP and security headers.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  resolveAppAsset,
  serveAppRequest,
} from '../../main/desktop/shell/app-protocol';

let base: string;
let root: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'orgdesk-proto-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'outside the app');
  // A symlink inside the build that points out of it.
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.js'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('path containment', () => {
  it('maps app URLs to files under the root', () => {
    expect(resolveAppAsset(root, 'orgdesk-app://app/')).toEqual({
      ok: true,
      file: join(root, 'index.html'),
    });
    expect(resolveAppAsset(root, 'orgdesk-app://app/assets/app.js')).toEqual({
      ok: true,
      file: join(root, 'assets', 'app.js'),
    });
    expect(resolveAppAsset(root, 'orgdesk-app://app/assets/my%20file.js')).toMatchObject({
      ok: true,
      file: join(root, 'assets', 'my file.js'),
    });
  });

  it('rejects traversal, encoded traversal, absolute paths and other tricks', () => {
    const cases = [
      'orgdesk-app://app/%2e%2e/secret.txt',
      'orgdesk-app://app/assets/%2E%2E/%2E%2E/secret.txt',
      'orgdesk-app://app/..%2fsecret.txt',
      'orgdesk-app://app/assets/..%2F..%2Fsecret.txt',
      'orgdesk-app://app/%2fetc%2fpasswd',
      'orgdesk-app://app//etc/passwd',
      'orgdesk-app://app/C:/Windows/win.ini',
      'orgdesk-app://app/C%3A%5CWindows%5Cwin.ini',
      'orgdesk-app://app/assets%5C..%5C..%5Csecret.txt',
      'orgdesk-app://app/index.html%00.js',
      'orgdesk-app://app/%E0%A4%A',
      'orgdesk-app://app/./index.html',
    ];
    for (const url of cases) {
      const r = resolveAppAsset(root, url);
      expect({ url, ok: r.ok }).toEqual({ url, ok: false });
    }
    // Plain ../ too, although the URL parser would already have removed it.
    expect(resolveAppAsset(root, 'orgdesk-app://app/../../secret.txt')).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('rejects other schemes, hosts, ports and credentials', () => {
    for (const url of [
      'file:///etc/passwd',
      'https://app/index.html',
      'orgdesk-app://evil/index.html',
      'orgdesk-app://app.evil/index.html',
      'orgdesk-app://user@app/index.html',
      'orgdesk-app://app:8080/index.html',
      'not a url',
    ]) {
      expect(resolveAppAsset(root, url).ok, url).toBe(false);
      expect(isAppUrl(url), url).toBe(false);
    }
    expect(isAppUrl('orgdesk-app://app/index.html')).toBe(true);
  });
});

describe('serving', () => {
  it('serves files with the CSP and security headers', async () => {
    const res = await serveAppRequest(root, 'orgdesk-app://app/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('console.log(1)');
    expect(res.headers).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('the CSP allows no inline script, eval, remote origin or framing', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('refuses escapes with an error status, follows no symlink out of the root', async () => {
    expect((await serveAppRequest(root, 'orgdesk-app://app/%2e%2e/secret.txt')).status).toBe(403);
    const link = await serveAppRequest(root, 'orgdesk-app://app/assets/link.js');
    expect(link.status).toBe(404);
    expect(link.body.toString()).not.toContain('outside the app');
    expect((await serveAppRequest(root, 'orgdesk-app://app/assets/missing.js')).status).toBe(404);
    expect((await serveAppRequest(root, 'orgdesk-app://app/index.html', 'POST')).status).toBe(405);
  });

  it('client-side routes (no extension) get the app entry', async () => {
    const res = await serveAppRequest(root, 'orgdesk-app://app/organizations/12');
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toMatch(/text\/html/);
  });
});
