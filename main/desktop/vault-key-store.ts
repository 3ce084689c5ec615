// The desktop's master key (it encrypts org secrets and keys the audit chain), kept in a file in
// userData that only the OS keychain can decrypt. The keychain is a TokenVault (Electron
// safeStorage in the app, a fake in tests); a keychain that is not real is refused, saying why.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { KeyStore } from '../core/key-store';
import type { TokenVault } from './connections/token-vault';

const KEY_BYTES = 32;

export class KeychainUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(
      `Orgdesk keeps its master key encrypted by the operating system's keychain, but ${reason}.`,
    );
    this.name = 'KeychainUnavailableError';
  }
}

export class VaultKeyStore implements KeyStore {
  private key: Buffer | null = null;

  constructor(
    private readonly file: string,
    private readonly vault: TokenVault,
  ) {}

  masterKey(): Buffer {
    if (this.key) return this.key;
    const status = this.vault.status();
    if (!status.secure) throw new KeychainUnavailableError(status.reason);
    if (!existsSync(this.file)) {
      const fresh = randomBytes(KEY_BYTES);
      // 'wx': never overwrite a key that appeared meanwhile (that would orphan every secret).
      writeFileSync(this.file, this.vault.encrypt(fresh.toString('base64')), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    let text: string;
    try {
      text = this.vault.decrypt(readFileSync(this.file));
    } catch {
      throw new Error(
        `The master key in ${this.file} cannot be decrypted by this user's keychain (was it made by another user, or was the keyring reset?). Organization secrets in the local database stay unreadable until the original keychain is back.`,
      );
    }
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`${this.file} does not hold a 32-byte key`);
    this.key = key;
    return key;
  }
}
