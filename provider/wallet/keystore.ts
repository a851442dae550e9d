/**
 * The wallet's key file, `<data dir>/wallet.json`: the private key encrypted with AES-256-GCM under a
 * key derived from the passphrase with scrypt (N 2^17, r 8, p 1: about 0.3 s here), the address as
 * additional authenticated data. Where a real KeyWrapper exists (Electron safeStorage) the derived key
 * is also stored wrapped by it, so the same machine can unlock without the passphrase; the backend is
 * recorded, and a different backend at unlock time asks for the passphrase again. Written atomically,
 * mode 0600. A wrong passphrase changes nothing on disk.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Hex, getAddress } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.js';
import type { KeyWrapper } from './key-wrapper.js';
import { WalletError } from './wallet-error.js';

/** The key file's name inside the data folder. */
export const WALLET_FILE = 'wallet.json';

/** scrypt cost: 128 MiB and ~0.3 s per derivation on this machine's cores (measured). */
export const DEFAULT_KDF = { n: 2 ** 17, r: 8, p: 1 } as const;

/** Shortest passphrase accepted for a new key file. */
export const MIN_PASSPHRASE_LENGTH = 8;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

const KeystoreFile = z.object({
  version: z.literal(1),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  kdf: z.object({ name: z.literal('scrypt'), n: z.number().int().min(2 ** 10).max(2 ** 22), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(16), salt: hex(32) }),
  cipher: z.object({ name: z.literal('aes-256-gcm'), iv: hex(12), tag: hex(16), ciphertext: hex(32) }),
  wrap: z.object({ backend: z.string().min(1).max(100), wrappedKey: z.string().max(4096).nullable() }),
});
export type KeystoreFile = z.infer<typeof KeystoreFile>;

type KdfParams = { n: number; r: number; p: number };

/** The key file's path in a data folder. */
export function walletPath(dataDir: string): string {
  return join(dataDir, WALLET_FILE);
}

/** Reads the key file; null when there is none; `wallet_file_invalid` when it is not one. */
export async function readKeystore(path: string): Promise<KeystoreFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: unknown = null;
  try {
    raw = JSON.parse(text);
  } catch {
    // Reported below without echoing the content.
  }
  const parsed = KeystoreFile.safeParse(raw);
  if (!parsed.success) throw new WalletError('wallet_file_invalid', `${path} is not a Hearth wallet file. Restore it from a backup, or move it aside to create or import a wallet.`);
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return parsed.data;
}

