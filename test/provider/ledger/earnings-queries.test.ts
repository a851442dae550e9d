import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_TOKEN, SIG, TOKEN, creditJob, makeReceipt, makeSpec, sha, tempLedger } from './ledger-fixtures.js';

const A = sha('model-a');
const B = sha('model-b');
const BIG = 2n ** 70n; // 1180591620717411303424
const IST = 5 * 60 + 30; // India: UTC+05:30 all year, no daylight saving
const EST = -5 * 60; // a fixed UTC−05:00

// The fixture: credits around Friday 2024-05-10 (times in UTC; Indian local time in the comments).
const credits = [
  { id: 'c1', at: Date.UTC(2024, 4, 9, 18, 29, 59, 999), amount: 100n, model: 'model-a', device: 'cpu:0', token: TOKEN }, // Thu 23:59:59.999
  { id: 'c2', at: Date.UTC(2024, 4, 9, 18, 30), amount: 200n, model: 'model-a', device: 'gpu:0', token: TOKEN }, // Fri 00:00
  { id: 'c3', at: Date.UTC(2024, 4, 10, 3, 15), amount: BIG, model: 'model-b', device: 'gpu:0', token: TOKEN }, // Fri 08:45
  { id: 'c4', at: Date.UTC(2024, 4, 10, 3, 45), amount: 5n, model: 'model-b', device: 'gpu:0', token: OTHER_TOKEN }, // Fri 09:15
  { id: 'c5', at: Date.UTC(2024, 4, 10, 18, 29), amount: 7n, model: 'model-a', device: 'cpu:0', token: TOKEN }, // Fri 23:59
  { id: 'c6', at: Date.UTC(2024, 4, 12, 18, 30), amount: 11n, model: 'model-a', device: 'cpu:0', token: TOKEN }, // Mon 13th 00:00
];

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeAll(async () => {
  env = await tempLedger();
  for (const credit of credits) {
    env.clock.ms = credit.at;
    creditJob(env.ledger, makeSpec(credit.id, { price: credit.amount.toString(), model: credit.model, token: credit.token }), { deviceId: credit.device });
  }
  // Neither a result still waiting for its ack nor a failed job counts as earned.
  env.clock.ms = Date.UTC(2024, 4, 10, 6);
  const pending = makeSpec('pending', { price: '999' });
  env.ledger.jobs.offer(pending, SIG);
  env.ledger.jobs.accept('pending');
  env.ledger.jobs.start('pending', 'cpu:0');
  env.ledger.receipts.record(makeReceipt(pending));
  env.ledger.receipts.markSent('pending', SIG);
  env.ledger.jobs.offer(makeSpec('failed', { price: '999' }), SIG);
  env.ledger.jobs.fail('failed', 'timeout', 'too slow');
});
afterAll(async () => {
  await env.cleanup();
});

const bucket = (start: number, amount: bigint, jobs: number, token = TOKEN) => ({ start, token, amount: amount.toString(), jobs });

