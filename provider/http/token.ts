import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

export const TOKEN_FILE = 'dashboard-token';

/**
 * The dashboard's bearer token: 32 random bytes as hex, kept 0600 in the data folder so an open
 * dashboard tab keeps working across provider restarts. A malformed file is replaced.
 */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const path = join(dataDir, TOKEN_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** Compares an `Authorization` header against the token in constant time. */
export function isAuthorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  return timingSafeEqual(Buffer.from(match[1]!), Buffer.from(token));
}