/** Encrypts `privateKey` (or a new random key) under `passphrase` and writes a new key file; `wallet_exists` if one is there. */
export async function createKeystore(
  path: string,
  options: { passphrase: string; privateKey: Hex; wrapper: KeyWrapper; kdf?: KdfParams },
): Promise<KeystoreFile> {
  if (options.passphrase.length < MIN_PASSPHRASE_LENGTH) throw new WalletError('weak_passphrase', `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.privateKey)) throw new WalletError('invalid_key', 'A private key is 32 bytes written as 0x followed by 64 hex digits.');
  let address: string;
  try {
    address = privateKeyToAddress(options.privateKey.toLowerCase() as Hex);
  } catch {
    throw new WalletError('invalid_key', 'That private key is not a valid secp256k1 key.');
  }
  if ((await readKeystore(path)) !== null) throw new WalletError('wallet_exists', `A wallet already exists at ${path}; it was left as it is.`);
  const kdf = { ...(options.kdf ?? DEFAULT_KDF) };
  const salt = randomBytes(32);
  const derived = await deriveKey(options.passphrase, salt, kdf);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derived, iv);
  cipher.setAAD(aad(address));
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(options.privateKey.slice(2), 'hex')), cipher.final()]);
  const file: KeystoreFile = {
    version: 1,
    address,
    kdf: { name: 'scrypt', ...kdf, salt: salt.toString('hex') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex'), ciphertext: ciphertext.toString('hex') },
    wrap: wrapDerived(options.wrapper, derived),
  };
  derived.fill(0);
  await writeKeystore(path, file);
  return file;
}

/**
 * Decrypts the key. Without a passphrase it uses the wrapped derived key, only when the file's backend
 * is the current real one (`passphrase_required` otherwise). With a passphrase, a file wrapped under
 * another backend (or none) is re-wrapped under the current one and rewritten.
 */
export async function unlockKeystore(path: string, passphrase: string | null, wrapper: KeyWrapper): Promise<{ privateKey: Hex; address: string }> {
  const file = await readKeystore(path);
  if (file === null) throw new WalletError('no_wallet', 'There is no wallet yet: create one or import a private key.');
  let derived: Buffer;
  if (passphrase === null) {
    if (!wrapper.real || file.wrap.wrappedKey === null || file.wrap.backend !== wrapper.backend) {
      throw new WalletError('passphrase_required', file.wrap.backend !== wrapper.backend && file.wrap.wrappedKey !== null
        ? `The wallet was protected by ${file.wrap.backend} and this session uses ${wrapper.backend}; enter the passphrase to unlock it.`
        : 'Enter the wallet passphrase to unlock it.');
    }
    try {
      derived = Buffer.from(wrapper.unwrap(Buffer.from(file.wrap.wrappedKey, 'base64')));
    } catch {
      throw new WalletError('passphrase_required', `${wrapper.backend} could not unwrap the wallet key; enter the passphrase to unlock it.`);
    }
  } else {
    derived = await deriveKey(passphrase, Buffer.from(file.kdf.salt, 'hex'), file.kdf);
  }
  const privateKey = decrypt(file, derived);
  if (privateKey === null) {
    derived.fill(0);
    throw new WalletError(passphrase === null ? 'passphrase_required' : 'wrong_passphrase', passphrase === null ? 'The remembered key no longer opens the wallet; enter the passphrase.' : 'That passphrase does not unlock this wallet. Nothing was changed; try again.');
  }
  if (passphrase !== null && wrapper.real && (file.wrap.backend !== wrapper.backend || file.wrap.wrappedKey === null)) {
    await writeKeystore(path, { ...file, wrap: wrapDerived(wrapper, derived) });
  } else if (passphrase !== null && !wrapper.real && file.wrap.backend !== wrapper.backend) {
    // The old backend's copy cannot be used here; recording the change makes the next unlock explicit.
    await writeKeystore(path, { ...file, wrap: { backend: wrapper.backend, wrappedKey: null } });
  }
  derived.fill(0);
  return { privateKey, address: file.address };
}

/** Checks a passphrase against the key file without keeping anything (for export and confirmations). */
export async function checkPassphrase(path: string, passphrase: string): Promise<Hex> {
  const file = await readKeystore(path);
  if (file === null) throw new WalletError('no_wallet', 'There is no wallet yet: create one or import a private key.');
  const derived = await deriveKey(passphrase, Buffer.from(file.kdf.salt, 'hex'), file.kdf);
  const privateKey = decrypt(file, derived);
  derived.fill(0);
  if (privateKey === null) throw new WalletError('wrong_passphrase', 'That passphrase does not unlock this wallet. Nothing was changed; try again.');
  return privateKey;
}

function decrypt(file: KeystoreFile, derived: Buffer): Hex | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', derived, Buffer.from(file.cipher.iv, 'hex'));
    decipher.setAAD(aad(file.address));
    decipher.setAuthTag(Buffer.from(file.cipher.tag, 'hex'));
    const key = Buffer.concat([decipher.update(Buffer.from(file.cipher.ciphertext, 'hex')), decipher.final()]);
    const privateKey = `0x${key.toString('hex')}` as Hex;
    key.fill(0);
    // GCM already authenticates; the address check catches a file whose address field was edited.
    return getAddress(privateKeyToAddress(privateKey)) === getAddress(file.address) ? privateKey : null;
  } catch {
    return null;
  }
}

function wrapDerived(wrapper: KeyWrapper, derived: Buffer): KeystoreFile['wrap'] {
  if (!wrapper.real) return { backend: wrapper.backend, wrappedKey: null };
  return { backend: wrapper.backend, wrappedKey: Buffer.from(wrapper.wrap(derived)).toString('base64') };
}

function aad(address: string): Buffer {
  return Buffer.from(`hearth-wallet-v1:${address.toLowerCase()}`, 'utf8');
}

function deriveKey(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // Async so the provider's event loop keeps serving while the KDF runs on libuv's pool.
    scrypt(passphrase.normalize('NFKC'), salt, 32, { N: kdf.n, r: kdf.r, p: kdf.p, maxmem: 256 * 1024 ** 2 + 128 * kdf.n * kdf.r * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

async function writeKeystore(path: string, file: KeystoreFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
}
