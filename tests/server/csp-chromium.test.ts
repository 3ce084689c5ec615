// The web console's CSP (shared/csp.ts, sent by main/server/static.ts), enforced by a real Chromium
// (Debian's, headless): the app's own script runs, inline script and eval do not, the API on the
// same origin is reachable and no other origin is; the built console (when built) loads under it
// without a single violation. The desktop's twin is tests/electron/csp-chromium.test.ts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../main/server/static';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../fixtures/chromium';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium)
  console.warn(
    `Web CSP tests in Chromium skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
  );

type Listening = { server: Server; origin: string };

const listen = (server: Server): Promise<Listening> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );

/** The console's files as the Orgdesk server serves them; /trpc/ answers like an API would. */
const serve = (root: string): Promise<Listening> =>
  listen(
    createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/trpc/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"api":true}');
        return;
      }
      serveStatic(req, res, url, root);
    }),
  );

let browser: Browser;
let dir: string;
let web: Listening;
let elsewhere: Listening & { hits: string[] };

beforeAll(async () => {
  if (!hasChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-web-csp-'));
  const hits: string[] = [];
  elsewhere = {
    ...(await listen(
      createServer((req, res) => {
        hits.push(req.url ?? '');
        res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
        res.end('reached');
      }),
    )),
    hits,
  };
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><title>csp</title>
<script>window.inlineRan = true;</script>
<script src="./app.js"></script></head>
<body><img src="${elsewhere.origin}/pixel.png"><iframe src="${elsewhere.origin}/frame"></iframe></body></html>`,
  );
  writeFileSync(
    join(dir, 'app.js'),
    `window.fileRan = true;
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective));
try { eval('1'); window.evalRan = true; } catch { window.evalBlocked = true; }
window.addEventListener('load', () => {
  Promise.allSettled([
    fetch('./trpc/auth.me').then((r) => r.json()).then((b) => { window.apiReached = b.api === true; }),
    fetch('${elsewhere.origin}/fetch').then(() => { window.remoteRan = true; }),
  ]).finally(() => { document.body.dataset.state = 'ready'; });
});`,
  );
  web = await serve(dir);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  if (!hasChromium) return;
  await browser?.close();
  await new Promise((r) => web.server.close(r));
  await new Promise((r) => elsewhere.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('CSP of the web console, in Chromium', () => {
  it('runs the console’s own script and reaches its API, nothing else', async () => {
    const page = await browser.newPage();
    await page.goto(`${web.origin}/index.html`);
    await page.locator('body[data-state="ready"]').waitFor();
    const state = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return {
        fileRan: w.fileRan,
        inlineRan: w.inlineRan ?? false,
        evalRan: w.evalRan ?? false,
        apiReached: w.apiReached ?? false,
        remoteRan: w.remoteRan ?? false,
      };
    });
    expect(state).toEqual({
      fileRan: true,
      inlineRan: false,
      evalRan: false,
      apiReached: true,
      remoteRan: false,
    });
    const violations = await page.evaluate(
      () => (globalThis as unknown as { violations: string[] }).violations,
    );
    expect(violations).toEqual(expect.arrayContaining(['connect-src', 'img-src', 'frame-src']));
    expect(elsewhere.hits).toEqual([]);
    await page.close();
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
        await page.goto(`${console.origin}/`);
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
      'Built-console web CSP check skipped: dist/renderer is not built (npm run build:renderer).',
    );
  }
});
