// Encryption of remote session tokens at rest. The desktop's implementation is the OS keychain
// (Electron safeStorage, main/electron/safe-storage.ts); tests use a fake. Services and the
// connection store only see this interface.

export type VaultStatus = { secure: true } | { secure: false; reason: string };

export interface TokenVault {
  /** Whether encryption is backed by a real OS keychain; when not, `reason` says why. */
  status(): VaultStatus;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

export interface KeychainFacts {
  platform: NodeJS.Platform;
  /** safeStorage.isEncryptionAvailable() */
  encryptionAvailable: boolean;
  /** safeStorage.getSelectedStorageBackend() on Linux; undefined elsewhere. */
  linuxBackend?: string;
}

/**
 * Decides from safeStorage's facts whether its encryption is worth anything. On Linux without a
 * keyring (no GNOME Keyring / KWallet), Chromium falls back to `basic_text`: a password hard-coded
 * in Chromium's source, which protects nothing. That counts as not secure.
 */
export function keychainStatus(facts: KeychainFacts): VaultStatus {
  if (!facts.encryptionAvailable) {
    return {
      secure: false,
      reason: 'the operating system offers no keychain to encrypt with (safeStorage unavailable)',
    };
  }
  if (facts.platform === 'linux') {
    const backend = facts.linuxBackend ?? 'unknown';
    if (backend === 'basic_text') {
      return {
        secure: false,
        reason:
          'no keyring (GNOME Keyring or KWallet) is running, so Electron would encrypt with a ' +
          'fixed, publicly known password ("basic_text"); install or unlock a keyring and restart Orgdesk',
      };
    }
    if (backend === 'unknown') {
      return {
        secure: false,
        reason: 'the keyring backend could not be determined, so encryption may not be real',
      };
    }
  }
  return { secure: true };
}
