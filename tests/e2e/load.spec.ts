// Console load: the first screen needs the shell and its own view only (both in app-main). Other
// views come as chunks of their own: the likely next one (an org's overview) after the first
// screen is up, another when the pointer or focus is on its link, or at the latest when opened.
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from './fixtures';

const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';

function chunksRequested(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const m = /\/assets\/([a-z-]+)-[A-Za-z0-9_-]{8}\.js$/.exec(new URL(r.url()).pathname);
    if (m) seen.push(m[1]!);
  });
  return seen;
}

test('views load as chunks of their own: likely next, on intent, the first with the shell', async ({
  page,
  signInAs,
}) => {
  const chunks = chunksRequested(page);
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  // The first view is part of the console proper (vite.config.ts, consoleChunk).
  expect(chunks).toContain('app-main');
  expect(chunks).not.toContain('organizations-view');
  for (const later of ['hosts-view', 'audit-view', 'users-view', 'governance-view']) {
    expect(chunks, later).not.toContain(later);
  }
  // After the first screen, without any action: the view opening an org shows first.
  await expect.poll(() => chunks).toContain('org-overview-view');

  // Pointer over a link: its view's code is fetched before the click.
  await app.sidebar.getByRole('link', { name: 'Users and roles', exact: true }).hover();
  await expect.poll(() => chunks).toContain('users-view');
  await app.openView('Users and roles', 'users');

  // A view reached without warning still arrives, with its frame shown meanwhile.
  await app.switchTo('Acme Corp');
  expect(chunks).not.toContain('hosts-view');
  await app.openView('Hosts', 'hosts');
  expect(chunks).toContain('hosts-view');
});

test('a reload of a signed-in window draws the console once, with its data already in it', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  // Every state the document passes through on the way in, from its very first node: the boot
  // splash and skeleton rows are each a frame of their own (a render, a style and layout pass)
  // that a load whose early calls answered before the console's code had run does not need.
  await page.addInitScript(() => {
    const seen = new Set<string>();
    (window as unknown as { __loadSeen: Set<string> }).__loadSeen = seen;
    new MutationObserver(() => {
      if (document.querySelector('[data-view="boot"]')) seen.add('boot splash');
      if (document.querySelector('.skeleton-row')) seen.add('skeleton rows');
      if (document.querySelector('.app [data-view="organizations"]')) seen.add('view');
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.reload();
  await expect(app.view('organizations')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('tbody tr').first()).toBeVisible();
  const seen = await page.evaluate(() => [
    ...(window as unknown as { __loadSeen: Set<string> }).__loadSeen,
  ]);
  expect(seen).toEqual(['view']);
});

test("the first screen's chunks ask to be compiled while they load; later views' chunks do not", async ({
  page,
  signInAs,
}) => {
  // What the window asks for on the way to All organizations, as served.
  const boot = new Map<string, string>();
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname;
    if (/^\/assets\/.+\.js$/.test(path)) boot.set(path, await r.text().catch(() => ''));
  });
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  const html = await (await page.request.get('/')).text();
  const linked = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  expect(linked.length).toBeGreaterThan(2);
  // The first view is in app-main, linked by index.html (vite.config.ts, consoleChunk).
  expect(linked.some((p) => p.includes('/app-main-'))).toBe(true);
  for (const path of linked) {
    const code = boot.get(path) ?? (await (await page.request.get(path)).text());
    expect(code.startsWith(COMPILE_HINT), path).toBe(true);
    // The hidden source map moved down with the code: one line of mappings per line of code.
    const map = JSON.parse(readFileSync(resolve('dist/renderer', `.${path}.map`), 'utf8')) as {
      mappings: string;
    };
    expect(map.mappings.split(';').length, path).toBe(code.trimEnd().split('\n').length);
  }
  // A view opened later compiles lazily, as the engine sees fit.
  await app.switchTo('Acme Corp');
  await app.openView('Hosts', 'hosts');
  const hosts = [...boot.entries()].find(([p]) => p.includes('/hosts-view-'));
  expect(hosts).toBeDefined();
  expect(hosts![1].startsWith(COMPILE_HINT)).toBe(false);
});

test('Intl on the way in: an English window builds no formatter before its first screen is up', async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toBeVisible();
  // Each Intl formatter built during the load, and which script built it. A window's first
  // formatter loads ICU's data and locale (80–140 ms of the main thread per load on a busy
  // machine): in an English locale the first screen's counts are grouped by hand, exactly as Intl
  // would (tests/count-format.test.ts), and the organizations table shows no time.
  await page.addInitScript(() => {
    const built: [string, string][] = [];
    (window as unknown as { __intl: [string, string][] }).__intl = built;
    // Up to the first screen (the likely next view's code is fetched and run after it).
    let done = false;
    const ready = new MutationObserver(() => {
      done = Boolean(document.querySelector('[data-view="organizations"][data-state="ready"]'));
      if (done) ready.disconnect();
    });
    ready.observe(document, { subtree: true, childList: true, attributes: true });
    for (const name of ['NumberFormat', 'DateTimeFormat', 'RelativeTimeFormat'] as const) {
      const Real = Intl[name] as unknown as new (...a: unknown[]) => object;
      const Wrapped = function (...args: unknown[]) {
        const script = /\/assets\/[^:/]+\.js/.exec(new Error().stack ?? '')?.[0] ?? '?';
        if (!done) built.push([name, script]);
        return new Real(...args);
      };
      Wrapped.prototype = Real.prototype;
      Object.assign(Wrapped, {
        supportedLocalesOf: (Real as unknown as typeof Intl.NumberFormat).supportedLocalesOf,
      });
      (Intl as unknown as Record<string, unknown>)[name] = Wrapped;
    }
  });
  await page.reload();
  await expect(app.view('organizations')).toBeVisible();
  const built = await page.evaluate(
    () => (window as unknown as { __intl: [string, string][] }).__intl,
  );
  expect(await page.evaluate(() => navigator.language)).toBe('en-US');
  expect(built).toEqual([]);
  // The counts are there, grouped: "10,000 organizations" reads as Intl would write it.
  const total = await page.evaluate(
    () => document.querySelector('[data-view="organizations"] .view-subtitle')?.textContent ?? '',
  );
  expect(total).toMatch(/^\d{1,3}(,\d{3})* organizations?$/);
});

test("the first screen does not wait for the region filter's options", async ({
  page,
  signInAs,
}) => {
  const app = await signInAs('admin');
  await expect(app.view('organizations')).toHaveAttribute('data-state', 'ready');
  // From here on, the regions call is answered only once the table has been checked. The server
  // answers the boot's calls one after the other, and this one, asked last, was the last answer
  // the first screen waited for.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  await page.route(/\/trpc\/[^?]*organizations\.regions/, async (route) => {
    held++;
    await released;
    await route.continue();
  });
  await page.reload();
  const rows = page.locator(
    '.app [data-view="organizations"][data-state="ready"] tbody tr:not(.skeleton-row) td',
  );
  await expect(rows.first()).toBeVisible();
  expect(held).toBe(1);
  const region = page.getByLabel('Region', { exact: true });
  await expect(region.locator('option')).toHaveCount(1);
  release();
  await expect.poll(() => region.locator('option').count()).toBeGreaterThan(1);
});
