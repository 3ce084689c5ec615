// UI-8 connections: the local database (always there, the default) and remote Orgdesk servers,
// kept in a small JSON file in userData. A remote session token is written only encrypted by the
// TokenVault (the OS keychain); where the keychain is not real, persisting it is refused with the
// reason, and the user may keep it in memory until Orgdesk quits instead.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { isoOrNull, systemClock, type Clock } from '../../core/clock';
import { DomainError, badRequest, conflict, notFound } from '../../core/errors';
import { nameKey } from '../../core/names';
import {
  addConnectionInput,
  type AddConnectionInput,
  type ConnectionInfo,
} from '../../../shared/schemas/desktop.schema';
import type { TokenVault, VaultStatus } from './token-vault';

export const LOCAL_CONNECTION_ID = 'local';

const storedConnection = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(80),
  url: z.string().min(1).max(500),
  email: z.string().max(254).nullable(),
  /** base64 of the vault's ciphertext */
  token_ciphertext: z.string().nullable(),
  token_expires_at: z.number().int().nullable(),
});
type StoredConnection = z.infer<typeof storedConnection>;

const storedFile = z.object({
  version: z.literal(1),
  connections: z.array(storedConnection).max(200),
});

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A server base URL, normalised (no trailing slash), or a BAD_REQUEST naming `url`. Plain http is
 * allowed only to this machine: over a network it would expose the session token.
 */
export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest('url must be a full address such as https://orgdesk.example.com', 'url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest('url must start with https://', 'url');
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw badRequest(
      'url must use https:// (plain http:// is accepted only for this machine, e.g. http://127.0.0.1:8787)',
      'url',
    );
  }
  if (url.username || url.password)
    throw badRequest('url must not contain a user or password', 'url');
  if (url.search || url.hash) throw badRequest('url must not contain ?query or #fragment', 'url');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export interface ConnectionStoreOptions {
  file: string;
  vault: TokenVault;
  clock?: Clock;
}

export class ConnectionStore {
  private readonly clock: Clock;
  /** Tokens the user chose not to persist (or could not): gone when the process ends. */
  private readonly memory = new Map<string, { token: string; expiresAt: number | null }>();

  constructor(private readonly o: ConnectionStoreOptions) {
    this.clock = o.clock ?? systemClock;
  }

  private read(): StoredConnection[] {
    if (!existsSync(this.o.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.o.file, 'utf8'));
    } catch {
      raw = null;
    }
    const parsed = storedFile.safeParse(raw);
    if (parsed.success) return parsed.data.connections;
    // Unreadable: keep it aside for the user rather than overwrite it, and start empty.
    renameSync(this.o.file, `${this.o.file}.unreadable-${this.clock.now()}`);
    return [];
  }

  private write(connections: StoredConnection[]): void {
    const tmp = `${this.o.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ version: 1, connections }, null, 2) + '\n', {
      mode: 0o600,
    });
    renameSync(tmp, this.o.file);
  }

  keychain(): VaultStatus {
    return this.o.vault.status();
  }

  private info(c: StoredConnection): ConnectionInfo {
    const mem = this.memory.get(c.id);
    const expiresAt = mem ? mem.expiresAt : c.token_expires_at;
    const live = (mem !== undefined || c.token_ciphertext !== null) && !this.expired(expiresAt);
    return {
      id: c.id,
      kind: 'remote',
      name: c.name,
      url: c.url,
      email: c.email,
      signed_in: live,
      token_storage: !live ? null : mem ? 'memory' : 'keychain',
      token_expires_at: live ? isoOrNull(expiresAt) : null,
    };
  }

  private expired(expiresAt: number | null): boolean {
    return expiresAt !== null && expiresAt <= this.clock.now();
  }

  private find(id: string): StoredConnection {
    const c = this.read().find((x) => x.id === id);
    if (!c) throw notFound('Connection', id);
    return c;
  }

  /** The local database first (the default), then the remote servers by name. */
  list(): ConnectionInfo[] {
    const local: ConnectionInfo = {
      id: LOCAL_CONNECTION_ID,
      kind: 'local',
      name: 'This computer',
      url: null,
      email: null,
      signed_in: true,
      token_storage: null,
      token_expires_at: null,
    };
    const remotes = this.read()
      .sort((a, b) => nameKey(a.name).localeCompare(nameKey(b.name)))
      .map((c) => this.info(c));
    return [local, ...remotes];
  }

  get(id: string): ConnectionInfo {
    return this.info(this.find(id));
  }

  add(raw: AddConnectionInput): ConnectionInfo {
    const input = addConnectionInput.parse(raw);
    const url = normalizeServerUrl(input.url);
    const all = this.read();
    if (all.some((c) => nameKey(c.name) === nameKey(input.name))) {
      throw conflict(
        `A connection named "${input.name}" already exists; choose another name`,
        'name',
      );
    }
    const c: StoredConnection = {
      id: randomUUID(),
      name: input.name,
      url,
      email: null,
      token_ciphertext: null,
      token_expires_at: null,
    };
    this.write([...all, c]);
    return this.info(c);
  }

  remove(id: string): void {
    const all = this.read();
    if (!all.some((c) => c.id === id)) throw notFound('Connection', id);
    this.memory.delete(id);
    this.write(all.filter((c) => c.id !== id));
  }

  /**
   * Keeps a session token after sign-in. `remember`: encrypted in the keychain, refused (with the
   * reason) where the keychain is not real; otherwise only in memory until Orgdesk quits.
   */
  storeToken(
    id: string,
    session: { token: string; expiresAt: number | null; email: string | null },
    remember: boolean,
  ): ConnectionInfo {
    const all = this.read();
    const c = all.find((x) => x.id === id);
    if (!c) throw notFound('Connection', id);
    if (remember) this.requireSecureKeychain();
    this.memory.delete(id);
    c.email = session.email;
    c.token_expires_at = session.expiresAt;
    c.token_ciphertext = null;
    if (remember) {
      c.token_ciphertext = this.o.vault.encrypt(session.token).toString('base64');
    } else {
      this.memory.set(id, { token: session.token, expiresAt: session.expiresAt });
    }
    this.write(all);
    return this.info(c);
  }

  /** Refuses, saying why, when tokens cannot be kept safely on this machine. */
  requireSecureKeychain(): void {
    const status = this.o.vault.status();
    if (!status.secure) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `Orgdesk will not store the sign-in token on this computer: ${status.reason}. ` +
          'Sign in without "remember" to keep it only until Orgdesk quits.',
        'remember',
      );
    }
  }

  /** The live session token of a connection, or null (signed out, expired, or undecryptable). */
  token(id: string): string | null {
    const c = this.find(id);
    const mem = this.memory.get(id);
    if (mem) return this.expired(mem.expiresAt) ? null : mem.token;
    if (!c.token_ciphertext || this.expired(c.token_expires_at)) return null;
    try {
      return this.o.vault.decrypt(Buffer.from(c.token_ciphertext, 'base64'));
    } catch {
      // The keychain changed (another user, a reset keyring): the token is lost; sign in again.
      return null;
    }
  }

  forgetToken(id: string): void {
    const all = this.read();
    const c = all.find((x) => x.id === id);
    if (!c) throw notFound('Connection', id);
    this.memory.delete(id);
    c.token_ciphertext = null;
    c.token_expires_at = null;
    this.write(all);
  }
}