describe('earnings by period', () => {
  it('by day in India (UTC+05:30): local midnights, the 23:59:59.999 credit on Thursday', () => {
    expect(env.ledger.earnings.byPeriod('day', {}, IST)).toEqual([
      bucket(Date.UTC(2024, 4, 8, 18, 30), 100n, 1),
      bucket(Date.UTC(2024, 4, 9, 18, 30), 200n + BIG + 7n, 3),
      bucket(Date.UTC(2024, 4, 9, 18, 30), 5n, 1, OTHER_TOKEN),
      bucket(Date.UTC(2024, 4, 12, 18, 30), 11n, 1),
    ]);
  });

  it('by day in UTC and at UTC−05:00 the same credits fall on other days', () => {
    expect(env.ledger.earnings.byPeriod('day', {}, 0)).toEqual([
      bucket(Date.UTC(2024, 4, 9), 300n, 2),
      bucket(Date.UTC(2024, 4, 10), BIG + 7n, 2),
      bucket(Date.UTC(2024, 4, 10), 5n, 1, OTHER_TOKEN),
      bucket(Date.UTC(2024, 4, 12), 11n, 1),
    ]);
    expect(env.ledger.earnings.byPeriod('day', {}, EST)).toEqual([
      bucket(Date.UTC(2024, 4, 9, 5), 300n + BIG, 3),
      bucket(Date.UTC(2024, 4, 9, 5), 5n, 1, OTHER_TOKEN),
      bucket(Date.UTC(2024, 4, 10, 5), 7n, 1),
      bucket(Date.UTC(2024, 4, 12, 5), 11n, 1),
    ]);
  });

  it('by hour in India: half-hour offsets give buckets at :30 UTC', () => {
    expect(env.ledger.earnings.byPeriod('hour', {}, IST)).toEqual([
      bucket(Date.UTC(2024, 4, 9, 17, 30), 100n, 1),
      bucket(Date.UTC(2024, 4, 9, 18, 30), 200n, 1),
      bucket(Date.UTC(2024, 4, 10, 2, 30), BIG, 1),
      bucket(Date.UTC(2024, 4, 10, 3, 30), 5n, 1, OTHER_TOKEN),
      bucket(Date.UTC(2024, 4, 10, 17, 30), 7n, 1),
      bucket(Date.UTC(2024, 4, 12, 18, 30), 11n, 1),
    ]);
  });

  it('by week from Monday 00:00: Monday the 13th in India is still Sunday the 12th in UTC', () => {
    expect(env.ledger.earnings.byPeriod('week', {}, IST)).toEqual([
      bucket(Date.UTC(2024, 4, 5, 18, 30), 100n + 200n + BIG + 7n, 4),
      bucket(Date.UTC(2024, 4, 5, 18, 30), 5n, 1, OTHER_TOKEN),
      bucket(Date.UTC(2024, 4, 12, 18, 30), 11n, 1),
    ]);
    expect(env.ledger.earnings.byPeriod('week', {}, 0)).toEqual([
      bucket(Date.UTC(2024, 4, 6), 100n + 200n + BIG + 7n + 11n, 5),
      bucket(Date.UTC(2024, 4, 6), 5n, 1, OTHER_TOKEN),
    ]);
  });

  it('keeps to the range: from inclusive, to exclusive (Friday in India)', () => {
    const friday = { from: Date.UTC(2024, 4, 9, 18, 30), to: Date.UTC(2024, 4, 10, 18, 30) };
    expect(env.ledger.earnings.byPeriod('day', friday, IST)).toEqual([
      bucket(Date.UTC(2024, 4, 9, 18, 30), 200n + BIG + 7n, 3),
      bucket(Date.UTC(2024, 4, 9, 18, 30), 5n, 1, OTHER_TOKEN),
    ]);
  });

  it('refuses an offset beyond real time zones and a backwards range', () => {
    expect(() => env.ledger.earnings.byPeriod('day', {}, 15 * 60)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => env.ledger.earnings.byPeriod('day', {}, 0.5)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => env.ledger.earnings.byModel({ from: 10, to: 5 })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('earnings by model and by device', () => {
  it('by model, largest first within each token', () => {
    expect(env.ledger.earnings.byModel()).toEqual([
      { modelSha256: B, token: TOKEN, amount: BIG.toString(), jobs: 1 },
      { modelSha256: A, token: TOKEN, amount: '318', jobs: 4 },
      { modelSha256: B, token: OTHER_TOKEN, amount: '5', jobs: 1 },
    ]);
  });

  it('by device, within a range', () => {
    expect(env.ledger.earnings.byDevice()).toEqual([
      { deviceId: 'gpu:0', token: TOKEN, amount: (200n + BIG).toString(), jobs: 2 },
      { deviceId: 'cpu:0', token: TOKEN, amount: '118', jobs: 3 },
      { deviceId: 'gpu:0', token: OTHER_TOKEN, amount: '5', jobs: 1 },
    ]);
    expect(env.ledger.earnings.byDevice({ from: Date.UTC(2024, 4, 10, 12) })).toEqual([{ deviceId: 'cpu:0', token: TOKEN, amount: '18', jobs: 2 }]);
  });
});

describe('groups ordered by their total, not by one of their credits', () => {
  it('puts a model with many small credits above one with a single larger credit', async () => {
    const own = await tempLedger();
    try {
      own.clock.ms = Date.UTC(2024, 4, 10);
      for (let i = 0; i < 12; i++) creditJob(own.ledger, makeSpec(`small-${i}`, { price: '1', model: 'many-small' }), { deviceId: 'cpu:0' });
      creditJob(own.ledger, makeSpec('big', { price: '9', model: 'one-big' }), { deviceId: 'gpu:0' });
      expect(own.ledger.earnings.byModel().map((row) => [row.modelSha256, row.amount])).toEqual([
        [sha('many-small'), '12'],
        [sha('one-big'), '9'],
      ]);
      expect(own.ledger.earnings.byDevice().map((row) => [row.deviceId, row.amount])).toEqual([
        ['cpu:0', '12'],
        ['gpu:0', '9'],
      ]);
    } finally {
      await own.cleanup();
    }
  });
});
