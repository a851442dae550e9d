import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIG, OTHER_TOKEN, TOKEN, creditJob, makeReceipt, makeSpec, tempLedger } from './ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => {
  env = await tempLedger();
});
afterEach(async () => {
  await env.cleanup();
});

/** Takes a job up to result_sent; returns its receipt's seq. */
function sendResult(id: string, price = '1000'): number {
  const spec = makeSpec(id, { price });
  env.ledger.jobs.offer(spec, SIG);
  env.ledger.jobs.accept(id);
  env.ledger.jobs.start(id, 'cpu:0');
  const { seq } = env.ledger.receipts.record(makeReceipt(spec));
  env.ledger.receipts.markSent(id, SIG);
  return seq;
}

describe('credits', () => {
  it('records an ack once: the same ack again is a no-op and the sum counts it once', () => {
    const seq = sendResult('c', '750');
    const ack = { jobId: 'c', seq, credited: '700', signature: SIG };
    expect(env.ledger.credits.record(ack)).toBe(true);
    expect(env.ledger.credits.record(ack)).toBe(false);
    env.ledger.close();
    const again = env.open();
    expect(again.credits.record(ack)).toBe(false);
    expect(again.acceptedCredits(TOKEN)).toBe(700n);
    expect(again.credits.forJob('c')).toEqual({ jobId: 'c', seq, token: TOKEN, amount: 700n, creditedAt: env.clock.ms });
    expect(again.jobs.get('c')?.state).toBe('credited');
  });

  it('never credits a job twice: a different amount is credit_conflict and the first stands', () => {
    const seq = sendResult('twice');
    env.ledger.credits.record({ jobId: 'twice', seq, credited: '1000', signature: SIG });
    expect(() => env.ledger.credits.record({ jobId: 'twice', seq, credited: '2000', signature: SIG })).toThrow(expect.objectContaining({ code: 'credit_conflict' }));
    expect(env.ledger.acceptedCredits(TOKEN)).toBe(1000n);
  });

  it('has the schema refuse a second credit for a job or a receipt, and an amount that is not a canonical decimal', () => {
    creditJob(env.ledger, makeSpec('u', { price: '10' }));
    const unacked = sendResult('w');
    const raw = new Database(env.path);
    raw.pragma('foreign_keys = ON');
    const insert = raw.prepare('INSERT INTO credits (job_id, seq, token, amount, signature, credited_at) VALUES (?, ?, ?, ?, ?, 0)');
    expect(() => insert.run('u', unacked, TOKEN, '10', SIG)).toThrow(/UNIQUE constraint failed: credits.job_id/);
    expect(() => insert.run('w', 1, TOKEN, '10', SIG)).toThrow(/UNIQUE constraint failed: credits.seq/);
    for (const amount of ['1.5', '-1', '010', '', '1e3', ' 1']) {
      expect(() => raw.prepare('UPDATE credits SET amount = ? WHERE job_id = ?').run(amount, 'u')).toThrow(/CHECK constraint failed/);
    }
    // A float is coerced to TEXT by the STRICT table, then fails the same check.
    expect(() => raw.prepare('UPDATE credits SET amount = ? WHERE job_id = ?').run(1.5, 'u')).toThrow(/CHECK constraint failed/);
    raw.close();
    expect(env.ledger.acceptedCredits(TOKEN)).toBe(10n);
  });

  it('refuses an ack for another receipt, or for a job whose result was not sent, changing nothing', () => {
    const seq = sendResult('m');
    expect(() => env.ledger.credits.record({ jobId: 'm', seq: seq + 1, credited: '1', signature: SIG })).toThrow(expect.objectContaining({ code: 'receipt_mismatch' }));
    env.ledger.jobs.offer(makeSpec('n'), SIG);
    expect(() => env.ledger.credits.record({ jobId: 'n', seq, credited: '1', signature: SIG })).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
    expect(() => env.ledger.credits.record({ jobId: 'gone', seq, credited: '1', signature: SIG })).toThrow(expect.objectContaining({ code: 'job_unknown' }));
    expect(() => env.ledger.credits.record({ jobId: 'm', seq, credited: '-1', signature: SIG })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(env.ledger.acceptedCredits(TOKEN)).toBe(0n);
    expect(env.ledger.jobs.get('m')?.state).toBe('result_sent');
  });

  it('sums amounts far above 2^64 exactly, per token', () => {
    const big = [2n ** 64n + 1n, 2n ** 200n + 12_345n, 10n ** 77n - 1n, 3n];
    big.forEach((amount, i) => creditJob(env.ledger, makeSpec(`big${i}`, { price: amount.toString() })));
    creditJob(env.ledger, makeSpec('other-token', { price: '5', token: OTHER_TOKEN }));
    // The same token written in upper case (EIP-55 style) is still the same token.
    creditJob(env.ledger, makeSpec('upper', { price: '10', token: TOKEN.replace(/a/g, 'A') }));
    const expected = big.reduce((sum, amount) => sum + amount, 10n);
    expect(env.ledger.acceptedCredits(TOKEN)).toBe(expected);
    expect(env.ledger.acceptedCredits(TOKEN.toUpperCase().replace('0X', '0x'))).toBe(expected);
    expect(env.ledger.acceptedCredits(OTHER_TOKEN)).toBe(5n);
    // A float sum would have lost the low digits.
    expect(Number(expected).toString()).not.toBe(expected.toString());
  });
});
