/**
 * The wallet key's second layer in the desktop app: Electron's safeStorage (Keychain on macOS, DPAPI
 * on Windows, libsecret or KWallet on Linux). Linux's `basic_text` backend (a hard-coded key) and an
 * unavailable safeStorage count as not real: the wallet then asks for the passphrase every time.
 * Takes safeStorage as a parameter (Fiddle's fail-closed pattern) so it is testable without Electron.
 */
import type { SafeStorage } from 'electron';
import type { KeyWrapper } from '../provider/wallet/key-wrapper.js';
import { noKeyWrapper } from '../provider/wallet/key-wrapper.js';

/** The parts of Electron's safeStorage the wrapper uses. */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: () => string };

/** A KeyWrapper over safeStorage, or the `none` wrapper where safeStorage protects nothing. */
export function safeStorageKeyWrapper(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeyWrapper {
  if (!storage.isEncryptionAvailable()) return noKeyWrapper;
  const backend = platform === 'linux' ? (storage.getSelectedStorageBackend?.() ?? 'unknown') : platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'unknown';
  if (backend === 'basic_text' || backend === 'unknown') return noKeyWrapper;
  return {
    backend: `safeStorage:${backend}`,
    real: true,
    // safeStorage takes strings; base64 keeps the bytes intact.
    wrap: (secret) => new Uint8Array(storage.encryptString(Buffer.from(secret).toString('base64'))),
    unwrap: (wrapped) => new Uint8Array(Buffer.from(storage.decryptString(Buffer.from(wrapped)), 'base64')),
  };
}
