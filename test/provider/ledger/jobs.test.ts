import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTERED_FROM, JOB_STATES, type JobState } from '../../../provider/ledger/job-states.js';
import type { Ledger } from '../../../provider/ledger/ledger.js';
import { LedgerError } from '../../../provider/ledger/ledger-error.js';
import { SIG, makeReceipt, makeSpec, tempLedger } from './ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
let ledger: Ledger;
beforeEach(async () => {
  env = await tempLedger();
  ledger = env.ledger;
});
afterEach(async () => {
  await env.cleanup();
});

/** The code of the LedgerError a call throws. */
function codeOf(call: () => unknown): string {
  try {
    call();
  } catch (err) {
    if (err instanceof LedgerError) return err.code;
    throw err;
  }
  return 'no error';
}

/** Puts a fresh job `id` into `state` along a legal path. */
function jobIn(id: string, state: JobState): void {
  const spec = makeSpec(id);
  ledger.jobs.offer(spec, SIG);
  if (state === 'offered') return;
  if (state === 'rejected') return void ledger.jobs.reject(id, 'busy');
  ledger.jobs.accept(id);
  if (state === 'accepted') return;
  ledger.jobs.start(id, 'cpu:0');
  if (state === 'running') return;
  if (state === 'failed') return void ledger.jobs.fail(id, 'timeout', 'too slow');
  const receipt = ledger.receipts.record(makeReceipt(spec));
  ledger.receipts.markSent(id, SIG);
  if (state === 'result_sent') return;
  ledger.credits.record({ jobId: id, seq: receipt.seq, credited: '1000', signature: SIG });
}

/** Asks the ledger to move `id` to `to` through its public verb for that state. */
function moveTo(id: string, to: JobState): boolean {
  switch (to) {
    case 'accepted':
      return ledger.jobs.accept(id);
    case 'running':
      return ledger.jobs.start(id, 'cpu:0');
    case 'failed':
      return ledger.jobs.fail(id, 'internal', 'it broke');
    case 'rejected':
      return ledger.jobs.reject(id, 'no');
    case 'result_sent':
      // The receipt comes first, as it does in the provider (and only a running job takes one).
      if (ledger.jobs.stateOf(id) === 'running') ledger.receipts.record(makeReceipt(makeSpec(id)));
      return ledger.receipts.markSent(id, SIG);
    case 'credited':
      return ledger.credits.record({ jobId: id, seq: ledger.receipts.forJob(id)?.receipt.seq ?? 1, credited: '1000', signature: SIG });
    case 'offered':
      throw new Error('a job enters offered only by an offer');
  }
}

describe('the job state machine', () => {
  it('walks the happy path and records who ran it', () => {
    env.clock.ms += 1000;
    jobIn('happy', 'credited');
    const job = ledger.jobs.get('happy');
    expect(job).toMatchObject({ state: 'credited', deviceId: 'cpu:0', offeredAt: env.clock.ms, failCode: null });
    expect(job?.spec).toEqual(makeSpec('happy'));
    expect(job?.specSignature).toBe(SIG);
  });

  // Every (from, to) pair, through the same verbs the provider uses.
  const pairs = JOB_STATES.flatMap((from) => JOB_STATES.filter((to) => to !== 'offered').map((to) => [from, to] as const));
  it.each(pairs)('%s → %s is legal, a no-op, or illegal_transition, as the table says', (from, to) => {
    const id = `${from}-${to}`.replace(/_/g, '-');
    jobIn(id, from);
    if (from === to) {
      expect(moveTo(id, to)).toBe(false);
      expect(ledger.jobs.get(id)?.state).toBe(from);
    } else if (ENTERED_FROM[to].includes(from)) {
      expect(moveTo(id, to)).toBe(true);
      expect(ledger.jobs.get(id)?.state).toBe(to);
      // Applied twice: nothing changes the second time.
      const before = ledger.jobs.get(id);
      env.clock.ms += 5000;
      expect(moveTo(id, to)).toBe(false);
      expect(ledger.jobs.get(id)).toEqual(before);
    } else {
      expect(codeOf(() => moveTo(id, to))).toBe('illegal_transition');
      expect(ledger.jobs.get(id)?.state).toBe(from);
    }
  });

  it('says what went wrong in an illegal transition', () => {
    jobIn('done', 'credited');
    expect(() => ledger.jobs.start('done', 'cpu:0')).toThrow('Job done is credited; it cannot become running.');
  });

  it('keeps the first failure: a repeated fail with another code changes nothing', () => {
    jobIn('broken', 'running');
    expect(ledger.jobs.fail('broken', 'out_of_memory', 'Ran out of memory.')).toBe(true);
    expect(ledger.jobs.fail('broken', 'timeout', 'later')).toBe(false);
    expect(ledger.jobs.get('broken')).toMatchObject({ state: 'failed', failCode: 'out_of_memory', reason: 'Ran out of memory.' });
  });

  it('treats the same offer twice as a no-op and a different spec under the same id as job_conflict', () => {
    expect(ledger.jobs.offer(makeSpec('o'), SIG)).toEqual({ created: true });
    expect(ledger.jobs.offer(makeSpec('o'), SIG)).toEqual({ created: false });
    expect(codeOf(() => ledger.jobs.offer(makeSpec('o', { price: '1001' }), SIG))).toBe('job_conflict');
    expect(codeOf(() => ledger.jobs.offer(makeSpec('o'), `0x${'99'.repeat(65)}`))).toBe('job_conflict');
    expect(ledger.jobs.get('o')?.spec.price.amount).toBe('1000');
  });

  it('rejects unknown jobs and malformed input with stable codes', () => {
    expect(codeOf(() => ledger.jobs.accept('nope'))).toBe('job_unknown');
    expect(ledger.jobs.get('nope')).toBeNull();
    jobIn('x', 'running');
    expect(codeOf(() => ledger.jobs.fail('x', 'Not A Code', ''))).toBe('invalid_input');
    expect(codeOf(() => ledger.jobs.offer({ ...makeSpec('y'), price: { token: '0x00000000000000000000000000000000000000aa', amount: '1.5' } }, SIG))).toBe('invalid_input');
  });

  it('lists unfinished jobs, oldest first, with their receipts, across a reopen', () => {
    for (const state of JOB_STATES) jobIn(`u-${state.replace('_', '-')}`, state);
    const again = env.open();
    const unfinished = again.unfinishedJobs();
    expect(unfinished.map(({ job }) => [job.id, job.state])).toEqual([
      ['u-offered', 'offered'],
      ['u-accepted', 'accepted'],
      ['u-running', 'running'],
      ['u-result-sent', 'result_sent'],
    ]);
    expect(unfinished.map(({ receipt }) => receipt?.receipt.seq ?? null)).toEqual([null, null, null, 1]);
    expect(unfinished[3]?.receipt?.signature).toBe(SIG);
  });
});
