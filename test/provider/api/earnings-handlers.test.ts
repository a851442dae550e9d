// `earnings.breakdown` through the real dispatcher on a real ledger file: what each grouping returns, the
// defaults it fills in, and the stable codes for a bad range, an oversized one, and no ledger at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningsBreakdown, MAX_BREAKDOWN_BUCKETS } from '../../../common/api-earnings.js';
import { createDispatcher } from '../../../provider/api/dispatch.js';
import { earningsHandlers } from '../../../provider/api/earnings-handlers.js';
import type { Ledger } from '../../../provider/ledger/ledger.js';
import { sampleHandlers } from '../sample-handlers.js';
import { TOKEN, creditJob, makeSpec, sha, tempLedger } from '../ledger/ledger-fixtures.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 4, 10, 12, 30);
let env: Awaited<ReturnType<typeof tempLedger>>;
let open: Ledger | null;

function dispatch() {
  return createDispatcher(sampleHandlers(earningsHandlers(() => open, () => NOW)), (_method, err) => {
    throw err;
  });
}

/** The rows of a successful reply, checked against the contract. */
function rowsOf(result: { ok: boolean; value?: unknown }) {
  expect(result.ok).toBe(true);
  return EarningsBreakdown.parse(result.value).rows;
}

beforeAll(async () => {
  env = await tempLedger();
  open = env.ledger;
  // Three credits today (two in the 11:00 hour), one 40 days ago.
  for (const [id, at, model, device] of [
    ['a', NOW - 40 * 24 * HOUR, 'model-a', 'cpu'],
    ['b', NOW - 90 * 60_000, 'model-a', 'cpu'],
    ['c', NOW - 50 * 60_000, 'model-b', 'gpu:0'],
    ['d', NOW - 40 * 60_000, 'model-b', 'gpu:0'],
  ] as const) {
    env.clock.ms = at;
    creditJob(env.ledger, makeSpec(id, { price: '1000000000000000000000', model }), { deviceId: device });
  }
  // Many small credits on one model against few large ones on another: a sum with more digits must
  // still sort above one made of longer single amounts.
  for (let i = 0; i < 12; i++) {
    env.clock.ms = NOW - 30 * 24 * HOUR + i;
    creditJob(env.ledger, makeSpec(`small-${i}`, { price: '10', model: 'model-small' }), { deviceId: 'cpu' });
  }
  env.clock.ms = NOW - 30 * 24 * HOUR + 100;
  creditJob(env.ledger, makeSpec('mid', { price: '40', model: 'model-mid' }), { deviceId: 'cpu' });
});

afterAll(async () => {
  await env.cleanup();
});

describe('earnings.breakdown', () => {
  it('by hour defaults to the last 48 hours, local hours at the given offset, exact sums past 2^64', async () => {
    const result = await dispatch()('earnings.breakdown', { by: 'hour', utcOffsetMinutes: 30 });
    expect(result).toEqual({
      ok: true,
      value: {
        by: 'hour',
        from: NOW + 1 - 48 * HOUR,
        to: NOW + 1,
        rows: [
          // At UTC+00:30 local hours start at hh:30 UTC: 10:30–11:30 holds b, 11:30–12:30 holds c and d.
          { start: NOW - 2 * HOUR, key: null, token: TOKEN, amount: '1000000000000000000000', jobs: 1 },
          { start: NOW - HOUR, key: null, token: TOKEN, amount: '2000000000000000000000', jobs: 2 },
        ],
        truncated: false,
      },
    });
  });

  it('by model and by device cover all time, largest first by exact amount', async () => {
    const byModel = await dispatch()('earnings.breakdown', { by: 'model' });
    // Equal amounts are ordered by key.
    expect(rowsOf(byModel).map((row) => [row.key, row.amount, row.jobs])).toEqual([
      ...[
        [sha('model-a'), '2000000000000000000000', 2],
        [sha('model-b'), '2000000000000000000000', 2],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      [sha('model-small'), '120', 12],
      [sha('model-mid'), '40', 1],
    ]);
    const byDevice = await dispatch()('earnings.breakdown', { by: 'device', from: NOW - 24 * HOUR });
    expect(rowsOf(byDevice).map((row) => [row.key, row.amount])).toEqual([
      ['gpu:0', '2000000000000000000000'],
      ['cpu', '1000000000000000000000'],
    ]);
    expect(rowsOf(await dispatch()('earnings.breakdown', { by: 'device' })).map((row) => [row.key, row.amount])).toEqual([
      ['cpu', '2000000000000000000160'],
      ['gpu:0', '2000000000000000000000'],
    ]);
  });

  it.each([
    [{ by: 'day', from: 10, to: 5 }, 'invalid_input', /starts \(10\) after it ends \(5\)/],
    [{ by: 'hour', from: 0, to: (MAX_BREAKDOWN_BUCKETS + 1) * HOUR }, 'invalid_input', /spans at most 2000 hours/],
    [{ by: 'month' }, 'invalid_input', /at by/],
    [{ by: 'day', utcOffsetMinutes: 15 * 60 }, 'invalid_input', /utcOffsetMinutes/],
    [{ by: 'day', extra: 1 }, 'invalid_input', /Invalid input/],
  ])('refuses %j with %s', async (input, code, message) => {
    const result = await dispatch()('earnings.breakdown', input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(message);
    }
  });

  it('answers unavailable, saying how to connect a marketplace, when no ledger is open', async () => {
    const saved = open;
    open = null;
    try {
      const result = await dispatch()('earnings.breakdown', { by: 'day' });
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/--marketplace URL --coordinator 0xADDRESS/) as unknown } });
    } finally {
      open = saved;
    }
  });
});
