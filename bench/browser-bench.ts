// The web console in Debian Chromium against the real server: load to interactive with all the
// dataset's orgs, and UI-1's keyboard org switch. Every time is taken inside the page (Playwright
// round trips would inflate it); the baselines replay, by fetch from the same page, the very tRPC
// requests the console made for that load or switch, as a data-only lower bound.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/fixtures/chromium';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer } from './extra-benches';
import { msFigure, summarize } from './measure';

interface Target {
  id: number;
  name: string;
}

/** What the page reports when a watched state first shows: DOM commit and the frame after it. */
interface Seen {
  dom: number;
  paint: number;
}

interface SwitchSample extends Seen {
  t0: number;
  firstHost: string;
  trpc: Fetched[];
}

interface Fetched {
  url: string;
  start: number;
  end: number;
}

// In-page code is plain JS text: the node tsconfig has no DOM types, and this is what runs anyway.
// "After paint" = a message posted from the next animation frame, which runs once that frame is out.
export const initScript = (token: string) => `(() => {
  // The console's session is shared by a browser's tabs (UI-10): localStorage.
  for (const st of [localStorage, sessionStorage]) if (!st.getItem('orgdesk.session'))
    st.setItem('orgdesk.session',
      JSON.stringify({ state: { session: { token: ${JSON.stringify(token)}, kind: 'session' } }, version: 0 }));
  performance.setResourceTimingBufferSize(100000);
  window.__benchWatch = (check) => new Promise((resolve) => {
    const test = () => {
      if (!check()) return;
      obs.disconnect();
      const dom = performance.now();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve({ dom, paint: performance.now() });
        ch.port2.postMessage(0);
      });
    };
    const obs = new MutationObserver(test);
    obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    test();
  });
  window.__benchTrpc = () => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/trpc/'))
    .map((e) => ({ url: e.name, start: e.startTime, end: e.responseEnd }));
  // Interactive: the shell is up (its Ctrl+K handler is bound on the same commit) and the
  // organizations table shows real rows, not skeletons.
  window.__benchLoaded = window.__benchWatch(() => document.querySelector(
    '.app [data-view="organizations"][data-state="ready"] tbody tr:not(.skeleton-row) td'));
})()`;

const armSwitch = (name: string) => `(() => {
  const name = ${JSON.stringify(name)};
  performance.clearResourceTimings();
  let t0;
  const onKey = (e) => { if (e.key === 'Enter' && t0 === undefined) t0 = performance.now(); };
  addEventListener('keydown', onKey, true);
  const firstHost = () => {
    const view = document.querySelector('[data-view="hosts"][data-state="ready"]');
    const subtitle = view?.querySelector('.view-subtitle')?.textContent ?? '';
    if (!subtitle.startsWith(name + ' ·')) return null;
    return view.querySelector('tbody tr:not(.skeleton-row) .cell-name')?.textContent || null;
  };
  window.__benchPending = window.__benchWatch(firstHost).then((seen) => {
    removeEventListener('keydown', onKey, true);
    return { ...seen, t0, firstHost: firstHost(), trpc: window.__benchTrpc() };
  });
  return 0;
})()`;

/**
 * Fetches `calls` again from the page, in the console's own order: calls that started before an
 * earlier one of their wave had answered ran in parallel; later ones waited (a waterfall).
 */
const replay = (calls: Fetched[], withIndex: boolean) => `(async () => {
  const calls = ${JSON.stringify(calls)}.sort((a, b) => a.start - b.start);
  const waves = [];
  let waveEnd = -Infinity;
  for (const c of calls) {
    if (waves.length && c.start < waveEnd) { waves.at(-1).push(c); waveEnd = Math.min(waveEnd, c.end); }
    else { waves.push([c]); waveEnd = c.end; }
  }
  const token = JSON.parse(localStorage.getItem('orgdesk.session')).state.session.token;
  const get = (url, auth) => fetch(url, {
    cache: 'no-store',
    headers: auth ? { Authorization: 'Bearer ' + token } : {},
  }).then((r) => r.text());
  const t0 = performance.now();
  if (${withIndex}) await get('/', false);
  for (const wave of waves) await Promise.all(wave.map((c) => get(c.url, true)));
  return { ms: performance.now() - t0, waves: waves.length };
})()`;

/** Orgs that have hosts, spread over the id range, so every switch lands on a filled table. */
async function pickTargets(
  ds: Dataset,
  count: number,
): Promise<{ token: string; targets: Target[] }> {
  const opened = openDatabase({ file: ds.file });
  try {
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: systemClock,
      keys: new FileKeyStore(join(ds.dir, 'master.key')),
    });
    const token = await services.auth.issueToken(ds.adminUserId, 'session', 'bench');
    const withHosts = opened.sqlite
      .prepare(
        `SELECT o.id, o.name FROM organizations o
         WHERE EXISTS (SELECT 1 FROM hosts h WHERE h.organization_id = o.id) ORDER BY o.id`,
      )
      .all() as Target[];
    const step = Math.max(1, Math.floor(withHosts.length / count));
    const targets = withHosts.filter((_, i) => i % step === 0).slice(0, count);
    return { token, targets };
  } finally {
    opened.close();
  }
}

