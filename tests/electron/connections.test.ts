// UI-8 connections: the local database by default, remote servers in a JSON file, session tokens
// only ever stored encrypted by the keychain, and refused (with why) where the keychain is fake.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock';
import {
  ConnectionStore,
  LOCAL_CONNECTION_ID,
  normalizeServerUrl,
} from '../../main/desktop/connections/connection-store';
import { keychainStatus } from '../../main/desktop/connections/token-vault';
import { KeychainUnavailableError, VaultKeyStore } from '../../main/desktop/vault-key-store';
import { FakeKeychain } from '../fixtures/fake-keychain';

let dir: string;
let clock: ManualClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-conn-'));
  clock = new ManualClock();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'odk_ses_THIS-IS-A-SESSION-TOKEN-0123456789abcdef';
const storeWith = (vault: FakeKeychain) =>
  new ConnectionStore({ file: join(dir, 'connections.json'), vault, clock });

describe('connection store', () => {
  it('lists the local database first, as the default, with no remote server yet', () => {
    const store = storeWith(new FakeKeychain());
    expect(store.list()).toEqual([
      expect.objectContaining({ id: LOCAL_CONNECTION_ID, kind: 'local', signed_in: true }),
    ]);
  });

  it('adds, lists and removes remote servers in a JSON file', () => {
    const store = storeWith(new FakeKeychain());
    const prod = store.add({ name: 'Production', url: 'https://orgdesk.example.com/' });
    store.add({ name: 'Lab', url: 'http://127.0.0.1:8787' });
    expect(prod).toMatchObject({
      kind: 'remote',
      url: 'https://orgdesk.example.com',
      signed_in: false,
    });
    const again = storeWith(new FakeKeychain());
    expect(again.list().map((c) => c.name)).toEqual(['This computer', 'Lab', 'Production']);
    expect(() => again.add({ name: 'production', url: 'https://other.example.com' })).toThrow(
      /already exists/,
    );
    again.remove(prod.id);
    expect(again.list().map((c) => c.name)).toEqual(['This computer', 'Lab']);
    expect(() => again.remove(prod.id)).toThrow(/not found/);
  });

  it('keeps a remembered token only encrypted at rest, and gives it back', () => {
    const vault = new FakeKeychain();
    const store = storeWith(vault);
    const c = store.add({ name: 'Prod', url: 'https://orgdesk.example.com' });
    const info = store.storeToken(
      c.id,
      { token: TOKEN, expiresAt: clock.now() + 3600_000, email: 'me@example.com' },
      true,
    );
    expect(info).toMatchObject({
      signed_in: true,
      token_storage: 'keychain',
      email: 'me@example.com',
    });
    expect(vault.encryptions).toBe(1);
    const file = readFileSync(join(dir, 'connections.json'), 'utf8');
    expect(file).not.toContain(TOKEN);
    expect(file).not.toContain('THIS-IS-A-SESSION-TOKEN');
    expect(storeWith(vault).token(c.id)).toBe(TOKEN);
    // Expired: no token, and not signed in.
    clock.advance(3600_000);
    expect(store.token(c.id)).toBeNull();
    expect(store.get(c.id).signed_in).toBe(false);
  });

  it('refuses to store a token when the keychain reports "not secure", saying why', () => {
    const vault = new FakeKeychain('basic_text');
    const store = storeWith(vault);
    const c = store.add({ name: 'Prod', url: 'https://orgdesk.example.com' });
    let err: unknown;
    try {
      store.storeToken(c.id, { token: TOKEN, expiresAt: null, email: 'me@example.com' }, true);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'remember' });
    expect((err as Error).message).toMatch(/will not store the sign-in token/);
    expect((err as Error).message).toMatch(/basic_text/);
    expect(vault.encryptions).toBe(0);
    expect(readFileSync(join(dir, 'connections.json'), 'utf8')).not.toContain(TOKEN);
    expect(store.get(c.id).signed_in).toBe(false);
    expect(store.keychain()).toMatchObject({ secure: false });
  });

  it('without "remember" the token lives in memory only, until the process ends', () => {
    const vault = new FakeKeychain('basic_text');
    const store = storeWith(vault);
    const c = store.add({ name: 'Prod', url: 'https://orgdesk.example.com' });
    const info = store.storeToken(
      c.id,
      { token: TOKEN, expiresAt: null, email: 'me@example.com' },
      false,
    );
    expect(info).toMatchObject({ signed_in: true, token_storage: 'memory' });
    expect(store.token(c.id)).toBe(TOKEN);
    expect(readFileSync(join(dir, 'connections.json'), 'utf8')).not.toContain(TOKEN);
    // A new process (a new store over the same file) has no token.
    expect(storeWith(vault).token(c.id)).toBeNull();
    store.forgetToken(c.id);
    expect(store.token(c.id)).toBeNull();
  });

  it('a token the keychain can no longer decrypt is treated as signed out', () => {
    const store = storeWith(new FakeKeychain());
    const c = store.add({ name: 'Prod', url: 'https://orgdesk.example.com' });
    store.storeToken(c.id, { token: TOKEN, expiresAt: null, email: 'a@b.c' }, true);
    // Another keychain (another user, a reset keyring) has other keys.
    expect(storeWith(new FakeKeychain()).token(c.id)).toBeNull();
  });

  it('an unreadable file is set aside, not overwritten', () => {
    writeFileSync(join(dir, 'connections.json'), '{ not json');
    const store = storeWith(new FakeKeychain());
    expect(store.list()).toHaveLength(1);
    expect(readdirSync(dir).some((f) => f.startsWith('connections.json.unreadable-'))).toBe(true);
  });

  it('server URLs: https, or http to this machine only; no credentials, query or fragment', () => {
    expect(normalizeServerUrl('https://orgdesk.example.com/')).toBe('https://orgdesk.example.com');
    expect(normalizeServerUrl(' https://example.com/orgdesk/ ')).toBe(
      'https://example.com/orgdesk',
    );
    expect(normalizeServerUrl('http://localhost:8787')).toBe('http://localhost:8787');
    expect(normalizeServerUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeServerUrl('http://[::1]:8787')).toBe('http://[::1]:8787');
    for (const bad of [
      'http://orgdesk.example.com',
      'ftp://example.com',
      'https://user:pw@example.com',
      'https://example.com/?token=1',
      'https://example.com/#x',
      'javascript:alert(1)',
      'example.com',
    ]) {
      expect(() => normalizeServerUrl(bad), bad).toThrow(/url/);
    }
  });
});

