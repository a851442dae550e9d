/**
 * The safeStorage key wrapper's choice of backend. `fakeSafeStorage` stands in for Electron's
 * safeStorage (the Electron binary cannot be installed here); it reverses and tags the string so a
 * wrap is visibly not the identity.
 */
import { describe, expect, it } from 'vitest';
import { safeStorageKeyWrapper } from '../../../electron/safe-storage-wrapper.js';

function fakeSafeStorage(available: boolean, backend: string) {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain: string) => Buffer.from(`enc:${[...plain].reverse().join('')}`),
    decryptString: (data: Buffer) => [...data.toString().slice(4)].reverse().join(''),
    getSelectedStorageBackend: () => backend,
  };
}

describe('safeStorageKeyWrapper', () => {
  it('is real on a keyring backend and round-trips bytes', () => {
    const wrapper = safeStorageKeyWrapper(fakeSafeStorage(true, 'gnome_libsecret'), 'linux');
    expect(wrapper).toMatchObject({ backend: 'safeStorage:gnome_libsecret', real: true });
    const secret = new Uint8Array([0, 1, 2, 250, 255]);
    const wrapped = wrapper.wrap(secret);
    expect(Buffer.from(wrapped).equals(Buffer.from(secret))).toBe(false);
    expect([...wrapper.unwrap(wrapped)]).toEqual([...secret]);
    expect(safeStorageKeyWrapper(fakeSafeStorage(true, ''), 'darwin').backend).toBe('safeStorage:keychain');
  });

  it('counts Linux basic_text, an unknown backend and unavailable encryption as not real', () => {
    for (const wrapper of [safeStorageKeyWrapper(fakeSafeStorage(true, 'basic_text'), 'linux'), safeStorageKeyWrapper(fakeSafeStorage(true, 'unknown'), 'linux'), safeStorageKeyWrapper(fakeSafeStorage(false, 'kwallet5'), 'linux')]) {
      expect(wrapper).toMatchObject({ backend: 'none', real: false });
    }
  });
});
