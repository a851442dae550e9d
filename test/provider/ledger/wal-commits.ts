/**
 * Counts the commits in a ledger's write-ahead log by reading the -wal file itself: every commit ends
 * with a frame whose header carries the database size, and only frames with the log's current salts
 * count (older ones are leftovers of a log SQLite restarted). Each one is an fsync under synchronous=FULL.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Commits in `<ledgerPath>-wal` since the log last restarted (a checkpoint may restart it). */
export function walCommits(ledgerPath: string): number {
  const path = `${ledgerPath}-wal`;
  if (!existsSync(path)) return 0;
  const wal = readFileSync(path);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return commits;
}
