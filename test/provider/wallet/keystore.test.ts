/**
 * The key file: round trip, mode 0600, atomic writes, a wrong passphrase changes nothing, and a key
 * wrapper backend change asks for the passphrase again. `fakeSafeStorageWrapper` stands in for
 * Electron's safeStorage, which needs the Electron binary (not installable here).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import type { KeyWrapper } from '../../../provider/wallet/key-wrapper.js';
import { noKeyWrapper } from '../../../provider/wallet/key-wrapper.js';
import { DEFAULT_KDF, checkPassphrase, createKeystore, readKeystore, unlockKeystore, walletPath } from '../../../provider/wallet/keystore.js';
import { parseRecipient } from '../../../provider/wallet/recipient.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { PASSPHRASE, TEST_KDF } from './claim-fixture.js';

/** A stand-in for Electron safeStorage: AES-GCM under a key held by "the OS" (this object). */
function fakeSafeStorageWrapper(backend: string): KeyWrapper {
  const key = randomBytes(32);
  return {
    backend,
    real: true,
    wrap(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(secret), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unwrap(wrapped) {
      const data = Buffer.from(wrapped);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
    },
  };
}

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await makeTempDir('hearth-keystore-')));
afterEach(async () => remove());

describe('the key file', () => {
  it('round-trips a key under the real scrypt cost, 0600, with no plaintext key and no temp file left', async () => {
    const privateKey = generatePrivateKey();
    const path = walletPath(dir);
    const file = await createKeystore(path, { passphrase: PASSPHRASE, privateKey, wrapper: noKeyWrapper });
    expect(file.kdf).toMatchObject({ name: 'scrypt', n: DEFAULT_KDF.n, r: 8, p: 1 });
    expect(file.address).toBe(privateKeyToAddress(privateKey));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['wallet.json']);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(privateKey.slice(2));
    expect(text).not.toContain(PASSPHRASE);
    const unlocked = await unlockKeystore(path, PASSPHRASE, noKeyWrapper);
    expect(unlocked.privateKey).toBe(privateKey);
  });

  it('refuses to overwrite an existing key file (wallet_exists) and leaves it byte for byte', async () => {
    const path = walletPath(dir);
    await createKeystore(path, { passphrase: PASSPHRASE, privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF });
    const before = await readFile(path);
    await expect(createKeystore(path, { passphrase: PASSPHRASE, privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF })).rejects.toMatchObject({ code: 'wallet_exists' });
    expect(await readFile(path)).toEqual(before);
  });

  it('a wrong passphrase is wrong_passphrase, changes nothing, and the right one still works after many tries', async () => {
    const privateKey = generatePrivateKey();
    const path = walletPath(dir);
    await createKeystore(path, { passphrase: PASSPHRASE, privateKey, wrapper: noKeyWrapper, kdf: TEST_KDF });
    const before = await readFile(path);
    for (let i = 0; i < 5; i += 1) await expect(unlockKeystore(path, `${PASSPHRASE}${i}`, noKeyWrapper)).rejects.toMatchObject({ code: 'wrong_passphrase' });
    await expect(checkPassphrase(path, 'nope nope nope')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    expect(await readFile(path)).toEqual(before);
    expect((await unlockKeystore(path, PASSPHRASE, noKeyWrapper)).privateKey).toBe(privateKey);
  });

  it('refuses short passphrases, bad keys, and a file that is not a key file (without echoing it)', async () => {
    const path = walletPath(dir);
    await expect(createKeystore(path, { passphrase: 'short', privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF })).rejects.toMatchObject({ code: 'weak_passphrase' });
    await expect(createKeystore(path, { passphrase: PASSPHRASE, privateKey: '0x1234', wrapper: noKeyWrapper, kdf: TEST_KDF })).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(createKeystore(path, { passphrase: PASSPHRASE, privateKey: `0x${'0'.repeat(64)}`, wrapper: noKeyWrapper, kdf: TEST_KDF })).rejects.toMatchObject({ code: 'invalid_key' });
    await writeFile(path, '{"secret":"do-not-echo"}');
    const err = await readKeystore(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'wallet_file_invalid' });
    expect(String((err as Error).message)).not.toContain('do-not-echo');
  });

  it('a tampered ciphertext or address does not unlock (wrong_passphrase), never a different key', async () => {
    const path = walletPath(dir);
    const file = await createKeystore(path, { passphrase: PASSPHRASE, privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF });
    await writeFile(path, JSON.stringify({ ...file, address: privateKeyToAddress(generatePrivateKey()) }));
    await expect(unlockKeystore(path, PASSPHRASE, noKeyWrapper)).rejects.toMatchObject({ code: 'wrong_passphrase' });
  });
});

