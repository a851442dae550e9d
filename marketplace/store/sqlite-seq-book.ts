/**
 * The SeqBook in the coordinator's store: every ack ever given, so a result sent again after a
 * reconnect or a coordinator restart gets the same ack; and each non-zero credit, one row per job id
 * (UNIQUE: a job is never credited twice), with its node's running total per token, committed in the
 * same transaction as the ack, before the ack is sent.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Ack, SeqBook } from '../provider-link/seq-book.js';

type AckRow = { job_id: string; seq: number; credited: string; signature: string };

/** A SeqBook over the store's `acks`, `credits` and `credit_totals` tables. */
export function sqliteSeqBook(db: BetterSqlite3.Database, now: () => number): SeqBook {
  const lastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM acks WHERE node = ?').pluck();
  const ackFor = db.prepare('SELECT job_id, seq, credited, signature FROM acks WHERE node = ? AND job_id = ?');
  const seqOwner = db.prepare('SELECT job_id FROM acks WHERE node = ? AND seq = ?').pluck();
  const credited = db.prepare('SELECT 1 FROM credits WHERE job_id = ?').pluck();
  const insertAck = db.prepare('INSERT INTO acks (node, job_id, seq, credited, signature, acked_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertCredit = db.prepare('INSERT INTO credits (job_id, node, token, amount, seq, credited_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING');
  const total = db.prepare('SELECT total FROM credit_totals WHERE node = ? AND token = ?').pluck();
  const upsertTotal = db.prepare(
    'INSERT INTO credit_totals (node, token, total, jobs) VALUES (?, ?, ?, 1) ON CONFLICT (node, token) DO UPDATE SET total = excluded.total, jobs = jobs + 1',
  );
  const record = db.transaction((node: string, ack: Ack, token: string): boolean => {
    const amount = BigInt(ack.credited);
    if (amount > 0n && credited.get(ack.jobId) !== undefined) return false;
    insertAck.run(node, ack.jobId, ack.seq, ack.credited, ack.signature, now());
    if (amount > 0n) {
      const lowerToken = token.toLowerCase();
      insertCredit.run(ack.jobId, node, lowerToken, ack.credited, ack.seq, now());
      const before = total.get(node, lowerToken) as string | undefined;
      upsertTotal.run(node, lowerToken, (BigInt(before ?? '0') + amount).toString());
    }
    return true;
  });
  return {
    lastSeq: (node) => lastSeq.get(node.toLowerCase()) as number,
    ackFor(node, jobId) {
      const row = ackFor.get(node.toLowerCase(), jobId) as AckRow | undefined;
      return row === undefined ? undefined : { type: 'receipt.ack', jobId: row.job_id, seq: row.seq, credited: row.credited, signature: row.signature };
    },
    seqTaken(node, seq, jobId) {
      const owner = seqOwner.get(node.toLowerCase(), seq) as string | undefined;
      return owner !== undefined && owner !== jobId;
    },
    credited: (jobId) => credited.get(jobId) !== undefined,
    // IMMEDIATE: the write lock is taken before the first read, so the check and the insert are one step.
    record: (node, ack, token) => record.immediate(node.toLowerCase(), ack, token),
  };
}
