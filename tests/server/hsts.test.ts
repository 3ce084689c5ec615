// Over HTTPS every answer tells the browser to keep to HTTPS for a year (HSTS); over plain HTTP
// the header means nothing (browsers ignore it there) and is not sent.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createServer, type OrgdeskServer } from '../../main/server/app';
import { createServices } from '../../main/services';
import { sqliteStorage } from '../../main/db/sqlite/storage';
import { sendRequest } from '../fixtures/server';

let dir: string;
let cert: Buffer;
let opened: OpenedDatabase;
let https: OrgdeskServer;
let http: OrgdeskServer;
let httpsPort: number;
let httpPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-hsts-'));
  // A throwaway self-signed certificate for 127.0.0.1, made for this test run only.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'test-only.key'),
      '-out',
      join(dir, 'test-only.crt'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'test-only.crt'));
  opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock: new ManualClock(),
    keys: new FileKeyStore(join(dir, 'master.key')),
  });
  const quiet = { info: () => {}, error: () => {} };
  https = createServer({
    services,
    port: 0,
    tls: { cert, key: readFileSync(join(dir, 'test-only.key')) },
    staticDir: join(dir, 'no-console-built'),
    log: quiet,
  });
  http = createServer({ services, port: 0, staticDir: join(dir, 'no-console-built'), log: quiet });
  httpsPort = (await https.listen()).port;
  httpPort = (await http.listen()).port;
});

afterAll(async () => {
  await https?.close();
  await http?.close();
  opened?.close();
  rmSync(dir, { recursive: true, force: true });
});

function overTls(
  method: string,
  path: string,
): Promise<{ status: number; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: httpsPort, method, path, ca: cert, agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            hsts: res.headers['strict-transport-security'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// One of each kind of answer: health, the console, REST (an error), tRPC (an error), a bad path.
const answers: [string, string, number][] = [
  ['GET', '/healthz', 200],
  ['GET', '/', 200],
  ['GET', '/assets/missing.js', 200],
  ['GET', '/api/v1/organizations', 401],
  ['GET', '/api/v1/no-such-route', 404],
  ['GET', '/trpc/organizations.list', 401],
  ['POST', '/healthz', 200],
  ['GET', 'http://elsewhere/x', 400],
];

describe('Strict-Transport-Security', () => {
  it.each(answers)(
    'over HTTPS %s %s (%i) carries max-age=31536000',
    async (method, path, status) => {
      const res = await overTls(method, path);
      expect(res.status).toBe(status);
      // A year; no includeSubDomains: the server cannot speak for other hosts under its domain.
      expect(res.hsts).toBe('max-age=31536000');
    },
  );

  it.each(answers)('over plain HTTP %s %s (%i) does not', async (method, path, status) => {
    const res = await sendRequest(httpPort, method, path);
    expect(res.status).toBe(status);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
