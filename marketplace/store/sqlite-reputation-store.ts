/**
 * Provider reputation kept in the coordinator store (migration 2), so a restart does not wipe a
 * quarantine: a provider caught returning wrong outputs stays held back until it earns its way out.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ReputationEntry, ReputationStore } from '../verification/reputation.js';

/** A ReputationStore over the store's `reputation` table; node addresses are kept lower-case. */
export function sqliteReputationStore(db: BetterSqlite3.Database): ReputationStore {
  const select = db.prepare('SELECT score, at FROM reputation WHERE node = ?');
  const upsert = db.prepare('INSERT INTO reputation (node, score, at) VALUES (?, ?, ?) ON CONFLICT (node) DO UPDATE SET score = excluded.score, at = excluded.at');
  const all = db.prepare('SELECT node FROM reputation').pluck();
  return {
    get: (providerId) => select.get(providerId.toLowerCase()) as ReputationEntry | undefined,
    set: (providerId, entry) => void upsert.run(providerId.toLowerCase(), entry.score, entry.at),
    ids: () => all.all() as string[],
  };
}
