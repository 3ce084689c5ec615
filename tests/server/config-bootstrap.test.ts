import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../../main/core/access';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { apiTokens, auditEntries } from '../../main/db/schema';
import { createServer } from '../../main/server/app';
import { bootstrap } from '../../main/server/bootstrap';
import { NO_TRUSTED_PROXIES } from '../../main/server/client-address';
import { ConfigError, loadConfig } from '../../main/server/config';
import { createServices, type Services } from '../../main/services';
import { sqliteStorage } from '../../main/db/sqlite/storage';

describe('server configuration from the environment', () => {
  it('has the SPEC defaults: port 8787 on loopback, data dir under the working dir', () => {
    expect(loadConfig({}, '/srv/app')).toEqual({
      port: 8787,
      host: '127.0.0.1',
      dataDir: '/srv/app/.orgdesk-data',
      adminToken: null,
      adminEmail: 'admin@orgdesk.local',
      masterKey: null,
      tls: null,
      publicUrl: null,
      database: { engine: 'sqlite', file: '/srv/app/.orgdesk-data/orgdesk.db' },
      trustedProxies: NO_TRUSTED_PROXIES,
      supportExpiryIntervalMs: 5 * 60_000,
    });
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const token = `odk_pat_${'a'.repeat(40)}`;
    expect(
      loadConfig(
        {
          ORGDESK_PORT: '0',
          ORGDESK_HOST: '::',
          ORGDESK_DATA_DIR: 'data',
          ORGDESK_ADMIN_TOKEN: token,
          ORGDESK_ADMIN_EMAIL: 'ops@example.com',
          ORGDESK_MASTER_KEY: key,
          ORGDESK_TLS_CERT: 'tls/cert.pem',
          ORGDESK_TLS_KEY: 'tls/key.pem',
          ORGDESK_PUBLIC_URL: 'https://orgdesk.example.com/',
          ORGDESK_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.10',
          ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS: '1000',
        },
        '/srv',
      ),
    ).toEqual({
      port: 0,
      host: '::',
      dataDir: '/srv/data',
      adminToken: token,
      adminEmail: 'ops@example.com',
      masterKey: key,
      tls: { certFile: '/srv/tls/cert.pem', keyFile: '/srv/tls/key.pem' },
      publicUrl: 'https://orgdesk.example.com',
      database: { engine: 'sqlite', file: '/srv/data/orgdesk.db' },
      trustedProxies: expect.objectContaining({ entries: ['10.0.0.0/8', '192.0.2.10/32'] }),
      supportExpiryIntervalMs: 1000,
    });
  });

  it.each([
    ['ORGDESK_PORT', 'abc'],
    ['ORGDESK_PORT', '65536'],
    ['ORGDESK_PORT', '-1'],
    ['ORGDESK_HOST', 'my host'],
    ['ORGDESK_ADMIN_TOKEN', 'hunter2-not-a-token'],
    ['ORGDESK_ADMIN_TOKEN', 'odk_pat_short'],
    ['ORGDESK_ADMIN_EMAIL', 'nobody'],
    ['ORGDESK_MASTER_KEY', 'c2hvcnQ='],
    ['ORGDESK_PUBLIC_URL', 'ftp://x'],
    ['ORGDESK_TLS_CERT', 'cert.pem'],
    ['ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS', '999'],
    ['ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS', '3600001'],
    ['ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS', '1.5'],
    ['ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS', 'soon'],
  ])('%s=%s is refused with a message naming the variable (not its value)', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(name === 'ORGDESK_TLS_CERT' ? /ORGDESK_TLS_KEY/ : new RegExp(name));
    expect(message).not.toContain(value);
  });

  describe('SCALE-1: ORGDESK_DATABASE_URL selects PostgreSQL', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const secretUrl = 'postgres://orgdesk:s3cr3t-Pa55@pg-prod-7.example.net:5432/orgdesk';

    it('a postgres:// (or postgresql://) URL with the master key from the environment', () => {
      const config = loadConfig({ ORGDESK_DATABASE_URL: secretUrl, ORGDESK_MASTER_KEY: key });
      expect(config.database).toEqual({ engine: 'postgres', url: secretUrl });
      expect(config.masterKey).toBe(key);
      const alt = 'postgresql://orgdesk@10.0.0.5/orgdesk?sslmode=require';
      expect(
        loadConfig({ ORGDESK_DATABASE_URL: ` ${alt} `, ORGDESK_MASTER_KEY: key }).database,
      ).toEqual({ engine: 'postgres', url: alt });
    });

    it.each([
      ['mysql://orgdesk:s3cr3t-Pa55@pg-prod-7.example.net/orgdesk', 'a MySQL URL'],
      ['sqlite:///srv/orgdesk.db', 'a SQLite URL (SQLite needs no URL)'],
      ['postgres://orgdesk:s3cr3t-Pa55@/orgdesk', 'no host'],
      ['postgres://orgdesk:s3cr3t-Pa55@pg-prod-7.example.net:5432/', 'no database name'],
      ['pg-prod-7.example.net:5432/orgdesk', 'no scheme'],
    ])('%s (%s) is refused, naming the variable, never echoing it', (url) => {
      let err: unknown;
      try {
        loadConfig({ ORGDESK_DATABASE_URL: url, ORGDESK_MASTER_KEY: key });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/ORGDESK_DATABASE_URL must be a postgres:\/\/ URL/);
      expect(message).not.toContain('s3cr3t');
      expect(message).not.toContain('pg-prod-7.example.net');
    });

    it('without ORGDESK_MASTER_KEY it refuses the key file: replicas must share one key', () => {
      let err: unknown;
      try {
        loadConfig({ ORGDESK_DATABASE_URL: secretUrl, ORGDESK_DATA_DIR: '/srv/data' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/ORGDESK_MASTER_KEY must be set/);
      expect(message).toMatch(/master\.key/);
      expect(message).toMatch(/every replica/);
      expect(message).not.toContain('s3cr3t');
    });

    it('a bad master key in PostgreSQL mode is named like in SQLite mode', () => {
      expect(() =>
        loadConfig({ ORGDESK_DATABASE_URL: secretUrl, ORGDESK_MASTER_KEY: 'c2hvcnQ=' }),
      ).toThrow(/ORGDESK_MASTER_KEY must be a base64-encoded 32-byte key/);
    });
  });

  it('SCALE-2: a bad ORGDESK_TRUSTED_PROXIES entry is refused, naming the variable and the entry', () => {
    expect(() => loadConfig({ ORGDESK_TRUSTED_PROXIES: '10.0.0.0/8,lb.example.com' })).toThrow(
      /ORGDESK_TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs[^]*lb\.example\.com/,
    );
    expect(() => loadConfig({ ORGDESK_TRUSTED_PROXIES: '10.0.0.1/8' })).toThrow(
      /did you mean 10\.0\.0\.0\/8/,
    );
  });

  it('blank values count as unset', () => {
    expect(loadConfig({ ORGDESK_PORT: '', ORGDESK_ADMIN_TOKEN: ' ' }).port).toBe(8787);
  });
});

