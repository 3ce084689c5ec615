import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Where the master key comes from: a key file or the environment on the server, the OS keychain
 * on the desktop (main/electron supplies that one). Services only ever see this interface.
 */
export interface KeyStore {
  /** 32 bytes. Every call returns the same key for the life of the store. */
  masterKey(): Buffer;
}

const KEY_BYTES = 32;

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${source} must hold a base64-encoded 32-byte key (got ${key.length} bytes)`);
  }
  return key;
}

/** Reads the key from a file, creating it (owner-only) on first use. */
export class FileKeyStore implements KeyStore {
  private key: Buffer | null = null;
  constructor(private readonly file: string) {}
  masterKey(): Buffer {
    if (this.key) return this.key;
    if (!existsSync(this.file)) {
      writeFileSync(this.file, randomBytes(KEY_BYTES).toString('base64') + '\n', {
        mode: 0o600,
        flag: 'wx',
      });
    }
    chmodSync(this.file, 0o600);
    this.key = decodeKey(readFileSync(this.file, 'utf8'), this.file);
    return this.key;
  }
}

/** A key given as base64 text, e.g. from ORGDESK_MASTER_KEY. */
export class StaticKeyStore implements KeyStore {
  private readonly key: Buffer;
  constructor(base64: string, source = 'the master key') {
    this.key = decodeKey(base64, source);
  }
  masterKey(): Buffer {
    return this.key;
  }
}