/**
 * Chromium's switches for a returning user's browser: ours, plus BackgroundResourceFetch off.
 * Profiled (bench/profile-load.ts --persistent), Chromium 156 as Playwright starts it (field
 * trials off) fetches scripts through that path and then never reads the V8 code cache it
 * keeps writing: every load compiled app-main from source (`v8.compileModule`, streamed) and
 * produced its cache again; with it off, the 919 kB cache of app-main is read instead. Chromium
 * takes the last `--disable-features`, so Playwright's own list (read from a launched browser's
 * command line) is repeated in ours.
 */
export async function returningUserArgs(): Promise<string[]> {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const argv = readFileSync(`/proc/${server.process().pid}/cmdline`, 'utf8').split('\0');
    const theirs = argv
      .filter((a) => a.startsWith('--disable-features='))
      .flatMap((a) => a.slice('--disable-features='.length).split(','))
      .filter(Boolean);
    return [
      ...CHROMIUM_ARGS,
      `--disable-features=${[...theirs, 'BackgroundResourceFetch'].join(',')}`,
    ];
  } finally {
    await server.close();
  }
}

/** The returning user's browser: a persistent profile at `userDataDir` (the caller removes it). */
export async function openReturningUser(
  userDataDir: string,
  baseURL: string,
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: await returningUserArgs(),
    baseURL,
  });
}

interface LoadSample {
  seen: Seen;
  base: { ms: number; waves: number };
  boot: Fetched[];
}

/** One load to interactive on a new page of `context`, and its data-only baseline replayed. */
async function loadOnce(context: BrowserContext): Promise<LoadSample> {
  const page = await context.newPage();
  try {
    await page.goto('/');
    const seen = (await page.evaluate('window.__benchLoaded')) as Seen;
    const boot = ((await page.evaluate('window.__benchTrpc()')) as Fetched[]).filter(
      (c) => c.start < seen.dom,
    );
    const base = (await page.evaluate(replay(boot, true))) as { ms: number; waves: number };
    return { seen, base, boot };
  } finally {
    await page.close();
  }
}

/** `targetMs` null: the row is reported, with no target of its own. */
function loadRow(
  name: string,
  targetMs: number | null,
  samples: LoadSample[],
  extra: Record<string, unknown>,
): Row {
  const load = summarize(samples.map((s) => s.seen.paint));
  const loadB = summarize(samples.map((s) => s.base.ms));
  const last = samples.at(-1)!;
  return {
    name,
    figure: msFigure(load, 1),
    baseline: `index.html + the ${last.base.waves} boot tRPC round trip(s) fetched in-page, no JS/render: ${msFigure(loadB, 1)}`,
    ratio: `${(load.p50 / loadB.p50).toFixed(1)}× baseline (p50)`,
    target: targetMs === null ? 'report' : `p50 ≤ ${targetMs} ms`,
    met: targetMs === null ? null : load.p50 <= targetMs,
    raw: {
      load,
      dom: summarize(samples.map((s) => s.seen.dom)),
      baseline: loadB,
      bootCalls: last.boot.map((c) => decodeURIComponent(new URL(c.url).pathname)),
      loads: samples.length,
      ...extra,
    },
  };
}

async function switchTo(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+k');
  const input = page.getByRole('combobox', { name: 'Search organizations' });
  await input.waitFor();
  await page.keyboard.type(name);
  // Enter only once the org is the highlighted option, as a user (and the e2e page object) would.
  await page
    .locator('[role="option"][aria-selected="true"] .switcher-name')
    .getByText(name, { exact: true })
    .waitFor();
}

