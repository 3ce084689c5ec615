// `npx tsx bench/profile-load.ts --reuse <dataset dir> [--root <worktree>] [--loads N]`: where the
// web console's load to interactive goes (the browser benchmark's first row, same page setup). It
// loads the console N times on fresh pages of one context (assets from the HTTP cache; with
// --persistent, a kept profile: the V8 code cache too, each compile's use of it printed), with a
// Chromium trace of each load, and prints per load the boot's network waterfall and the main
// thread's time by kind (script compile and evaluation per chunk, tasks, style, layout, paint, GC),
// then the JavaScript self time by function over all loads from the V8 sampling profiler. A
// development tool, not a benchmark: tracing slows everything down, compare shares, not times.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession } from 'playwright-core';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/fixtures/chromium';
import { initScript, openReturningUser } from './browser-bench';
import { loadDataset } from './dataset';

const { values } = parseArgs({
  options: {
    reuse: { type: 'string' },
    root: { type: 'string', default: resolve(import.meta.dirname, '..') },
    loads: { type: 'string', default: '5' },
    top: { type: 'string', default: '40' },
    // No trace, no profiler: the waterfall and the long tasks (over 50 ms) as the page saw them.
    plain: { type: 'boolean', default: false },
    // The profiler only (and the navigation's marker): JS times nearer the untraced ones.
    light: { type: 'boolean', default: false },
    // A browser profile kept across the loads (a temp user-data-dir, removed after): the browser
    // benchmark's returning user, with V8's code cache; without it, an off-the-record context.
    persistent: { type: 'boolean', default: false },
    // Loads before the measured ones. With --persistent at least 3: Chromium keeps a script's code
    // cache only once it has run twice (the first run marks it, the second writes the cache).
    warm: { type: 'string' },
    'background-fetch': { type: 'boolean', default: false },
  },
});
if (!values.reuse) throw new Error('--reuse <dataset dir> is required (npm run bench -- --keep)');
const ds = loadDataset(values.reuse);

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** CPU time of the event's thread over the event (µs), where the trace records it. */
  tdur?: number;
  tid: number;
  pid: number;
  args?: { data?: Record<string, unknown>; beginData?: Record<string, unknown> };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

async function token(): Promise<string> {
  const opened = openDatabase({ file: ds.file });
  try {
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: systemClock,
      keys: new FileKeyStore(join(ds.dir, 'master.key')),
    });
    return await services.auth.issueToken(ds.adminUserId, 'session', 'profile');
  } finally {
    opened.close();
  }
}

