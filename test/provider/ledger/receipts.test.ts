import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerError } from '../../../provider/ledger/ledger-error.js';
import { SIG, creditJob, makeReceipt, makeSpec, tempLedger } from './ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => {
  env = await tempLedger();
});
afterEach(async () => {
  await env.cleanup();
});

function startJob(id: string) {
  const spec = makeSpec(id);
  env.ledger.jobs.offer(spec, SIG);
  env.ledger.jobs.accept(id);
  env.ledger.jobs.start(id, 'cpu:0');
  return spec;
}

describe('receipts and the sequence number', () => {
  it('numbers receipts 1, 2, 3 … with no gap or repeat, and carries on after a reopen', () => {
    expect(env.ledger.receipts.lastSeq()).toBe(0);
    const seqs = [1, 2, 3].map((i) => creditJob(env.ledger, makeSpec(`a${i}`)));
    env.ledger.close();
    const again = env.open();
    expect(again.receipts.lastSeq()).toBe(3);
    seqs.push(...[4, 5].map((i) => creditJob(again, makeSpec(`a${i}`))));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives a job one number only: recording its receipt again returns the stored one', () => {
    const spec = startJob('once');
    startJob('other');
    const first = env.ledger.receipts.record(makeReceipt(spec));
    expect(env.ledger.receipts.record(makeReceipt(spec))).toEqual(first);
    expect(env.ledger.receipts.record(makeReceipt(makeSpec('other'))).seq).toBe(first.seq + 1);
    expect(env.ledger.receipts.forJob('once')).toEqual({ receipt: first, signature: null, createdAt: env.clock.ms });
  });

  it('refuses a different receipt for a job that has one (receipt_conflict), and one for another model (receipt_mismatch)', () => {
    const spec = startJob('r');
    env.ledger.receipts.record(makeReceipt(spec));
    expect(() => env.ledger.receipts.record({ ...makeReceipt(spec), outputSha256: 'f'.repeat(64) })).toThrow(expect.objectContaining({ code: 'receipt_conflict' }));
    const other = startJob('m');
    expect(() => env.ledger.receipts.record({ ...makeReceipt(other), modelSha256: 'e'.repeat(64) })).toThrow(expect.objectContaining({ code: 'receipt_mismatch' }));
    expect(env.ledger.receipts.lastSeq()).toBe(1);
  });

  it('takes a receipt only while the job runs', () => {
    const spec = makeSpec('early');
    env.ledger.jobs.offer(spec, SIG);
    expect(() => env.ledger.receipts.record(makeReceipt(spec))).toThrow(LedgerError);
    expect(() => env.ledger.receipts.record(makeReceipt(makeSpec('ghost')))).toThrow(expect.objectContaining({ code: 'job_unknown' }));
    expect(env.ledger.receipts.lastSeq()).toBe(0);
  });

  it('marks the result sent with its signature once; a different signature later is receipt_conflict', () => {
    const spec = startJob('s');
    expect(() => env.ledger.receipts.markSent('s', SIG)).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
    env.ledger.receipts.record(makeReceipt(spec));
    expect(env.ledger.receipts.markSent('s', SIG)).toBe(true);
    expect(env.ledger.receipts.markSent('s', SIG)).toBe(false);
    expect(() => env.ledger.receipts.markSent('s', `0x${'33'.repeat(65)}`)).toThrow(expect.objectContaining({ code: 'receipt_conflict' }));
    expect(env.ledger.jobs.get('s')?.state).toBe('result_sent');
    expect(env.ledger.receipts.forJob('s')?.signature).toBe(SIG);
  });

  it('allocates under the write lock, so a second connection never repeats a number', () => {
    creditJob(env.ledger, makeSpec('u1'));
    const second = env.open();
    startJob('u2');
    expect(second.receipts.record(makeReceipt(makeSpec('u2'))).seq).toBe(2);
  });

  it('has the schema refuse a repeated seq or a second receipt for a job, whatever the code does', () => {
    creditJob(env.ledger, makeSpec('u1'));
    startJob('u2');
    const raw = new Database(env.path);
    const insert = raw.prepare(
      `INSERT INTO receipts (job_id, seq, model_sha256, input_sha256, output_sha256, fingerprint_hash, run_ms, execution_provider, device_id, created_at)
       VALUES (?, ?, 'm', 'i', 'o', 'f', 1, 'cpu', 'cpu:0', 0)`,
    );
    expect(() => insert.run('u2', 1)).toThrow(/UNIQUE constraint failed: receipts.seq/);
    expect(() => insert.run('u1', 7)).toThrow(/UNIQUE constraint failed: receipts.job_id/);
    raw.close();
  });
});

describe('several steps as one commit', () => {
  it('keeps all of them or none: a failing last step leaves the job as it was and no receipt', () => {
    const spec = makeSpec('atomic');
    env.ledger.jobs.offer(spec, SIG);
    env.ledger.jobs.accept('atomic');
    expect(() =>
      env.ledger.atomically(() => {
        env.ledger.jobs.start('atomic', 'cpu:0');
        env.ledger.receipts.record(makeReceipt(spec), 1);
        throw new Error('crash before the receipt was marked sent');
      }),
    ).toThrow(/crash/);
    expect(env.ledger.jobs.stateOf('atomic')).toBe('accepted');
    expect(env.ledger.receipts.forJob('atomic')).toBeNull();
    expect(env.ledger.receipts.lastSeq()).toBe(0);
  });
});