describe('the key wrapper (safeStorage layer)', () => {
  it('with a real backend unlocks without the passphrase; another backend forces it, then re-wraps', async () => {
    const privateKey = generatePrivateKey();
    const path = walletPath(dir);
    const keychain = fakeSafeStorageWrapper('safeStorage:gnome_libsecret');
    const file = await createKeystore(path, { passphrase: PASSPHRASE, privateKey, wrapper: keychain, kdf: TEST_KDF });
    expect(file.wrap.backend).toBe('safeStorage:gnome_libsecret');
    expect(file.wrap.wrappedKey).not.toBeNull();
    expect((await unlockKeystore(path, null, keychain)).privateKey).toBe(privateKey);

    const kwallet = fakeSafeStorageWrapper('safeStorage:kwallet5');
    await expect(unlockKeystore(path, null, kwallet)).rejects.toMatchObject({ code: 'passphrase_required' });
    await expect(unlockKeystore(path, null, noKeyWrapper)).rejects.toMatchObject({ code: 'passphrase_required' });
    expect((await unlockKeystore(path, PASSPHRASE, kwallet)).privateKey).toBe(privateKey);
    expect((await readKeystore(path))?.wrap.backend).toBe('safeStorage:kwallet5');
    expect((await unlockKeystore(path, null, kwallet)).privateKey).toBe(privateKey);
    // The old keychain's copy is gone: it can no longer open the file alone.
    await expect(unlockKeystore(path, null, keychain)).rejects.toMatchObject({ code: 'passphrase_required' });
  });

  it('under plain Node (backend none) every unlock needs the passphrase', async () => {
    const path = walletPath(dir);
    await createKeystore(path, { passphrase: PASSPHRASE, privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF });
    expect((await readKeystore(path))?.wrap).toEqual({ backend: 'none', wrappedKey: null });
    await expect(unlockKeystore(path, null, noKeyWrapper)).rejects.toMatchObject({ code: 'passphrase_required' });
  });
});

describe('the payout recipient', () => {
  it('takes any valid address, checks a mixed-case checksum, and refuses the rest', () => {
    const address = '0x52908400098527886E0F7030069857D2E4169EE7';
    expect(parseRecipient(address)).toBe(address);
    expect(parseRecipient(address.toLowerCase())).toBe(address);
    expect(parseRecipient(` ${address.toUpperCase().replace('0X', '0x')} `)).toBe(address);
    // One letter's case flipped: a mistyped checksummed address.
    const mistyped = address.replace('E0F', 'e0F');
    for (const bad of ['0x1234', 'hello', `${address}00`, `0x${'0'.repeat(40)}`, mistyped]) expect(() => parseRecipient(bad)).toThrow(expect.objectContaining({ code: 'invalid_address' }));
  });
});

it('keeps every file it writes inside the data folder private', async () => {
  await createKeystore(join(dir, 'wallet.json'), { passphrase: PASSPHRASE, privateKey: generatePrivateKey(), wrapper: noKeyWrapper, kdf: TEST_KDF });
  for (const name of await readdir(dir)) expect((await stat(join(dir, name))).mode & 0o077).toBe(0);
});
