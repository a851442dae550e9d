import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedgerDatabase } from '../../../provider/ledger/database.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { LedgerError } from '../../../provider/ledger/ledger-error.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../provider/ledger/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { SIG, creditJob, makeSpec } from './ledger-fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempPath(): Promise<string> {
  const temp = await makeTempDir('hearth-ledger-db-');
  cleanups.push(temp.remove);
  return join(temp.dir, 'nested', 'ledger.sqlite');
}

/** The LedgerError a call throws (fails the test if it throws something else or nothing). */
function ledgerErrorOf(call: () => unknown): LedgerError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(LedgerError);
    return err as LedgerError;
  }
  throw new Error('expected a LedgerError, nothing was thrown');
}

describe('opening the ledger', () => {
  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout, and reads each back, on every connection', async () => {
    const path = await tempPath();
    const first = openLedgerDatabase(path, { platform: 'linux' });
    const second = openLedgerDatabase(path, { platform: 'linux' });
    for (const { db } of [first, second]) {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    }
    // Why it must be set: a plain better-sqlite3 connection to a WAL file runs at NORMAL (1).
    const plain = new Database(path);
    expect(plain.pragma('synchronous', { simple: true })).toBe(1);
    plain.close();
    first.db.close();
    second.db.close();
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('asks for F_FULLFSYNC on macOS only', async () => {
    const path = await tempPath();
    const mac = openLedgerDatabase(path, { platform: 'darwin' });
    expect(mac.db.pragma('fullfsync', { simple: true })).toBe(1);
    expect(mac.db.pragma('checkpoint_fullfsync', { simple: true })).toBe(1);
    mac.db.close();
    const linux = openLedgerDatabase(path, { platform: 'linux' });
    expect(linux.db.pragma('fullfsync', { simple: true })).toBe(0);
    linux.db.close();
  });

  it('refuses a database that cannot hold WAL (an in-memory one) with ledger_unsafe', () => {
    const error = ledgerErrorOf(() => Ledger.open(':memory:'));
    expect(error.code).toBe('ledger_unsafe');
    expect(error.message).toContain('PRAGMA journal_mode = WAL');
  });
});

describe('migrations', () => {
  it('apply once: a reopen applies nothing and keeps the data', async () => {
    const path = await tempPath();
    const first = Ledger.open(path);
    expect(first.migrated).toEqual(MIGRATIONS.map((m) => m.version));
    first.jobs.offer(makeSpec('kept'), SIG);
    first.close();
    for (let i = 0; i < 3; i++) {
      const again = Ledger.open(path);
      expect(again.migrated).toEqual([]);
      expect(again.jobs.get('kept')?.state).toBe('offered');
      again.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    raw.close();
  });

  it('run each step in one transaction: a failing step leaves neither its tables nor its version', async () => {
    const path = await tempPath();
    const { db } = openLedgerDatabase(path);
    const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE energy (x INTEGER); THIS IS NOT SQL;' }];
    expect(() => migrate(db, path, Date.now, broken)).toThrow(/syntax error/);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'energy'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION);
    const next = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'energy', sql: 'CREATE TABLE energy (x INTEGER) STRICT;' }];
    expect(migrate(db, path, Date.now, next)).toEqual([SCHEMA_VERSION + 1]);
    expect(migrate(db, path, Date.now, next)).toEqual([]);
    db.close();
  });

  it('refuse a ledger written by a newer Hearth, without touching it', async () => {
    const path = await tempPath();
    Ledger.open(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").run();
    raw.close();
    const error = ledgerErrorOf(() => Ledger.open(path));
    expect(error.code).toBe('ledger_too_new');
    expect(error.message).toContain('schema 99');
    expect(error.message).toContain('Update Hearth');
  });
});

describe('the integrity check at open', () => {
  /** A closed ledger file with enough rows to span many pages. */
  async function filledLedger(): Promise<{ path: string; pageSize: number; pages: number }> {
    const path = await tempPath();
    const ledger = Ledger.open(path);
    for (let i = 0; i < 40; i++) creditJob(ledger, makeSpec(`job-${i}`, { price: `${10n ** 30n + BigInt(i)}` }));
    ledger.close();
    const raw = new Database(path, { readonly: true });
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    return { path, pageSize, pages: statSync(path).size / pageSize };
  }

  function expectCorrupt(path: string): LedgerError {
    const error = ledgerErrorOf(() => Ledger.open(path));
    expect(error.code).toBe('ledger_corrupt');
    expect(error.message).toContain(path);
    expect(error.message).toContain('is damaged');
    expect(error.message).toMatch(/move that file and any "-wal" and "-shm" files/);
    return error;
  }

  it('passes a healthy file', async () => {
    const { path, pages } = await filledLedger();
    expect(pages).toBeGreaterThan(10);
    const ledger = Ledger.open(path);
    expect(ledger.jobs.get('job-39')?.state).toBe('credited');
    ledger.close();
  });

  it('reports garbage written over the pages after the header as ledger_corrupt, naming the file and what to do', async () => {
    const { path, pageSize } = await filledLedger();
    const bytes = readFileSync(path);
    randomBytes(bytes.length - pageSize).copy(bytes, pageSize);
    writeFileSync(path, bytes);
    expectCorrupt(path);
  });

  it('reports one overwritten page in the middle as ledger_corrupt', async () => {
    const { path, pageSize, pages } = await filledLedger();
    const bytes = readFileSync(path);
    const page = Math.floor(pages / 2);
    Buffer.alloc(pageSize, 0x5a).copy(bytes, page * pageSize);
    writeFileSync(path, bytes);
    expectCorrupt(path);
  });

  it('reports a file that is not a database at all as ledger_corrupt', async () => {
    const { path } = await filledLedger();
    writeFileSync(path, randomBytes(statSync(path).size));
    expectCorrupt(path);
  });
});
