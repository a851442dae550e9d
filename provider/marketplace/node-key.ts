/**
 * The node key: the secp256k1 key that identifies this provider to coordinators, answers their
 * challenges and signs receipts. It is not the wallet (it holds no funds); it is made on first run and
 * kept in `<data dir>/node-key.json`, mode 0600, written atomically. The key itself is never returned,
 * logged or sent: callers get a viem account that can only sign.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type PrivateKeyAccount, generatePrivateKey } from 'viem/accounts';
import { protocolAccount } from '../../common/wire/secp256k1.js';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.js';

/** The node key file's name inside the data folder. */
export const NODE_KEY_FILE = 'node-key.json';

const NodeKeyFile = z.object({ version: z.literal(1), privateKey: z.string().regex(/^0x[0-9a-f]{64}$/) });

/** Why the node key could not be loaded; the file is left as it is. */
export class NodeKeyError extends Error {
  readonly code = 'node_key_unreadable';
}

/** Loads the node key from the data folder, creating it on first run. */
export async function loadOrCreateNodeKey(dataDir: string): Promise<{ account: PrivateKeyAccount; created: boolean }> {
  const path = join(dataDir, NODE_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const privateKey = generatePrivateKey();
    await writeFileAtomic(path, `${JSON.stringify({ version: 1, privateKey })}\n`, 0o600);
    return { account: protocolAccount(privateKey), created: true };
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Reported below without echoing the content.
  }
  const file = NodeKeyFile.safeParse(parsed);
  // Never replaced silently: the address earns credits and reputation, and a new key would lose both.
  if (!file.success) throw new NodeKeyError(`${path} is not a Hearth node key. Restore it from a backup, or move it aside to start as a new node.`);
  await narrowMode(path);
  return { account: protocolAccount(file.data.privateKey as `0x${string}`), created: false };
}

async function narrowMode(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) await chmod(path, 0o600);
}
