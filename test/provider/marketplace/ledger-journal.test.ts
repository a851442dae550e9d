/**
 * The ledger as the marketplace client's journal and receipt sequence: each step lands in the ledger's
 * state machine, receipts keep the seq they were signed with (even out of order), numbers stay above the
 * coordinator's last ack, every way a job ends maps to a final state, and what a restart finds unfinished
 * is reported; the ledger's answers then reach the API (`jobs.list`, `earnings.summary`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { earningsSummary, listJobs } from '../../../provider/api/ledger-handlers.js';
import { ApiFailure } from '../../../provider/api/dispatch.js';
import { ledgerJournal } from '../../../provider/marketplace/ledger-journal.js';
import { SIG, TOKEN, makeReceipt, makeSpec, tempLedger } from '../ledger/ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => (env = await tempLedger()));
afterEach(async () => env.cleanup());

/** Offers, accepts and results a job through the journal with the seq it hands out. */
async function resultJob(journal: ReturnType<typeof ledgerJournal>, id: string, price = '1000') {
  const spec = makeSpec(id, { price });
  await journal.recordOffered(spec, SIG, 0);
  await journal.recordAccepted(id, 0);
  const receipt = { ...makeReceipt(spec, 'cpu'), seq: await journal.next() };
  return { spec, receipt };
}

describe('ledgerJournal', () => {
  it('carries a job from offer to credited, with the signed receipt and the coordinator’s credit', async () => {
    const journal = ledgerJournal(env.ledger);
    const { receipt } = await resultJob(journal, 'a');
    expect(env.ledger.jobs.stateOf('a')).toBe('accepted');
    await journal.recordResult('a', receipt, SIG, 0);
    expect(env.ledger.jobs.stateOf('a')).toBe('result_sent');
    expect(env.ledger.receipts.forJob('a')).toMatchObject({ receipt, signature: SIG });
    await journal.recordAck('a', { seq: receipt.seq, credited: 1000n, signature: SIG }, 0);
    expect(env.ledger.jobs.stateOf('a')).toBe('credited');
    expect(env.ledger.acceptedCredits(TOKEN)).toBe(1000n);
  });

  it('stores receipts under the seq they were signed with, even when they are recorded out of order', async () => {
    const journal = ledgerJournal(env.ledger);
    const first = await resultJob(journal, 'first');
    const second = await resultJob(journal, 'second');
    expect([first.receipt.seq, second.receipt.seq]).toEqual([1, 2]);
    await journal.recordResult('second', second.receipt, SIG, 0);
    await journal.recordResult('first', first.receipt, SIG, 0);
    expect(env.ledger.receipts.forJob('first')?.receipt.seq).toBe(1);
    expect(env.ledger.receipts.forJob('second')?.receipt.seq).toBe(2);
    // A seq another job holds is refused rather than stored twice.
    const third = await resultJob(journal, 'third');
    await expect(Promise.resolve().then(() => journal.recordResult('third', { ...third.receipt, seq: 1 }, SIG, 0))).rejects.toMatchObject({ code: 'receipt_conflict' });
  });

  it('numbers above the ledger’s receipts (after a restart) and the coordinator’s last acknowledged seq', async () => {
    const before = ledgerJournal(env.ledger);
    const { receipt } = await resultJob(before, 'old');
    await before.recordResult('old', receipt, SIG, 0);
    const after = ledgerJournal(env.ledger);
    expect(await after.next()).toBe(2);
    await after.advancePast?.(40);
    expect(await after.next()).toBe(41);
    await after.advancePast?.(3);
    expect(await after.next()).toBe(42);
  });

  it('ends rejected, failed, cancelled and lost jobs in final states with their reasons', async () => {
    const journal = ledgerJournal(env.ledger);
    for (const id of ['rej', 'fail', 'cancel', 'lost-offered', 'lost-sent']) await journal.recordOffered(makeSpec(id), SIG, 0);
    // Stored on its own, as while its model downloads; the others are stored with their next record.
    await journal.commitOffered?.('lost-offered');
    await journal.recordFailed('rej', { stage: 'rejected', reason: 'model_unavailable', message: 'HTTP 404' }, 0);
    await journal.recordAccepted('fail', 0);
    await journal.recordFailed('fail', { stage: 'failed', code: 'timeout', retryable: false, message: 'Too slow.' }, 0);
    await journal.recordFailed('cancel', { stage: 'cancelled', message: 'Cancelled.' }, 0);
    await journal.recordAccepted('lost-sent', 0);
    const sent = { ...makeReceipt(makeSpec('lost-sent'), 'cpu'), seq: await journal.next() };
    await journal.recordResult('lost-sent', sent, SIG, 0);
    expect(await journal.unfinishedJobs()).toEqual([
      { jobId: 'lost-offered', state: 'offered' },
      // A sent result comes back with its job and signed receipt, so the coordinator's ack can still be taken.
      { jobId: 'lost-sent', state: 'resulted', job: makeSpec('lost-sent'), receipt: sent, signature: SIG },
    ]);
    await journal.recordFailed('lost-offered', { stage: 'lost', message: 'Restarted.' }, 0);
    await journal.recordFailed('lost-sent', { stage: 'lost', message: 'Restarted.' }, 0);
    expect(await journal.unfinishedJobs()).toEqual([]);
    expect(env.ledger.jobs.get('rej')).toMatchObject({ state: 'rejected', reason: 'model_unavailable: HTTP 404' });
    expect(env.ledger.jobs.get('fail')).toMatchObject({ state: 'failed', failCode: 'timeout' });
    expect(env.ledger.jobs.get('cancel')).toMatchObject({ state: 'failed', failCode: 'cancelled' });
    expect(env.ledger.jobs.get('lost-offered')).toMatchObject({ state: 'failed', failCode: 'lost' });
    expect(env.ledger.jobs.get('lost-sent')).toMatchObject({ state: 'rejected' });
  });
});

describe('jobs.list and earnings.summary', () => {
  it('page the ledger’s jobs and total its credits per token', async () => {
    const journal = ledgerJournal(env.ledger);
    for (const [id, price] of [['one', '7'], ['two', '5']] as const) {
      const { receipt } = await resultJob(journal, id, price);
      await journal.recordResult(id, receipt, SIG, 0);
      await journal.recordAck(id, { seq: receipt.seq, credited: BigInt(price), signature: SIG }, 0);
    }
    const first = listJobs(() => env.ledger, { limit: 1 });
    expect(first.items).toEqual([expect.objectContaining({ id: 'two', state: 'credited', price: '5', credited: '5', deviceId: 'cpu', seq: 2 })]);
    expect(listJobs(() => env.ledger, { cursor: first.nextCursor }).items.map((j) => j.id)).toEqual(['one']);
    expect(earningsSummary(() => env.ledger)).toEqual({ totals: [{ token: TOKEN, credited: '12', jobs: 2 }] });
    expect(() => listJobs(() => env.ledger, { cursor: 'bogus' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('are unavailable while no ledger is open', () => {
    expect(() => listJobs(() => null, {})).toThrow(ApiFailure);
    expect(() => earningsSummary(() => null)).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });
});
