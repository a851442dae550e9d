/**
 * Where the wallet learns the payout chain: the marketplace's `welcome` (through the link's status),
 * remembered in `<data dir>/wallet-payout.json` so that `hearth claim` works while the provider is
 * stopped, and the node address from the node key file. An RPC URL override (settings or a flag)
 * replaces the marketplace's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Address, getAddress } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { z } from 'zod';
import { PayoutInfo } from '../../common/marketplace-protocol.js';
import { writeFileAtomic } from '../atomic-file.js';
import { NODE_KEY_FILE } from '../marketplace/node-key.js';

/** The remembered payout info's file name. */
export const PAYOUT_FILE = 'wallet-payout.json';

/** The last payout info the marketplace announced, or null. */
export async function loadRememberedPayout(dataDir: string): Promise<PayoutInfo | null> {
  try {
    const parsed = PayoutInfo.safeParse(JSON.parse(await readFile(join(dataDir, PAYOUT_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Remembers the payout info (atomic, 0600). */
export async function rememberPayout(dataDir: string, payout: PayoutInfo): Promise<void> {
  await writeFileAtomic(join(dataDir, PAYOUT_FILE), `${JSON.stringify(payout)}\n`, 0o600);
}

/** The node address from the node key file, without creating one; null when there is none yet. */
export async function readNodeAddress(dataDir: string): Promise<Address | null> {
  try {
    const file = z.object({ privateKey: z.string().regex(/^0x[0-9a-f]{64}$/) }).parse(JSON.parse(await readFile(join(dataDir, NODE_KEY_FILE), 'utf8')));
    return getAddress(privateKeyToAddress(file.privateKey as `0x${string}`));
  } catch {
    return null;
  }
}

/** True when two payout infos name the same chain, vault and token. */
export function samePayout(a: PayoutInfo | null, b: PayoutInfo | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
