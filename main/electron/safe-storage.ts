// Electron's safeStorage (the OS keychain: Keychain on macOS, DPAPI on Windows, libsecret or
// KWallet on Linux) as the app's TokenVault and master key store.
import { safeStorage } from 'electron';
import {
  keychainStatus,
  type TokenVault,
  type VaultStatus,
} from '../desktop/connections/token-vault';
import { VaultKeyStore } from '../desktop/vault-key-store';

export class SafeStorageTokenVault implements TokenVault {
  status(): VaultStatus {
    return keychainStatus({
      platform: process.platform,
      encryptionAvailable: safeStorage.isEncryptionAvailable(),
      linuxBackend:
        process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined,
    });
  }
  encrypt(plain: string): Buffer {
    return safeStorage.encryptString(plain);
  }
  decrypt(cipher: Buffer): string {
    return safeStorage.decryptString(cipher);
  }
}

/** The master key file, encrypted with safeStorage; refused (with why) where that is not real. */
export class SafeStorageKeyStore extends VaultKeyStore {
  constructor(file: string) {
    super(file, new SafeStorageTokenVault());
  }
}