describe('keychain status (safeStorage facts)', () => {
  it('Linux basic_text, unknown backends and no encryption are not secure', () => {
    expect(
      keychainStatus({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text' }),
    ).toMatchObject({
      secure: false,
      reason: expect.stringMatching(/fixed, publicly known password/),
    });
    expect(
      keychainStatus({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'unknown' })
        .secure,
    ).toBe(false);
    expect(keychainStatus({ platform: 'darwin', encryptionAvailable: false }).secure).toBe(false);
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(
        keychainStatus({ platform: 'linux', encryptionAvailable: true, linuxBackend: backend })
          .secure,
      ).toBe(true);
    }
    expect(keychainStatus({ platform: 'win32', encryptionAvailable: true }).secure).toBe(true);
  });
});

describe('master key in the keychain (VaultKeyStore, as SafeStorageKeyStore)', () => {
  it('creates the key once, encrypted, and reads the same key back', () => {
    const vault = new FakeKeychain();
    const file = join(dir, 'master.key.enc');
    const key = new VaultKeyStore(file, vault).masterKey();
    expect(key).toHaveLength(32);
    expect(readFileSync(file).includes(Buffer.from(key.toString('base64')))).toBe(false);
    expect(new VaultKeyStore(file, vault).masterKey().equals(key)).toBe(true);
  });

  it('refuses when the keychain is basic_text, and writes nothing', () => {
    const file = join(dir, 'master.key.enc');
    const store = new VaultKeyStore(file, new FakeKeychain('basic_text'));
    expect(() => store.masterKey()).toThrow(KeychainUnavailableError);
    expect(() => store.masterKey()).toThrow(/no keyring .*"basic_text"/);
    expect(existsSync(file)).toBe(false);
  });
});
