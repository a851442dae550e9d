/**
 * The payout recipient: where vouchers should pay. The built-in wallet's address by default, or any
 * address the user typed (a hardware wallet, an exchange deposit address), stored in
 * `<data dir>/wallet-recipient.json` (atomic, 0600). The marketplace link names it in `hello`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Address, getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.js';
import { WalletError } from './wallet-error.js';

/** The recipient file's name inside the data folder. */
export const RECIPIENT_FILE = 'wallet-recipient.json';

const RecipientFile = z.object({ version: z.literal(1), recipient: z.string() });

/**
 * Checks a typed address: 0x and 40 hex digits, and when it mixes cases its EIP-55 checksum must hold
 * (a typo in a mixed-case address is caught; all-lower or all-upper carries no checksum).
 */
export function parseRecipient(text: string): Address {
  const trimmed = text.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(trimmed)) throw new WalletError('invalid_address', `"${trimmed.slice(0, 60)}" is not an address: expected 0x followed by 40 hex digits.`);
  const body = trimmed.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && !isAddress(trimmed, { strict: true })) throw new WalletError('invalid_address', `${trimmed} fails its checksum (EIP-55): a character was probably mistyped. Copy the address again.`);
  if (/^0x0{40}$/.test(trimmed)) throw new WalletError('invalid_address', 'The zero address cannot receive payouts.');
  return getAddress(trimmed.toLowerCase());
}

/** The recipient the user chose, or null (then the built-in wallet's address is used). */
export async function loadRecipient(dataDir: string): Promise<Address | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, RECIPIENT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return parseRecipient(RecipientFile.parse(JSON.parse(text)).recipient);
  } catch {
    return null;
  }
}

/** Persists the chosen recipient. */
export async function saveRecipient(dataDir: string, recipient: Address): Promise<void> {
  await writeFileAtomic(join(dataDir, RECIPIENT_FILE), `${JSON.stringify({ version: 1, recipient: getAddress(recipient) })}\n`, 0o600);
}
