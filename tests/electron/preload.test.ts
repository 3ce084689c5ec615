// The preload, as built by `npm run build:preload` (one CommonJS file for the sandbox), run
// against a stand-in for Electron's contextBridge and ipcRenderer: it must expose exactly the
// two bridge functions and nothing else, and require nothing but electron.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHELL_EVENT_CHANNEL, TRPC_CHANNEL, type OrgdeskBridge } from '../../shared/ipc-channels';

let dir: string;
let code: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-preload-'));
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = pkg.scripts['build:preload']!;
  expect(script).toContain('--format=cjs');
  const out = join(dir, 'index.cjs');
  execSync(`npx ${script.replace('--outfile=dist/preload/index.cjs', `--outfile=${out}`)}`, {
    stdio: 'pipe',
  });
  code = readFileSync(out, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load() {
  const exposed: [string, unknown][] = [];
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
    ipcRenderer: {
      invoke: async (channel: string, message: { id: number }) => {
        invoked.push([channel, message]);
        return { id: message.id, result: { data: 'pong' } };
      },
      on: (channel: string, fn: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
        listeners.get(channel)?.delete(fn),
    },
  };
  const module = { exports: {} };
  vm.runInNewContext(code, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name === 'electron') return electron;
      throw new Error(`the preload required ${name}`);
    },
  });
  return { exposed, invoked, listeners, required };
}

describe('preload bridge', () => {
  it('is one CommonJS file that requires only electron', () => {
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
    expect(load().required).toEqual(['electron']);
  });

  it('exposes window.orgdesk with exactly trpc.invoke and onShellEvent', () => {
    const { exposed } = load();
    expect(exposed.map(([k]) => k)).toEqual(['orgdesk']);
    const api = exposed[0]![1] as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['onShellEvent', 'trpc']);
    expect(Object.keys(api.trpc as object)).toEqual(['invoke']);
    expect(typeof (api.trpc as Record<string, unknown>).invoke).toBe('function');
    expect(typeof api.onShellEvent).toBe('function');
  });

  it('invoke carries the message on the one tRPC channel', async () => {
    const { exposed, invoked } = load();
    const api = exposed[0]![1] as OrgdeskBridge;
    const reply = await api.trpc.invoke({ id: 5, type: 'query', path: 'users.me' });
    expect(reply).toEqual({ id: 5, result: { data: 'pong' } });
    expect(invoked).toEqual([[TRPC_CHANNEL, { id: 5, type: 'query', path: 'users.me' }]]);
  });

  it('onShellEvent hands the page the event data only, and unsubscribes', () => {
    const { exposed, listeners } = load();
    const api = exposed[0]![1] as OrgdeskBridge;
    const seen: unknown[][] = [];
    const off = api.onShellEvent((...args: unknown[]) => seen.push(args));
    const relay = [...listeners.get(SHELL_EVENT_CHANNEL)!][0]!;
    const ipcEvent = { sender: { send: () => 'the ipcRenderer must not leak' }, ports: [] };
    relay(ipcEvent, { type: 'menu', command: 'switch-organization' });
    expect(seen).toEqual([[{ type: 'menu', command: 'switch-organization' }]]);
    off();
    expect(listeners.get(SHELL_EVENT_CHANNEL)!.size).toBe(0);
    expect(() => api.onShellEvent('not a function' as never)).toThrow(/needs a function/);
  });
});
