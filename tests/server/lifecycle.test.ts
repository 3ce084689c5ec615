import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase } from '../../main/db/database';
import { createServer } from '../../main/server/app';
import { createServices } from '../../main/services';
import { sqliteStorage } from '../../main/db/sqlite/storage';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('graceful shutdown', () => {
  it('close() stops accepting (once the queued connections are taken) and lets a request in flight finish', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-close-'));
    const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(),
      keys: new FileKeyStore(join(dir, 'master.key')),
    });
    let stoppedAccepting!: () => void;
    const notAccepting = new Promise<void>((r) => (stoppedAccepting = r));
    const server = createServer({
      services,
      port: 0,
      log: {
        info: (line) => {
          if (/no longer accepting connections/.test(line)) stoppedAccepting();
        },
        error: () => {},
      },
    });
    const { port } = await server.listen();
    try {
      const body = JSON.stringify({ email: 'a@b.test', password: 'whatever' });
      // A request the server has begun (it answered "100 Continue" to its headers) whose body is
      // not sent yet: it stays in flight until we send it.
      let started!: () => void;
      const serverHasIt = new Promise<void>((r) => (started = r));
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          Expect: '100-continue',
        },
      });
      const answer = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      req.on('continue', () => started());
      req.flushHeaders();
      await serverHasIt;
      let closed = false;
      const closing = server.close().then(() => (closed = true));
      // New connections are refused once close() has taken those already queued (one turn).
      await notAccepting;
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      expect(closed).toBe(false);
      req.end(body);
      expect(await answer).toBe(401);
      await closing;
      expect(closed).toBe(true);
    } finally {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * One request on a connection of its own, written as raw bytes. `sent` settles once the kernel
 * has them; `outcome` is the answer's status line, or how the connection failed.
 */
function rawRequest(port: number, head: string): { sent: Promise<void>; outcome: Promise<string> } {
  let sent!: () => void;
  const written = new Promise<void>((r) => (sent = r));
  const outcome = new Promise<string>((resolve) => {
    let text = '';
    let failure: string | null = null;
    const socket = connect(port, '127.0.0.1', () => socket.write(head, () => sent()));
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (failure = e.code ?? 'error'));
    socket.on('close', () => {
      sent();
      resolve(failure ?? (text.split('\r\n')[0] || 'closed without an answer'));
    });
  });
  return { sent: written, outcome };
}

interface Child {
  proc: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

function startEntry(env: Record<string, string>): Child {
  const proc = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['main/server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    notify();
  });
  proc.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    notify();
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      notify();
      resolve(code);
    });
  });
  return {
    proc,
    out: () => out,
    err: () => err,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) resolve(m);
          else if (proc.exitCode !== null) reject(new Error(`exited: ${out}\n${err}`));
          else waiters.push(check);
        };
        check();
      });
    },
  };
}

describe('npm run server (main/server/index.ts)', () => {
  it('starts on ORGDESK_PORT=0, prints its URL and the admin token once, serves, and exits cleanly', async () => {
    const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.server;
    expect(script).toBe('tsx main/server/index.ts');
    const dataDir = mkdtempSync(join(tmpdir(), 'orgdesk-entry-'));
    try {
      const first = startEntry({ ORGDESK_PORT: '0', ORGDESK_DATA_DIR: dataDir });
      const [, url] = await first.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const [, token] = await first.waitFor(/ORGDESK_ADMIN_TOKEN=(odk_pat_\S+)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const orgs = await fetch(`${url}/api/v1/organizations`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(orgs.status).toBe(200);
      first.proc.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.out()).toMatch(/Orgdesk server stopped/);
      expect(first.out().split(token!)).toHaveLength(2);

      // Second start on the same data: no new admin, no token printed; the old token still works.
      const second = startEntry({
        ORGDESK_PORT: '0',
        ORGDESK_DATA_DIR: dataDir,
        ORGDESK_ADMIN_TOKEN: `odk_pat_${'x'.repeat(40)}`,
      });
      const [, url2] = await second.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const again = await fetch(`${url2}/api/v1/users/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(again.status).toBe(200);
      second.proc.kill('SIGINT');
      expect(await second.exited).toBe(0);
      expect(second.out()).not.toMatch(/ORGDESK_ADMIN_TOKEN=/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('SIGTERM answers every request already sent, then refuses new connections', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orgdesk-drain-'));
    try {
      const child = startEntry({ ORGDESK_PORT: '0', ORGDESK_DATA_DIR: dataDir });
      const [, port] = await child.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      const [, token] = await child.waitFor(/ORGDESK_ADMIN_TOKEN=(odk_pat_\S+)/);
      // The node process tsx started: it is the server, and the one that gets the signal here.
      const server = Number(
        readFileSync(`/proc/${child.proc.pid}/task/${child.proc.pid}/children`, 'utf8').trim(),
      );
      expect(server).toBeGreaterThan(0);
      // Stopped, the server reads nothing while the kernel still takes connections: the burst is
      // connected and sent, waiting in the accept queue, when the signal arrives with it.
      process.kill(server, 'SIGSTOP');
      let burst: ReturnType<typeof rawRequest>[];
      try {
        burst = Array.from({ length: 40 }, (_, i) =>
          rawRequest(
            Number(port),
            i % 2 === 0
              ? 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
              : `GET /api/v1/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
          ),
        );
        await Promise.all(burst.map((r) => r.sent));
        process.kill(server, 'SIGTERM');
      } finally {
        process.kill(server, 'SIGCONT');
      }
      const outcomes = await Promise.all(burst.map((r) => r.outcome));
      // Every request the server had received is answered; none is reset or dropped.
      expect(outcomes.filter((o) => o !== 'HTTP/1.1 200 OK')).toEqual([]);
      await child.waitFor(/no longer accepting connections/);
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      expect(await child.exited).toBe(0);
      expect(child.out()).toMatch(/Orgdesk server stopped/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a bad configuration with exit code 2, naming the variable', async () => {
    const child = startEntry({ ORGDESK_PORT: 'eighty' });
    expect(await child.exited).toBe(2);
    expect(child.err()).toMatch(/ORGDESK_PORT/);
  }, 60_000);
});