async function startServer(root: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/server/index.ts'], {
    cwd: root,
    env: { ...process.env, ORGDESK_DATA_DIR: ds.dir, ORGDESK_PORT: '0', ORGDESK_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => fail(new Error(`server exited with ${code}: ${out}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const short = (url: string) => url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '') || url;

async function traced(cdp: CDPSession, run: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    events.push(...(e.value as unknown as TraceEvent[]));
  });
  const done = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      includedCategories: values.light
        ? ['blink.user_timing']
        : [
            'devtools.timeline',
            'v8.execute',
            'blink.user_timing',
            'toplevel',
            'v8',
            ...(process.env.PROFILE_CATS?.split(',') ?? []),
          ],
    },
  });
  await run();
  await cdp.send('Tracing.end');
  await done;
  return events;
}

/** Main-thread time by kind, self time (a child's time is taken out of its parent's). */
function breakdown(events: TraceEvent[], t0: number, tEnd: number) {
  // The renderer's main thread: the one that ran the page's EvaluateScript.
  const evalEv = events.find((e) => e.name === 'v8.evaluateModule' || e.name === 'EvaluateScript');
  if (!evalEv) return { self: new Map<string, number>() };
  const { pid, tid } = evalEv;
  const complete = events
    .filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined)
    .filter((e) => e.ts >= t0 && e.ts <= tEnd)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const kind = (e: TraceEvent): string | null => {
    const d = e.args?.data ?? e.args?.beginData ?? {};
    const url = typeof d.url === 'string' ? short(d.url) : '';
    switch (e.name) {
      case 'EvaluateScript':
        return `eval ${url}`;
      case 'v8.evaluateModule':
        return 'eval module';
      case 'v8.compile':
      case 'v8.compileModule':
      case 'V8.CompileCode':
      case 'v8.parseOnBackground':
        return `compile ${url}`;
      case 'FunctionCall':
        return `js ${d.functionName ? String(d.functionName) : ''}@${url}`;
      case 'TimerFire':
      case 'FireAnimationFrame':
      case 'EventDispatch':
      case 'RunMicrotasks':
      case 'v8.callFunction':
        return `js (${e.name})`;
      case 'UpdateLayoutTree':
      case 'RecalculateStyles':
        return 'style';
      case 'Layout':
        return 'layout';
      case 'Paint':
      case 'PaintImage':
      case 'PrePaint':
      case 'Layerize':
      case 'UpdateLayer':
      case 'CompositeLayers':
        return 'paint';
      case 'ParseHTML':
        return 'parse html';
      case 'ParseAuthorStyleSheet':
        return 'parse css';
      case 'MinorGC':
      case 'MajorGC':
      case 'V8.GC_SCAVENGER':
        return 'gc';
      case 'RunTask':
      case 'ThreadControllerImpl::RunTask':
        return 'task (other)';
      default:
        return null;
    }
  };
  const self = new Map<string, number>();
  const stack: { end: number; k: string; childDur: number; dur: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const f = stack.pop()!;
      self.set(f.k, (self.get(f.k) ?? 0) + (f.dur - f.childDur) / 1000);
    }
  };
  for (const e of complete) {
    const k = kind(e);
    if (!k) continue;
    close(e.ts);
    if (stack.length) stack.at(-1)!.childDur += e.dur!;
    stack.push({ end: e.ts + e.dur!, k, childDur: 0, dur: e.dur! });
  }
  close(Infinity);
  return { self };
}

/**
 * CPU time of the renderer's threads (top-level tasks' thread time), navigation → paint. On a
 * shared machine a load's wall time is mostly waiting for a core; this is the work itself.
 */
function threadCpu(events: TraceEvent[], t0: number, tEnd: number) {
  const evalEv = events.find((e) => e.name === 'v8.evaluateModule' || e.name === 'EvaluateScript');
  if (!evalEv) return null;
  const names = new Map(
    events
      .filter((e) => e.name === 'thread_name' && e.pid === evalEv.pid)
      .map((e) => [e.tid, String((e.args as { name?: unknown } | undefined)?.name ?? '')]),
  );
  const cpu = { main: 0, workers: 0, other: 0 };
  const openUntil = new Map<number, number>();
  const tasks = events
    .filter((e) => e.pid === evalEv.pid && e.ph === 'X' && e.tdur !== undefined)
    .filter((e) => e.ts >= t0 && e.ts <= tEnd)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  for (const e of tasks) {
    // Top-level events only: a nested one's time is already in its parent's.
    if ((openUntil.get(e.tid) ?? -1) > e.ts) continue;
    openUntil.set(e.tid, e.ts + e.dur!);
    const k =
      e.tid === evalEv.tid ? 'main' : /Worker/.test(names.get(e.tid) ?? '') ? 'workers' : 'other';
    cpu[k] += e.tdur! / 1000;
  }
  return cpu;
}

// Minified positions → the source file and function they came from, through the build's hidden
// source maps (dist/renderer/assets/*.map, written by every build, fetched by no browser).
const maps = new Map<string, TraceMap | null>();
function original(url: string, line: number, column: number): { file: string; fn: string } {
  const file = short(url);
  if (!file.startsWith('/assets/')) return { file: file || '(native)', fn: '' };
  if (!maps.has(file)) {
    const path = join(values.root, 'dist/renderer', `${file}.map`);
    maps.set(file, existsSync(path) ? new TraceMap(readFileSync(path, 'utf8')) : null);
  }
  const map = maps.get(file);
  if (!map) return { file, fn: `${line}:${column}` };
  const pos = originalPositionFor(map, { line: line + 1, column });
  const src = (pos.source ?? file).replace(/^(\.\.\/)+/, '').replace(/^node_modules\//, '~');
  return { file: src, fn: `${src}:${pos.line ?? 0}` };
}

interface JsTotals {
  selfByFile: Map<string, number>;
  selfByFn: Map<string, number>;
  totalByFn: Map<string, number>;
}

/** The profile's samples inside [from, to] (µs, the trace's clock), self and inclusive. */
function profileInto(profile: Profile, from: number, to: number, into: JsTotals) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, { file: string; fn: string }>();
  const nameOf = (id: number) => {
    let v = names.get(id);
    if (!v) {
      const f = byId.get(id)!.callFrame;
      const o = original(f.url, f.lineNumber, f.columnNumber);
      v = { file: o.file, fn: `${f.functionName || '(anon)'} ${o.fn}`.trim() };
      names.set(id, v);
    }
    return v;
  };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let t = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const top = nameOf(id);
    add(into.selfByFile, top.file, ms);
    add(into.selfByFn, top.fn, ms);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = nameOf(n).fn;
      if (!seen.has(k)) add(into.totalByFn, k, ms);
      seen.add(k);
    }
  }
}

const server = await startServer(values.root);
const userDataDir = values.persistent ? mkdtempSync(join(tmpdir(), 'orgdesk-profile-')) : null;
const warm = Number(values.warm ?? (userDataDir ? 3 : 2));
const browser = userDataDir
  ? null
  : await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const context = !userDataDir
  ? await browser!.newContext({ baseURL: server.url })
  : values['background-fetch']
    ? // Chromium's default switches, whose loads never read the code cache (returningUserArgs).
      await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        baseURL: server.url,
      })
    : await openReturningUser(userDataDir, server.url);
try {
  await context.addInitScript({ content: initScript(await token()) });
  await context.addInitScript({
    content: `window.__longTasks = []; new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });`,
  });
  if (values.plain) {
    const firstTrpc: number[] = [];
    const marks = new Map<string, number[]>();
    const dataAt: number[] = [];
    const domAt: number[] = [];
    const paintAt: number[] = [];
    for (let i = 0; i < Number(values.loads) + warm; i++) {
      const page = await context.newPage();
      await page.goto('/');
      const seen = (await page.evaluate('window.__benchLoaded')) as { dom: number; paint: number };
      const r = (await page.evaluate(`({
        res: performance.getEntriesByType('resource').map((e) => [e.name, e.startTime, e.responseEnd]),
        nav: performance.getEntriesByType('navigation')[0].responseEnd,
        tasks: window.__longTasks,
        marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
      })`)) as {
        res: [string, number, number][];
        nav: number;
        tasks: [number, number][];
        marks: [string, number][];
      };
      for (const [n, t] of r.marks) (marks.get(n) ?? marks.set(n, []).get(n)!).push(t);
      (marks.get('paint') ?? marks.set('paint', []).get('paint')!).push(seen.paint);
      (marks.get('dom') ?? marks.set('dom', []).get('dom')!).push(seen.dom);
      if (i === Number(values.loads) + warm - 1)
        console.log(
          'DOM after the load:',
          JSON.stringify(
            await page.evaluate(`(() => {
              const all = [...document.querySelectorAll('*')];
              const by = {};
              for (const e of all) by[e.tagName] = (by[e.tagName] ?? 0) + 1;
              return { elements: all.length, rows: document.querySelectorAll('tbody tr').length, by };
            })()`),
          ),
        );
      await page.close();
      if (i < warm) continue;
      const trpc = r.res.filter(([n]) => n.includes('/trpc/'));
      const calls = trpc.map(([n, a, b]) => `${short(n).slice(6)} ${a.toFixed(0)}→${b.toFixed(0)}`);
      const chunk = (name: string) => r.res.find(([n]) => n.includes(name));
      const view = chunk('organizations-view');
      console.log(
        `load ${i - warm + 1}: dom ${seen.dom.toFixed(1)} paint ${seen.paint.toFixed(1)} | html ${r.nav.toFixed(0)} | ` +
          `index ${chunk('/index-')?.[1].toFixed(0)}→${chunk('/index-')?.[2].toFixed(0)} | view chunk ${view?.[1].toFixed(0)} | ` +
          `${calls.join(', ')} | long tasks ${r.tasks.map(([a, d]) => `${a.toFixed(0)}+${d.toFixed(0)}`).join(' ')}`,
      );
      firstTrpc.push(Math.min(...trpc.map(([, a]) => a)));
      dataAt.push(Math.max(...trpc.filter(([, a]) => a < seen.dom).map(([, , b]) => b)));
      domAt.push(seen.dom);
      paintAt.push(seen.paint);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [n, ts] of [...marks.entries()].sort((a, b) => med(a[1]) - med(b[1])))
      console.log(`  ${med(ts).toFixed(1).padStart(7)}  ${n}`);
    console.log(
      `median: first call sent ${med(firstTrpc).toFixed(1)}, boot data in ${med(dataAt).toFixed(1)}, ` +
        `DOM ${med(domAt).toFixed(1)}, painted ${med(paintAt).toFixed(1)}`,
    );
    process.exitCode = 0;
  }
  const js: JsTotals = { selfByFile: new Map(), selfByFn: new Map(), totalByFn: new Map() };
  let profiled = 0;
  const loads = values.plain ? -warm : Number(values.loads);
  for (let i = 0; i < loads + warm; i++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    // PROFILE_NOPROF: the trace alone (thread times without the sampling profiler's own cost).
    const sampling = !process.env.PROFILE_NOPROF;
    if (sampling) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    let seen = { dom: 0, paint: 0 };
    const events = await traced(cdp, async () => {
      await page.goto('/');
      seen = (await page.evaluate('window.__benchLoaded')) as typeof seen;
    });
    const { profile } = sampling
      ? ((await cdp.send('Profiler.stop')) as { profile: Profile })
      : { profile: { nodes: [], startTime: 0, endTime: 0, samples: [], timeDeltas: [] } };
    const resources = (await page.evaluate(`performance.getEntriesByType('resource')
      .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, size: e.transferSize }))`)) as {
      name: string;
      start: number;
      end: number;
      size: number;
    }[];
    const nav =
      (await page.evaluate(`(() => { const n = performance.getEntriesByType('navigation')[0];
      return { responseEnd: n.responseEnd, domInteractive: n.domInteractive }; })()`)) as {
        responseEnd: number;
        domInteractive: number;
      };
    await page.close();
    if (i < warm) continue;
    if (process.env.PROFILE_DUMP)
      writeFileSync(
        `${process.env.PROFILE_DUMP}-${i - warm + 1}-paint-${seen.paint.toFixed(1)}.json`,
        JSON.stringify({ traceEvents: events, profile }),
      );
    // Trace and profile timestamps are µs of one monotonic clock; the page's performance.now()
    // starts at the navigation, whose user-timing marker anchors one to the other.
    const navEv = events.find((e) => e.name === 'navigationStart' && e.cat.includes('user_timing'));
    if (!navEv) throw new Error('no navigationStart in the trace');
    const t0 = navEv.ts;
    const tEnd = t0 + seen.paint * 1000;
    const { self } = breakdown(events, t0, tEnd);
    profileInto(profile, t0, tEnd, js);
    profiled++;
    console.log(
      `\nload ${i - warm + 1}: DOM ${seen.dom.toFixed(1)} ms, painted ${seen.paint.toFixed(1)} ms (traced and profiled)`,
    );
    console.log(
      `  index.html response end ${nav.responseEnd.toFixed(1)}, domInteractive ${nav.domInteractive.toFixed(1)}`,
    );
    for (const r of resources.filter((x) => x.start < seen.paint))
      console.log(
        `  ${r.start.toFixed(1).padStart(7)} → ${r.end.toFixed(1).padStart(7)}  ${short(decodeURIComponent(r.name)).slice(0, 90)}${r.size ? '' : ' (cache)'}`,
      );
    const cpu = threadCpu(events, t0, tEnd);
    if (cpu)
      console.log(
        `  renderer CPU (thread time): main ${cpu.main.toFixed(1)} ms, worker threads (streaming compile) ${cpu.workers.toFixed(1)} ms, other threads ${cpu.other.toFixed(1)} ms`,
      );
    // V8's code cache, per script compiled in the load: consumed (bytes read from the cache, no
    // parse or compile), produced, or neither (compiled from source, streamed or not).
    const cache = events
      .filter((e) => /^v8\.(compile|compileModule|produceCache|produceModuleCache)$/.test(e.name))
      .filter((e) => e.ts >= t0 && e.ts <= tEnd && e.pid === navEv.pid)
      .filter((e) => {
        const d = { ...e.args?.data, ...e.args?.beginData } as Record<string, unknown>;
        if (process.env.PROFILE_CACHE_RAW) console.log(e.name, JSON.stringify(e.args));
        return typeof d.url === 'string' && d.url.includes('/assets/');
      })
      .map((e) => {
        const d = { ...e.args?.data, ...e.args?.beginData } as Record<string, unknown>;
        const url = typeof d.url === 'string' ? short(d.url).replace(/^\/assets\//, '') : '?';
        const how = d.consumedCacheSize
          ? `cache ${Math.round(Number(d.consumedCacheSize) / 1024)} kB${d.cacheRejected ? ' REJECTED' : ''}`
          : e.name.startsWith('v8.produce')
            ? `produced ${Math.round(Number(d.producedCacheSize ?? 0) / 1024)} kB`
            : `source${d.streamed ? ' (streamed)' : ''}${d.notStreamedReason ? ` (${String(d.notStreamedReason)})` : ''}`;
        return `${url.slice(0, 28)} ${(e.dur! / 1000).toFixed(1)} ms ${how}`;
      });
    if (cache.length) console.log(`  code cache: ${cache.join('; ')}`);
    const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
    const sum = rows.reduce((s, [, v]) => s + v, 0);
    console.log(`  main thread busy (self, by kind): ${sum.toFixed(1)} ms`);
    for (const [k, v] of rows.filter(([, v]) => v >= 1))
      console.log(`    ${v.toFixed(1).padStart(7)}  ${k}`);
    // Long stretches of the main thread (tasks over 10 ms), to see what blocks in one go.
    const tasks = events
      .filter((e) => e.name === 'RunTask' && e.dur !== undefined && e.dur > 10_000)
      .filter((e) => e.ts >= t0 && e.ts <= tEnd && e.pid === navEv.pid)
      .sort((a, b) => a.ts - b.ts);
    console.log(
      `  long tasks: ${tasks.map((e) => `${((e.ts - t0) / 1000).toFixed(0)}+${(e.dur! / 1000).toFixed(0)}`).join(', ')} ms`,
    );
  }
  const top = Number(values.top);
  if (values.plain) profiled = NaN;
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (ms per load, ${profiled} loads):`);
    for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`  ${(v / profiled).toFixed(1).padStart(7)}  ${k}`);
  };
  print('JS self time by source file', js.selfByFile);
  print('JS self time by function', js.selfByFn);
  print('JS inclusive time by function', js.totalByFn);
} finally {
  await (browser ?? context).close();
  server.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}
