// Names of orgs, locations and users: stored in one spelling (NFC), free of control, bidi and
// invisible format characters, and unique (orgs, locations) with default-ignorables folded out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../main/core/clock';
import { DomainError } from '../main/core/errors';
import { FileKeyStore } from '../main/core/key-store';
import { nameKey } from '../main/core/names';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { orgName } from '../shared/schemas/organizations.schema';
import { startServer, type TestServer } from './fixtures/server';
import { sqliteOnly } from './fixtures/test-engine';

const hex = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

describe('nameKey', () => {
  it.each([
    ['Acme', 'Ac\u200Bme'],
    ['Acme', 'Ac\u00ADme'],
    ['Acme', 'Ac\u2060me'],
    ['Acme', 'Ac\u034Fme'],
    ['Acme', 'Ac\u3164me'],
    ['Acme', 'ACME'],
    ['Crème', 'Cre\u0300me'],
    ['Crème', 'Cre\u200B\u0300me'],
    ['\u2764 Team', '\u2764\uFE0F Team'],
  ])('%j and %j share a key', (a, b) => {
    expect(nameKey(b)).toBe(nameKey(a));
  });

  it('keeps what tells names apart', () => {
    expect(nameKey('Acme')).not.toBe(nameKey('Acne'));
    expect(nameKey('Crème')).not.toBe(nameKey('Creme'));
  });
});

let s: TestServer;
let orgId: number;
beforeAll(async () => {
  s = await startServer();
  const org = await s.request('POST', '/api/v1/organizations', { body: { name: 'Acme' } });
  expect(org.status).toBe(201);
  orgId = org.json.id;
});
afterAll(() => s.close());

/** Where each kind of name is written, as a request. */
const writers: [string, (name: string) => [string, string, unknown]][] = [
  ['org create', (name) => ['POST', '/api/v1/organizations', { name }]],
  ['org rename', (name) => ['PATCH', `/api/v1/organizations/${orgId}`, { name }]],
  ['location create', (name) => ['POST', `/api/v1/organizations/${orgId}/locations`, { name }]],
  ['user create', (name) => ['POST', '/api/v1/users', { email: `u${Math.random()}@n.test`, name }]],
];

const refused: [string, string][] = [
  ['NUL', 'Ac\u0000me'],
  ['a tab', 'Ac\tme'],
  ['a line feed', 'Ac\nme'],
  ['DEL', 'Ac\u007Fme'],
  ['a C1 control', 'Ac\u0085me'],
  ['a right-to-left override', '\u202Eevil'],
  ['a left-to-right embedding', 'Ac\u202Ame'],
  ['a bidi isolate', 'Ac\u2066me\u2069'],
  ['a right-to-left mark', 'Acme\u200F!'],
  ['a zero-width space', 'Ac\u200Bme'],
  ['a zero-width joiner between Latin letters', 'Ac\u200Dme'],
  ['a zero-width no-break space inside', 'Ac\uFEFFme'],
  ['a word joiner', 'Ac\u2060me'],
  ['an invisible plus', 'Ac\u2064me'],
  ['a soft hyphen', 'Ac\u00ADme'],
  ['a line separator', 'Ac\u2028me'],
  ['a tag character', 'Acme\u{E0041}'],
  ['a lone surrogate', 'Ac\uD800me'],
];

describe('refused characters: 400 naming the field and the code point', () => {
  it.each(refused)('%s', async (_, name) => {
    const bad = [...name].find((c) => !/[\p{L}\p{N}\p{Zs}!]/u.test(c))!;
    for (const [where, write] of writers) {
      const [method, path, body] = write(name);
      const res = await s.request(method, path, { body });
      expect(res.status, where).toBe(400);
      expect(res.json.error.field, where).toBe('name');
      expect(res.json.error.message, where).toContain(`name cannot contain ${hex(bad)}`);
    }
  });

  it('the schema the console shares says the same', () => {
    const result = orgName.safeParse('\u202Eevil');
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/^name cannot contain U\+202E /);
    expect(orgName.safeParse('Ac\u0000me').error!.issues[0]!.message).toMatch(/U\+0000/);
  });

  it('a name of invisible characters only is blank', async () => {
    const res = await s.request('POST', '/api/v1/organizations', { body: { name: '\u3164' } });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('name is required and cannot be blank');
  });
});