describe('first-start bootstrap', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let services: Services;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-boot-'));
    opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(),
      keys: new FileKeyStore(join(dir, 'master.key')),
    });
  });
  afterEach(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with ORGDESK_ADMIN_TOKEN: that token works, and is never printed', async () => {
    const token = `odk_pat_${'Z'.repeat(43)}`;
    const lines: string[] = [];
    const result = await bootstrap({ services, adminToken: token, print: (l) => lines.push(l) });
    expect(result).toMatchObject({ provisioned: true, token });
    expect(await services.auth.authenticate(token)).toMatchObject({ label: 'admin@orgdesk.local' });
    expect(lines.join('\n')).not.toContain(token);
    expect(JSON.stringify(opened.db.select().from(auditEntries).all())).not.toContain(token);
  });

  it('without it: a random token, printed exactly once; later starts do nothing', async () => {
    const lines: string[] = [];
    const first = await bootstrap({ services, print: (l) => lines.push(l) });
    expect(first.provisioned).toBe(true);
    const token = first.provisioned ? first.token : '';
    expect(token).toMatch(/^odk_pat_[A-Za-z0-9_-]{43}$/);
    expect(lines.filter((l) => l.includes(token))).toEqual([`ORGDESK_ADMIN_TOKEN=${token}`]);
    const admin = (await services.auth.authenticate(token))!;
    const permissions = await services.infra.uow.read((r) =>
      new AccessService(services.infra.clock).accountPermissions(r, admin, admin.accountId),
    );
    expect(permissions.has('users.manage')).toBe(true);

    const again = await bootstrap({
      services,
      adminToken: `odk_pat_${'Q'.repeat(43)}`,
      print: (l) => lines.push(l),
    });
    expect(again).toEqual({ provisioned: false });
    expect(lines).toHaveLength(2);
    expect(opened.db.select().from(apiTokens).all()).toHaveLength(1);
    expect(await services.auth.authenticate(`odk_pat_${'Q'.repeat(43)}`)).toBeNull();
  });

  it('refuses a token without the personal-token prefix (it could never authenticate)', async () => {
    await expect(
      bootstrap({ services, adminToken: 'plain-token-value', print: () => {} }),
    ).rejects.toThrow(/odk_pat_/);
    expect(await services.accounts.isEmpty()).toBe(true);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('TLS', () => {
  // The certificate is made with the openssl CLI; without it there is nothing to serve with.
  it.skipIf(!hasOpenssl())('serves HTTPS with the given certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(),
      keys: new FileKeyStore(join(dir, 'master.key')),
    });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createServer({
      services,
      port: 0,
      tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
      log: { info: () => {}, error: () => {} },
    });
    try {
      const { url } = await server.listen();
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(`${url}/healthz`, { ca: cert }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await server.close();
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
