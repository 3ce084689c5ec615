// The app protocol's CSP and containment, enforced by a real Chromium (Debian's, headless): the
// same serveAppRequest that answers orgdesk-app:// in Electron, mounted on 127.0.0.1 for the test.
// Inline script, eval, remote fetches, images and frames must all be blocked, and nothing may
// reach another origin; the built console (when built) must load without a single violation.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN, serveAppRequest } from '../../main/desktop/shell/app-protocol';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../fixtures/chromium';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium)
  console.warn(
    `CSP tests in Chromium skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  );

function serve(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    // The request as Electron's protocol handler would see it.
    void serveAppRequest(root, `${APP_ORIGIN}${req.url ?? '/'}`, req.method).then((r) => {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

let browser: Browser;
let dir: string;
let app: { server: Server; origin: string };
let elsewhere: { server: Server; origin: string; hits: string[] };

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-csp-'));
  const hits: string[] = [];
  const other = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
    res.end('reached');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  elsewhere = {
    server: other,
    origin: `http://127.0.0.1:${(other.address() as AddressInfo).port}`,
    hits,
  };
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><title>csp</title>
<script>window.inlineRan = true;</script>
<script src="./app.js"></script></head>
<body><img src="${elsewhere.origin}/pixel.png"><iframe src="${elsewhere.origin}/frame"></iframe>
<form id="f" action="${elsewhere.origin}/post" method="post"><input name="x" value="1"></form>
<a id="away" href="file:///etc/passwd">local file</a></body></html>`,
  );
  writeFileSync(
    join(dir, 'app.js'),
    `window.fileRan = true;
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective));
try { eval('1'); window.evalRan = true; } catch { window.evalBlocked = true; }
try { new Function('return 1')(); window.functionRan = true; } catch { window.functionBlocked = true; }
window.addEventListener('load', () => {
  fetch('${elsewhere.origin}/fetch').then(() => { window.fetchRan = true; }, () => { window.fetchBlocked = true; })
    .finally(() => { document.body.dataset.state = 'ready'; });
});`,
  );
  app = await serve(dir);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  if (!hasChromium) return;
  await browser?.close();
  await new Promise((r) => app.server.close(r));
  await new Promise((r) => elsewhere.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('CSP of the app protocol, in Chromium', () => {
  it('runs the app’s own script and nothing else; nothing reaches another origin', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.origin}/index.html`);
    await page.locator('body[data-state="ready"]').waitFor();
    const state = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return {
        fileRan: w.fileRan,
        inlineRan: w.inlineRan ?? false,
        evalRan: w.evalRan ?? false,
        functionRan: w.functionRan ?? false,
        fetchRan: w.fetchRan ?? false,
        fetchBlocked: w.fetchBlocked ?? false,
      };
    });
    expect(state).toEqual({
      fileRan: true,
      inlineRan: false,
      evalRan: false,
      functionRan: false,
      fetchRan: false,
      fetchBlocked: true,
    });
    // A form post to elsewhere is blocked too (form-action 'none').
    await page.locator('#f').evaluate((form) => (form as unknown as { submit(): void }).submit());
    const violations = await page.evaluate(
      () => (globalThis as unknown as { violations: string[] }).violations,
    );
    expect(violations).toEqual(expect.arrayContaining(['connect-src', 'img-src', 'frame-src']));
    expect(elsewhere.hits).toEqual([]);
    await page.close();
  });

  it('traversal requests, sent exactly as written, are refused', async () => {
    // node:http sends the path as given (a browser would normalise it first).
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const port = Number(new URL(app.origin).port);
        const req = request({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cwin.ini',
    ]) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body).not.toMatch(/root:/);
    }
  });

  const built = join(process.cwd(), 'dist', 'renderer', 'index.html');
  it.skipIf(!existsSync(built))(
    'the built console loads under this CSP without a violation',
    async () => {
      const console = await serve(join(process.cwd(), 'dist', 'renderer'));
      try {
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
        });
        await page.goto(`${console.origin}/index.html`);
        await page.locator('#root > *').first().waitFor();
        expect(violations).toEqual([]);
        await page.close();
      } finally {
        await new Promise((r) => console.server.close(r));
      }
    },
  );
  if (!existsSync(built)) {
    console.warn(
      'Built-console CSP check skipped: dist/renderer is not built (npm run build:renderer).',
    );
  }
});
