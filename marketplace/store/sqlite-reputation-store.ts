/**
 * Provider reputation kept in the coordinator store (migration 2), so a restart does not wipe a
 * quarantine: a provider caught returning wrong outputs stays held back until it earns its way out.
 *
 * Every score is also held in memory, because the dispatcher reads the standing of each connected
 * provider for every job (1,000 reads a job in the scale bench, which were two SQLite queries each).
 * A score that falls is written at once; a score that rises is written within `flushMs` (one
 * transaction for all of them) and on close. A crash can therefore forget at most `flushMs` of good
 * behaviour, never a penalty.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ReputationEntry, ReputationStore } from '../verification/reputation.js';

/** The store, and what the coordinator store calls when it closes. */
export type SqliteReputationStore = ReputationStore & {
  /** Writes every held rise now. */
  flush(): void;
};

/** How long a rise may wait for its write, by default. */
export const REPUTATION_FLUSH_MS = 1000;

/** A ReputationStore over the store's `reputation` table; node addresses are kept lower-case. */
export function sqliteReputationStore(db: BetterSqlite3.Database, flushMs = REPUTATION_FLUSH_MS): SqliteReputationStore {
  const upsert = db.prepare('INSERT INTO reputation (node, score, at) VALUES (?, ?, ?) ON CONFLICT (node) DO UPDATE SET score = excluded.score, at = excluded.at');
  const entries = new Map<string, ReputationEntry>();
  for (const row of db.prepare('SELECT node, score, at FROM reputation').all() as { node: string; score: number; at: number }[]) {
    entries.set(row.node, { score: row.score, at: row.at });
  }
  const waiting = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const writeAll = db.transaction((ids: Iterable<string>) => {
    for (const id of ids) {
      const entry = entries.get(id)!;
      upsert.run(id, entry.score, entry.at);
    }
  });
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (waiting.size === 0 || !db.open) return;
    writeAll([...waiting]);
    waiting.clear();
  };
  return {
    get: (providerId) => entries.get(providerId.toLowerCase()),
    set(providerId, entry) {
      const id = providerId.toLowerCase();
      const before = entries.get(id);
      entries.set(id, entry);
      if (before !== undefined && entry.score >= before.score) {
        waiting.add(id);
        timer ??= setTimeout(flush, flushMs).unref();
        return;
      }
      waiting.add(id);
      flush();
    },
    ids: () => entries.keys(),
    flush,
  };
}