describe('accepted names', () => {
  it('NFD "Cre\\u0300me" is stored as NFC "Crème"', async () => {
    for (const [where, write] of writers.filter(([w]) => w !== 'org rename')) {
      const [method, path, body] = write('Cre\u0300me');
      const res = await s.request(method, path, { body });
      expect(res.status, where).toBe(201);
      expect(res.json.name, where).toBe('Cr\u00E8me');
    }
    const renamed = await s.request('PATCH', `/api/v1/organizations/${orgId}`, {
      body: { name: 'Acme Cre\u0300me' },
    });
    expect(renamed.json.name).toBe('Acme Cr\u00E8me');
    expect(
      (await s.request('PATCH', `/api/v1/organizations/${orgId}`, { body: { name: 'Acme' } }))
        .status,
    ).toBe(200);
  });

  it.each([
    ['Persian with a zero-width non-joiner', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
    ['Devanagari with a zero-width joiner', '\u0915\u094D\u200D\u0937'],
    ['an emoji sequence', 'Team \u{1F469}\u200D\u{1F4BB}'],
    ['a flag with a variation selector', 'Team \u{1F3F3}\uFE0F\u200D\u{1F308}'],
  ])('%s', async (_, name) => {
    const res = await s.request('POST', '/api/v1/organizations', { body: { name } });
    expect(res.status).toBe(201);
    expect(res.json.name).toBe(name);
  });

  it('"Acme" and "Ac\\u034Fme" (an accepted default-ignorable) conflict', async () => {
    const res = await s.request('POST', '/api/v1/organizations', { body: { name: 'Ac\u034Fme' } });
    expect(res.status).toBe(409);
    expect(res.json.error.field).toBe('name');
    const loc = await s.request('POST', `/api/v1/organizations/${orgId}/locations`, {
      body: { name: 'H\u034FQ' },
    });
    expect(loc.status).toBe(201);
    const again = await s.request('POST', `/api/v1/organizations/${orgId}/locations`, {
      body: { name: 'hq' },
    });
    expect(again.status).toBe(409);
  });
});

// Of SQLite files written by an older desktop or server: the PostgreSQL schema began after the
// folding (its name keys were never stored unfolded), so it has nothing to re-key.
describe.skipIf(sqliteOnly('re-keys a SQLite file of an older version when it is opened'))(
  'keys stored before the folding',
  () => {
    it('are re-keyed once at open; a clash keeps its old key and is reported', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'orgdesk-rekey-'));
      try {
        const file = join(dir, 'orgdesk.db');
        const clock = new ManualClock();
        const keys = new FileKeyStore(join(dir, 'master.key'));
        const first = openDatabase({ file });
        const services = createServices({ storage: sqliteStorage(first.db), clock, keys });
        const a = await services.accounts.provision({
          accountName: 'A',
          adminEmail: 'admin@a.test',
          adminName: 'Admin',
        });
        const admin = (await services.auth.actorForUser(a.adminUserId))!;
        const org = async (n: string) =>
          (await services.organizations.create(admin, { name: n })).id;
        const ids = {
          zwsp: await org('Zw Legacy'),
          dupe: await org('Dupe'),
          dupeTwin: await org('Du Twin'),
        };
        const loc = await services.locations.create(admin, {
          organization_id: ids.zwsp,
          name: 'Main',
        });
        // As an older version stored them: names with a zero-width space, keys without folding.
        const legacy = (table: string, id: number, name: string) =>
          first.sqlite
            .prepare(`UPDATE ${table} SET name = ?, name_key = ? WHERE id = ?`)
            .run(name, name.normalize('NFKC').toLocaleLowerCase('en-US'), id);
        legacy('organizations', ids.zwsp, 'Ac\u200Bme');
        legacy('organizations', ids.dupeTwin, 'Du\u200Bpe');
        legacy('locations', loc.id, 'Ma\u200Bin');
        first.sqlite.pragma('user_version = 0');
        first.close();

        const opened = openDatabase({ file });
        try {
          const key = (table: string, id: number) =>
            (
              opened.sqlite.prepare(`SELECT name_key AS k FROM ${table} WHERE id = ?`).get(id) as {
                k: string;
              }
            ).k;
          expect(key('organizations', ids.zwsp)).toBe('acme');
          expect(key('locations', loc.id)).toBe('main');
          // "Du\u200Bpe" would now clash with "Dupe": both stay, the start says which to rename.
          expect(key('organizations', ids.dupeTwin)).toBe('du\u200bpe');
          expect(opened.notices).toEqual([
            expect.stringMatching(
              new RegExp(`organization ${ids.dupeTwin} .*"Du\\u200Bpe".* organization ${ids.dupe}`),
            ),
          ]);
          const after = createServices({ storage: sqliteStorage(opened.db), clock, keys });
          await expect(after.organizations.create(admin, { name: 'Acme' })).rejects.toThrow(
            DomainError,
          );
          await expect(
            after.locations.create(admin, { organization_id: ids.zwsp, name: 'MAIN' }),
          ).rejects.toThrow(/already/);
        } finally {
          opened.close();
        }
        // Once done, not again: a later open finds nothing to do and says nothing.
        const third = openDatabase({ file });
        expect(third.notices).toEqual([]);
        third.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