export async function browserBench(ds: Dataset, runs: number): Promise<Row[]> {
  const loads = Math.min(20, Math.max(10, Math.round(runs / 10)));
  const switches = Math.min(50, Math.max(30, Math.round(runs / 4)));
  const warmSwitches = 5;
  const executablePath = CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install it (apt-get install -y chromium), set ORGDESK_CHROMIUM to another build, or leave "browser" out of --only`,
    );
  }
  const { token, targets } = await pickTargets(ds, switches + warmSwitches + 1);
  const server = await startServer(ds.dir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'orgdesk-bench-profile-'));
  let context: BrowserContext | null = null;
  try {
    // 1a. First visit: every load in a new, empty context (no HTTP cache, no code cache, no
    // service worker state), as a browser that has never opened the console.
    const firstVisit: LoadSample[] = [];
    const fresh = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      for (let i = 0; i < loads + 2; i++) {
        const ctx = await fresh.newContext({ baseURL: server.url });
        await ctx.addInitScript({ content: initScript(token) });
        const sample = await loadOnce(ctx);
        await ctx.close();
        if (i >= 2) firstVisit.push(sample);
      }
    } finally {
      await fresh.close();
    }

    // 1b. Returning user: fresh pages of one persistent profile (a temp user-data-dir, removed
    // after), so assets come from the HTTP cache and their compiled code from V8's code cache,
    // which Chromium writes for a script once it has run twice; index.html and all data are
    // fetched anew each time. Three loads before the measured ones: seen, cache written, warm.
    context = await openReturningUser(userDataDir, server.url);
    await context.addInitScript({ content: initScript(token) });
    const returning: LoadSample[] = [];
    for (let i = 0; i < loads + 3; i++) {
      const sample = await loadOnce(context);
      if (i >= 3) returning.push(sample);
    }

    // 2. Org switch, org to org on the hosts view, so each switch must show the new org's rows.
    const page = await context.newPage();
    await page.goto('/');
    await page.evaluate('window.__benchLoaded');
    await switchTo(page, targets[0]!.name);
    await page.keyboard.press('Enter');
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByText('Hosts', { exact: true })
      .click();
    await page.locator('[data-view="hosts"][data-state="ready"]').waitFor();

    const switchMs: number[] = [];
    const switchDomMs: number[] = [];
    const switchBase: number[] = [];
    let switchWaves = 0;
    let switchCalls: string[] = [];
    const phases: Record<string, number[]> = {};
    const phase = (k: string, v: number) => (phases[k] ??= []).push(v);
    for (const [i, target] of targets.slice(1).entries()) {
      await switchTo(page, target.name);
      await page.evaluate(armSwitch(target.name));
      await page.keyboard.press('Enter');
      const s = (await page.evaluate('window.__benchPending')) as SwitchSample;
      const calls = s.trpc.filter((c) => c.start >= s.t0 && c.start < s.dom);
      const base = (await page.evaluate(replay(calls, false))) as { ms: number; waves: number };
      if (i < warmSwitches) continue;
      switchMs.push(s.paint - s.t0);
      switchDomMs.push(s.dom - s.t0);
      switchBase.push(base.ms);
      switchWaves = base.waves;
      switchCalls = calls.map((c) => decodeURIComponent(new URL(c.url).pathname));
      // Where the time goes: before the first request, in and between the requests, rendering.
      let at = s.t0;
      for (const [k, c] of calls.entries()) {
        phase(`${k}: wait before call`, c.start - at);
        phase(`${k}: call`, c.end - c.start);
        at = c.end;
      }
      phase('render after last answer', s.dom - at);
      phase('DOM to next frame', s.paint - s.dom);
    }

    const sw = summarize(switchMs);
    const swB = summarize(switchBase);
    const orgs = ds.size.orgs.toLocaleString('en-US');
    return [
      loadRow(
        `Web console load to interactive, returning user (persistent profile: HTTP and V8 code cache warm; All organizations table with data), ${orgs} orgs, Chromium`,
        200,
        returning,
        {
          profile: 'persistent user-data-dir, 3 loads before',
          codeCache: 'BackgroundResourceFetch off (see returningUserArgs)',
        },
      ),
      loadRow(
        `Web console load to interactive, first visit (empty profile: nothing cached), ${orgs} orgs, Chromium`,
        null,
        firstVisit,
        { profile: 'a new context per load' },
      ),
      {
        name: `UI-1 org switch: Enter → new org's hosts table painted with data, ${orgs} orgs`,
        figure: msFigure(sw, 1),
        // No round trip after Enter when the switcher asked for the org's data while it was
        // highlighted (ViewDef.opening): there is no data-only lower bound to divide by then.
        baseline:
          switchWaves === 0
            ? 'no tRPC round trip after Enter (the switcher asked for the data while the org was highlighted)'
            : `the switch's ${switchWaves} tRPC round trip(s) fetched in-page: ${msFigure(swB, 1)}`,
        ratio: switchWaves === 0 ? '–' : `${(sw.p95 / swB.p95).toFixed(1)}× baseline (p95)`,
        target: 'p95 ≤ 100 ms',
        met: sw.p95 <= 100,
        raw: {
          switch: sw,
          dom: summarize(switchDomMs),
          baseline: swB,
          switchCalls,
          switches,
          note: 'the switcher prefetches the highlighted org; Enter follows the highlight within ms here',
          phasesP50: Object.fromEntries(
            Object.entries(phases).map(([k, v]) => [k, +summarize(v).p50.toFixed(1)]),
          ),
        },
      },
    ];
  } finally {
    await context?.close();
    await server.stop();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
