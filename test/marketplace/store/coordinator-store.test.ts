/**
 * The coordinator's store on a real SQLite file: WAL with synchronous=FULL, numbered migrations, acks
 * and credits that survive a reopen (a job credited once, ever, with totals that equal the sum of its
 * rows), vouchers kept by digest, and a damaged or newer file refused with a stable code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoordinatorStore } from '../../../marketplace/store/coordinator-store.js';
import { STORE_FILE } from '../../../marketplace/store/store-database.js';
import { STORE_MIGRATIONS } from '../../../marketplace/store/store-migrations.js';
import { QUARANTINE_THRESHOLD, Reputation } from '../../../marketplace/verification/reputation.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const NODE_A = '0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c';
const NODE_B = '0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1';
const TOKEN = '0x1111111111111111111111111111111111111111';
const SIG = `0x${'ab'.repeat(65)}`;

let temp: { dir: string; remove: () => Promise<void> };
let path: string;
const open: CoordinatorStore[] = [];

function openStore(): CoordinatorStore {
  const store = CoordinatorStore.open(path);
  open.push(store);
  return store;
}

const ack = (jobId: string, seq: number, credited: string) => ({ type: 'receipt.ack', jobId, seq, credited, signature: SIG }) as const;

beforeEach(async () => {
  temp = await makeTempDir('hearth-store-');
  path = join(temp.dir, STORE_FILE);
});

afterEach(async () => {
  for (const store of open.splice(0)) store.close();
  await temp.remove();
});

describe('coordinator store', () => {
  it('opens in WAL mode with synchronous=FULL and foreign keys, at the latest schema version', () => {
    const store = openStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(STORE_MIGRATIONS.length);
  });

  it('keeps acks and credits across a reopen, and credits a job once', () => {
    const first = openStore();
    expect(first.seqBook.record(NODE_A, ack('job-1', 1, '1000'), TOKEN)).toBe(true);
    expect(first.seqBook.record(NODE_A, ack('job-2', 2, '0'), TOKEN)).toBe(true);
    first.close();

    const store = openStore();
    expect(store.seqBook.lastSeq(NODE_A)).toBe(2);
    expect(store.seqBook.lastSeq(NODE_B)).toBe(0);
    expect(store.seqBook.ackFor(NODE_A.toLowerCase(), 'job-1')).toEqual(ack('job-1', 1, '1000'));
    expect(store.seqBook.seqTaken(NODE_A, 1, 'job-3')).toBe(true);
    expect(store.seqBook.seqTaken(NODE_A, 1, 'job-1')).toBe(false);
    expect(store.seqBook.credited('job-1')).toBe(true);
    expect(store.seqBook.credited('job-2')).toBe(false);
    // Another node's result for a credited job records nothing.
    expect(store.seqBook.record(NODE_B, ack('job-1', 1, '1000'), TOKEN)).toBe(false);
    expect(store.seqBook.ackFor(NODE_B, 'job-1')).toBeUndefined();
    expect(store.seqBook.record(NODE_A, ack('job-3', 3, '250'), TOKEN.toUpperCase().replace('0X', '0x'))).toBe(true);
    expect(store.creditedTotal(NODE_A, TOKEN)).toBe(1250n);
    expect(store.totals()).toEqual([{ node: NODE_A.toLowerCase(), token: TOKEN, total: 1250n, jobs: 2 }]);
    const sum = store.db.prepare('SELECT group_concat(amount) FROM credits WHERE node = ?').pluck().get(NODE_A.toLowerCase()) as string;
    expect(sum.split(',').reduce((a, b) => a + BigInt(b), 0n)).toBe(1250n);
    // The schema itself refuses a second credit row for a job, whatever the code does.
    expect(() => store.db.prepare("INSERT INTO credits (job_id, node, token, amount, seq, credited_at) VALUES ('job-1', ?, ?, '5', 9, 0)").run(NODE_B.toLowerCase(), TOKEN)).toThrow(
      /UNIQUE|FOREIGN KEY/,
    );
  });

  it('keeps issued vouchers by digest and answers the latest per node, token and vault', () => {
    const store = openStore();
    const issued = (amount: string, digest: string) => ({
      voucher: { provider: NODE_A, recipient: NODE_B, token: TOKEN, cumulativeAmount: amount, expiry: 1_900_000_000 },
      signature: SIG as `0x${string}`,
      digest: digest as `0x${string}`,
      chainId: 31337,
      vault: '0x3333333333333333333333333333333333333333' as const,
      issuedAt: 1,
    });
    store.recordVoucher(issued('100', `0x${'01'.repeat(32)}`));
    store.recordVoucher(issued('300', `0x${'02'.repeat(32)}`));
    store.recordVoucher(issued('300', `0x${'02'.repeat(32)}`));
    store.close();
    const again = openStore();
    expect(again.latestVoucherFor(NODE_A, TOKEN, 31337, '0x3333333333333333333333333333333333333333')?.voucher.cumulativeAmount).toBe('300');
    expect(again.latestVoucherFor(NODE_A, TOKEN, 1, '0x3333333333333333333333333333333333333333')).toBeNull();
    expect(again.db.prepare('SELECT COUNT(*) FROM vouchers').pluck().get()).toBe(2);
  });

  it('refuses a damaged file (store_corrupt) and one from a newer Hearth (store_too_new)', () => {
    writeFileSync(path, Buffer.alloc(8192, 7));
    expect(() => openStore()).toThrow(expect.objectContaining({ code: 'store_corrupt' }));

    const newer = join(temp.dir, 'newer.sqlite');
    CoordinatorStore.open(newer).close();
    const db = new Database(newer);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    db.close();
    expect(() => CoordinatorStore.open(newer)).toThrow(expect.objectContaining({ code: 'store_too_new' }));
  });
});

describe('provider reputation in the store', () => {
  it('keeps a quarantine across a coordinator restart', () => {
    let now = 1_000_000;
    const first = new Reputation({ store: openStore().reputation, now: () => now });
    first.record(NODE_A, 'wrong_output');
    expect(first.score(NODE_A)).toBeLessThanOrEqual(QUARANTINE_THRESHOLD);
    for (const store of open.splice(0)) store.close();

    now += 1000;
    const again = new Reputation({ store: openStore().reputation, now: () => now });
    expect(again.score(NODE_A)).toBeLessThanOrEqual(QUARANTINE_THRESHOLD);
    // Addresses are case-blind, and an unknown node is neutral.
    expect(again.score(NODE_A.toLowerCase())).toBe(again.score(NODE_A));
    expect(again.score(NODE_B)).toBe(0);
  });

  it('writes a penalty at once and a rise within the flush interval, so a crash forgets only good behaviour', () => {
    let now = 1_000_000;
    const store = openStore();
    const book = new Reputation({ store: store.reputation, now: () => now });
    const onDisk = (node: string) => {
      // A second connection sees what a coordinator restarted after a crash would read.
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT score FROM reputation WHERE node = ?').pluck().get(node.toLowerCase()) as number | undefined;
      } finally {
        db.close();
      }
    };
    book.record(NODE_A, 'agreement');
    expect(onDisk(NODE_A)).toBe(book.score(NODE_A));
    now += 10;
    book.record(NODE_A, 'agreement');
    const risen = book.score(NODE_A);
    expect(onDisk(NODE_A)).toBeLessThan(risen);
    now += 10;
    book.record(NODE_A, 'wrong_output');
    expect(onDisk(NODE_A)).toBe(book.score(NODE_A));
    expect(onDisk(NODE_A)).toBeLessThanOrEqual(QUARANTINE_THRESHOLD);
    book.record(NODE_B, 'agreement');
    now += 10;
    book.record(NODE_B, 'agreement');
    store.close();
    expect(onDisk(NODE_B)).toBeCloseTo(new Reputation({ store: openStore().reputation, now: () => now }).score(NODE_B), 9);
    expect(onDisk(NODE_B)).toBeGreaterThan(onDisk(NODE_A)!);
  });
});
