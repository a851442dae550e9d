/** `earnings.breakdown`: the ledger's earnings queries by hour, day, week, model or device. */
import type { z } from 'zod';
import { type EarningsBreakdownInput, type EarningsBy, type EarningsRow, MAX_BREAKDOWN_BUCKETS, MAX_BREAKDOWN_ROWS } from '../../common/api-earnings.js';
import type { MethodOutput } from '../../common/api.js';
import type { EarningsPeriod } from '../ledger/earnings-queries.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ApiHandlers } from './dispatch.js';
import { ApiFailure } from './dispatch.js';
import { type LedgerSource, fromLedger } from './ledger-handlers.js';

const HOUR = 3_600_000;
const PERIOD_MS: Record<EarningsPeriod, number> = { hour: HOUR, day: 24 * HOUR, week: 7 * 24 * HOUR };
/** How far back an hour/day/week breakdown looks when the request names no `from`. */
const DEFAULT_SPAN_MS: Record<EarningsPeriod, number> = { hour: 48 * HOUR, day: 30 * 24 * HOUR, week: 26 * 7 * 24 * HOUR };

/** The earnings handlers, spread into createHandlers. */
export function earningsHandlers(ledger: LedgerSource, now: () => number = Date.now): Pick<ApiHandlers, 'earnings.breakdown'> {
  return { 'earnings.breakdown': (input) => earningsBreakdown(ledger, input, now()) };
}

/** `earnings.breakdown`: credits grouped as asked, per token, over the range (defaults filled in). */
export function earningsBreakdown(source: LedgerSource, input: z.output<typeof EarningsBreakdownInput>, now: number): MethodOutput<'earnings.breakdown'> {
  const to = input.to ?? now + 1;
  const from = input.from ?? (isPeriod(input.by) ? Math.max(0, to - DEFAULT_SPAN_MS[input.by]) : 0);
  if (from > to) throw new ApiFailure('invalid_input', `The range starts (${from}) after it ends (${to}); give from ≤ to, in epoch milliseconds.`);
  if (isPeriod(input.by) && (to - from) / PERIOD_MS[input.by] > MAX_BREAKDOWN_BUCKETS) {
    throw new ApiFailure('invalid_input', `A breakdown by ${input.by} spans at most ${MAX_BREAKDOWN_BUCKETS} ${input.by}s; narrow the range or group by a longer period.`);
  }
  const rows = fromLedger(source, (ledger) => query(ledger, input.by, { from, to }, input.utcOffsetMinutes ?? 0));
  return { by: input.by, from, to, rows: rows.slice(0, MAX_BREAKDOWN_ROWS), truncated: rows.length > MAX_BREAKDOWN_ROWS };
}

function query(ledger: Ledger, by: EarningsBy, range: { from: number; to: number }, utcOffsetMinutes: number): EarningsRow[] {
  const { earnings } = ledger;
  switch (by) {
    case 'hour':
    case 'day':
    case 'week':
      return earnings.byPeriod(by, range, utcOffsetMinutes).map((b) => ({ start: b.start, key: null, token: b.token, amount: b.amount, jobs: b.jobs }));
    case 'model':
      return largestFirst(earnings.byModel(range).map((m) => ({ start: null, key: m.modelSha256, token: m.token, amount: m.amount, jobs: m.jobs })));
    case 'device':
      return largestFirst(earnings.byDevice(range).map((d) => ({ start: null, key: d.deviceId, token: d.token, amount: d.amount, jobs: d.jobs })));
  }
}

// Sorted here, exactly as bigints: the ledger's SQL orders by a column that is not the group's sum, so
// groups of different sizes can come back out of order.
function largestFirst(rows: EarningsRow[]): EarningsRow[] {
  return rows.sort((a, b) => (a.token !== b.token ? (a.token < b.token ? -1 : 1) : compareDesc(BigInt(a.amount), BigInt(b.amount)) || (a.key ?? '').localeCompare(b.key ?? '')));
}

function compareDesc(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function isPeriod(by: EarningsBy): by is EarningsPeriod {
  return by === 'hour' || by === 'day' || by === 'week';
}

// The same "no ledger" answer as jobs.list and earnings.summary give (ledger-handlers.ts).
