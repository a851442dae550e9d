/**
 * The coordinator store's schema as numbered migrations. Each runs once, in its own transaction with its
 * row in `schema_migrations`, so a crash leaves the schema at one version or the next. Never edit a
 * migration that has shipped: add the next number.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './store-error.js';

/** One schema step. */
export interface StoreMigration {
  version: number;
  name: string;
  sql: string;
}

// A canonical decimal: digits only, no leading zero unless it is "0".
const amount = (column: string) => `${column} GLOB '[0-9]*' AND ${column} NOT GLOB '*[^0-9]*' AND (${column} = '0' OR ${column} NOT GLOB '0*')`;

/** Every migration, in order; `version` is the position plus one. */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    name: 'acks, credits, credit totals, vouchers',
    sql: `
      CREATE TABLE acks (
        node TEXT NOT NULL,
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 0),
        credited TEXT NOT NULL CHECK (${amount('credited')}),
        signature TEXT NOT NULL,
        acked_at INTEGER NOT NULL,
        PRIMARY KEY (node, job_id),
        UNIQUE (node, seq)
      ) STRICT;

      CREATE TABLE credits (
        job_id TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        token TEXT NOT NULL,
        amount TEXT NOT NULL CHECK (${amount('amount')} AND amount <> '0'),
        seq INTEGER NOT NULL,
        credited_at INTEGER NOT NULL,
        FOREIGN KEY (node, job_id) REFERENCES acks (node, job_id)
      ) STRICT;
      CREATE INDEX credits_by_node ON credits (node, token);

      CREATE TABLE credit_totals (
        node TEXT NOT NULL,
        token TEXT NOT NULL,
        total TEXT NOT NULL CHECK (${amount('total')}),
        jobs INTEGER NOT NULL CHECK (jobs >= 0),
        PRIMARY KEY (node, token)
      ) STRICT;

      CREATE TABLE vouchers (
        row INTEGER PRIMARY KEY AUTOINCREMENT,
        digest TEXT NOT NULL UNIQUE,
        node TEXT NOT NULL,
        recipient TEXT NOT NULL,
        token TEXT NOT NULL,
        cumulative_amount TEXT NOT NULL CHECK (${amount('cumulative_amount')}),
        expiry INTEGER NOT NULL,
        chain_id INTEGER NOT NULL,
        vault TEXT NOT NULL,
        signature TEXT NOT NULL,
        issued_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX vouchers_by_node ON vouchers (node, token, row);
    `,
  },
  {
    version: 2,
    name: 'provider reputation',
    sql: `
      CREATE TABLE reputation (
        node TEXT PRIMARY KEY,
        score REAL NOT NULL CHECK (score BETWEEN -100 AND 100),
        at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

/** Applies every migration above the file's version; refuses a file from a newer Hearth. */
export function migrateStore(db: BetterSqlite3.Database, path: string, now: () => number): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT');
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
  const latest = STORE_MIGRATIONS.length;
  if (current > latest) {
    throw new StoreError('store_too_new', `The marketplace store at ${path} is at schema version ${current}, newer than this Hearth understands (${latest}). Run a newer Hearth with this data folder.`);
  }
  const applied: number[] = [];
  for (const migration of STORE_MIGRATIONS.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
