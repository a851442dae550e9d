/**
 * Opens the ledger's SQLite file with the durability it promises (SECURITY.md 16): WAL with
 * synchronous=FULL (better-sqlite3 leaves WAL at NORMAL, which can lose the last commits on power loss),
 * fullfsync on macOS, foreign keys on; every pragma is read back and a mismatch refuses to open. The file
 * then passes an integrity check before anything is written to it, and is migrated.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { registerDecimalSum } from './amounts.js';
import { LedgerError } from './ledger-error.js';
import { migrate } from './migrations.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** How to open the ledger. */
export interface OpenOptions {
  /** Decides whether macOS's F_FULLFSYNC is asked for; the current platform unless a test says otherwise. */
  platform?: NodeJS.Platform;
  now?: () => number;
}

/** An open, checked, migrated ledger connection. */
export interface OpenedDatabase {
  db: Database.Database;
  /** Migration versions applied by this open (empty when the schema was current). */
  migrated: number[];
}

// SQLite's primary result codes that mean the bytes on disk are not a sound database.
const CORRUPTION_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/** Opens (creating if needed) the ledger at `path`; throws a LedgerError when it is damaged or unsafe. */
export function openLedgerDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    applyPragmas(db, path, options.platform ?? process.platform);
    checkIntegrity(db, path);
    registerDecimalSum(db);
    const migrated = migrate(db, path, options.now ?? Date.now);
    return { db, migrated };
  } catch (err) {
    db.close();
    if (err instanceof LedgerError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && CORRUPTION_CODES.test(code)) throw corrupt(path, (err as Error).message);
    throw err;
  }
}

function applyPragmas(db: Database.Database, path: string, platform: NodeJS.Platform): void {
  expectPragma(db, path, 'journal_mode = WAL', 'journal_mode', 'wal');
  expectPragma(db, path, 'synchronous = FULL', 'synchronous', 2);
  if (platform === 'darwin') {
    // Without these, macOS's fsync reaches the drive's cache only, not its platters or flash.
    expectPragma(db, path, 'fullfsync = ON', 'fullfsync', 1);
    expectPragma(db, path, 'checkpoint_fullfsync = ON', 'checkpoint_fullfsync', 1);
  }
  expectPragma(db, path, 'foreign_keys = ON', 'foreign_keys', 1);
  expectPragma(db, path, `busy_timeout = ${BUSY_TIMEOUT_MS}`, 'busy_timeout', BUSY_TIMEOUT_MS);
}

/** Sets a pragma, then reads it back: a value SQLite silently ignored must not pass for durability. */
function expectPragma(db: Database.Database, path: string, set: string, read: string, expected: string | number): void {
  db.pragma(set);
  const actual = db.pragma(read, { simple: true });
  const same = typeof expected === 'string' && typeof actual === 'string' ? actual.toLowerCase() === expected : actual === expected;
  if (!same) {
    throw new LedgerError(
      'ledger_unsafe',
      `The ledger at ${path} did not accept "PRAGMA ${set}" (it reads back ${JSON.stringify(actual)}). Hearth will not record earnings without it; check that the folder is on a local disk that supports SQLite's WAL mode.`,
    );
  }
}

function checkIntegrity(db: Database.Database, path: string): void {
  const problems = db.prepare('PRAGMA integrity_check(10)').pluck().all();
  if (!(problems.length === 1 && problems[0] === 'ok')) throw corrupt(path, problems.map(String).join('; '));
  const orphans = db.prepare('PRAGMA foreign_key_check').all();
  if (orphans.length > 0) throw corrupt(path, `${orphans.length} row(s) point at rows that do not exist`);
}

function corrupt(path: string, detail: string): LedgerError {
  return new LedgerError(
    'ledger_corrupt',
    `The ledger at ${path} is damaged (SQLite: ${detail.slice(0, 500)}). Hearth stopped so that nothing is written on top of it. Quit Hearth, move that file and any "-wal" and "-shm" files beside it to another folder (keep them: they hold your job history), and start Hearth again to begin a new ledger. Credited earnings are also held by the marketplace, whose vouchers are cumulative.`,
  );
}
