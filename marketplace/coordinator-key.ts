/**
 * The coordinator's signing key: it signs every job and countersigns receipts, and providers pin its
 * address. Kept in `<marketplace data dir>/coordinator-key.json` (mode 0600, written atomically, made on
 * first run) unless a key file is named; a named file must exist. The key is never printed or logged.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type PrivateKeyAccount, generatePrivateKey } from 'viem/accounts';
import { protocolAccount } from '../common/wire/secp256k1.js';
import { z } from 'zod';
import { writeFileAtomic } from '../provider/atomic-file.js';

/** The key file's name inside the marketplace's data folder. */
export const COORDINATOR_KEY_FILE = 'coordinator-key.json';

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
const KeyFile = z.object({ version: z.literal(1), privateKey: z.string().regex(PRIVATE_KEY) });

/** Why the coordinator key could not be loaded; the file is left as it is. */
export class CoordinatorKeyError extends Error {
  readonly code = 'coordinator_key_unreadable';
}

/** The coordinator account, from `keyFile` when given (JSON as written here, or one 0x-hex line), else from the data folder. */
export async function loadCoordinatorKey(options: { dataDir: string; keyFile?: string }): Promise<{ account: PrivateKeyAccount; path: string; created: boolean }> {
  const path = options.keyFile ?? join(options.dataDir, COORDINATOR_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (options.keyFile !== undefined) throw new CoordinatorKeyError(`The coordinator key file ${path} does not exist.`);
    const privateKey = generatePrivateKey();
    await writeFileAtomic(path, `${JSON.stringify({ version: 1, privateKey })}\n`, 0o600);
    return { account: protocolAccount(privateKey), path, created: true };
  }
  const privateKey = parseKey(text.trim());
  // Never replaced silently: providers pin this address, and a new key would lock every one of them out.
  if (privateKey === null) throw new CoordinatorKeyError(`${path} holds no coordinator key (JSON {"version":1,"privateKey":"0x…"} or one 0x-hex line). Restore it, or move it aside to start with a new key.`);
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { account: protocolAccount(privateKey), path, created: false };
}

function parseKey(text: string): `0x${string}` | null {
  if (PRIVATE_KEY.test(text)) return text.toLowerCase() as `0x${string}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const file = KeyFile.safeParse(parsed);
  return file.success ? (file.data.privateKey.toLowerCase() as `0x${string}`) : null;
}
