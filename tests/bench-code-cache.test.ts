// The browser benchmark's returning user (bench/browser-bench.ts) is one for real: a load of a
// page whose module script ran before reads V8's code cache instead of compiling the script.
// An off-the-record context (the benchmark's until now) keeps no code cache; Chromium 156 as
// Playwright starts it wrote the cache but never read it (BackgroundResourceFetch).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openReturningUser } from '../bench/browser-bench';

// Large enough to be cached (Chromium skips small scripts), many functions as a real bundle.
const SCRIPT =
  Array.from({ length: 3000 }, (_, i) => `export function f${i}(x) { return x * ${i} + 1; }`).join(
    '\n',
  ) + '\nglobalThis.__ran = f2999(1);\n';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.setHeader('Content-Type', 'text/javascript');
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.end(SCRIPT);
      return;
    }
    res.setHeader('Content-Type', 'text/html');
    res.setHeader('Cache-Control', 'no-cache');
    res.end('<!doctype html><title>t</title><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

interface TraceEvent {
  name: string;
  args?: { data?: { url?: string; consumedCacheSize?: number } };
}

/** The bytes of code cache the module's compile read on a new page's load (0: compiled). */
async function consumedOnLoad(context: BrowserContext): Promise<number> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const done = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['v8', 'devtools.timeline'] },
  });
  await page.goto(url);
  await page.waitForFunction('globalThis.__ran === 3000');
  await cdp.send('Tracing.end');
  await done;
  await page.close();
  const compile = events.filter(
    (e) => e.name === 'v8.compileModule' && e.args?.data?.url?.endsWith('/app.js'),
  );
  // The trace is the browser's: the page's compile is among them (at least one).
  expect(compile.length).toBeGreaterThan(0);
  return Math.max(...compile.map((e) => e.args?.data?.consumedCacheSize ?? 0));
}

it("the returning user's loads read the V8 code cache Chromium wrote on the earlier ones", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-code-cache-'));
  const context = await openReturningUser(dir, url);
  try {
    // Chromium keeps a script's code cache once it has run twice: seen, then written.
    const sizes = [];
    for (let i = 0; i < 4; i++) sizes.push(await consumedOnLoad(context));
    expect(sizes[0]).toBe(0);
    expect(sizes[3]).toBeGreaterThan(10_000);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
