/**
 * Opens the coordinator's SQLite store with the durability credits need: WAL with synchronous=FULL
 * (better-sqlite3 leaves WAL at NORMAL, which can lose the last commits on power loss), fullfsync on
 * macOS, foreign keys on; every pragma is read back and a mismatch refuses to open. The file then passes
 * an integrity check and is migrated. `:memory:` (tests) skips the WAL check, which memory cannot do.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './store-error.js';
import { migrateStore } from './store-migrations.js';

/** The store's file name in the marketplace's data folder. */
export const STORE_FILE = 'marketplace.sqlite';
/** An in-memory store (tests, and a marketplace started without a path). */
export const MEMORY_STORE = ':memory:';

const CORRUPTION_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** Opens (creating if needed) the store at `path`; throws a StoreError when it is damaged or unsafe. */
export function openStoreDatabase(path: string, options: { platform?: NodeJS.Platform; now?: () => number } = {}): Database.Database {
  const memory = path === MEMORY_STORE;
  if (!memory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, { timeout: 5000 });
  try {
    if (!memory) expectPragma(db, path, 'journal_mode = WAL', 'journal_mode', 'wal');
    expectPragma(db, path, 'synchronous = FULL', 'synchronous', 2);
    if ((options.platform ?? process.platform) === 'darwin' && !memory) {
      // Without these, macOS's fsync reaches the drive's cache only.
      expectPragma(db, path, 'fullfsync = ON', 'fullfsync', 1);
      expectPragma(db, path, 'checkpoint_fullfsync = ON', 'checkpoint_fullfsync', 1);
    }
    expectPragma(db, path, 'foreign_keys = ON', 'foreign_keys', 1);
    const problems = db.prepare('PRAGMA integrity_check(10)').pluck().all();
    if (!(problems.length === 1 && problems[0] === 'ok')) throw corrupt(path, problems.map(String).join('; '));
    migrateStore(db, path, options.now ?? Date.now);
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (!(err instanceof StoreError) && typeof code === 'string' && CORRUPTION_CODES.test(code)) throw corrupt(path, (err as Error).message);
    throw err;
  }
}

function expectPragma(db: Database.Database, path: string, set: string, read: string, expected: string | number): void {
  db.pragma(set);
  const actual = db.pragma(read, { simple: true });
  const same = typeof expected === 'string' && typeof actual === 'string' ? actual.toLowerCase() === expected : actual === expected;
  if (!same) {
    throw new StoreError(
      'store_unsafe',
      `The marketplace store at ${path} did not accept "PRAGMA ${set}" (it reads back ${JSON.stringify(actual)}). The marketplace will not record credits without it; put its data folder on a local disk that supports SQLite's WAL mode.`,
    );
  }
}

function corrupt(path: string, detail: string): StoreError {
  return new StoreError(
    'store_corrupt',
    `The marketplace store at ${path} is damaged (SQLite: ${detail.slice(0, 500)}). The marketplace stopped so that nothing is written on top of it. Move that file and any "-wal" and "-shm" files beside it elsewhere (keep them: they hold every credit) and restore a backup.`,
  );
}
