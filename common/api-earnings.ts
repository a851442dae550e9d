/**
 * The earnings breakdown of the API contract (`earnings.breakdown`): credited amounts by hour, day or
 * week, by model, or by device, over a time range, always per token. Amounts are decimal strings of
 * base units; times epoch ms. Also how a person reads such an amount, shared by the CLI and the
 * dashboard so both print the same digits.
 */
import { z } from 'zod';
// Types only: api.ts spreads this file's methods into its table, so a value import would be circular.
import type { MarketplaceStatus } from './api.js';

/** A non-negative whole number of base units as decimal text (a sum may run past one amount's digits). */
export const DecimalAmount = z.string().regex(/^(0|[1-9][0-9]*)$/).max(100);

/** What to group credits by. */
export const EarningsBy = z.enum(['hour', 'day', 'week', 'model', 'device']);
export type EarningsBy = z.infer<typeof EarningsBy>;

/** The most rows one breakdown returns; `truncated` says when more existed. */
export const MAX_BREAKDOWN_ROWS = 5000;
/** The most hour/day/week buckets a requested range may span (so one reply stays small). */
export const MAX_BREAKDOWN_BUCKETS = 2000;

/** Real time zones lie within UTC−12:00 … UTC+14:00; whole minutes. */
const UtcOffsetMinutes = z.number().int().min(-14 * 60).max(14 * 60);
const EpochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const EarningsBreakdownInput = z
  .object({
    /** Default: by day. */
    by: EarningsBy.default('day'),
    /** Credit times to include: `from` inclusive, `to` exclusive. Defaults: up to now, from 48 hours, 30 days or 26 weeks back for hour/day/week, and from the start for model/device. */
    from: EpochMs.optional(),
    to: EpochMs.optional(),
    /** The caller's offset from UTC in minutes, east positive (`-new Date().getTimezoneOffset()`); buckets start at local hours, midnights, Mondays. Default 0. */
    utcOffsetMinutes: UtcOffsetMinutes.optional(),
  })
  .strict();

const Sum = { token: z.string().max(42), amount: DecimalAmount, jobs: z.number().int().nonnegative() };

/** One row of a breakdown: the group (a bucket start, a model or a device) and what it earned in one token. */
export const EarningsRow = z.object({
  /** hour/day/week: the bucket's first millisecond; otherwise null. */
  start: z.number().int().nullable(),
  /** model: its sha256; device: its id as receipts name it; hour/day/week: null. */
  key: z.string().max(200).nullable(),
  ...Sum,
});
export type EarningsRow = z.infer<typeof EarningsRow>;

export const EarningsBreakdown = z.object({
  by: EarningsBy,
  /** The range actually used, after defaults. */
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  /** Buckets oldest first; models and devices largest first within each token. Empty groups are left out. */
  rows: z.array(EarningsRow).max(MAX_BREAKDOWN_ROWS),
  truncated: z.boolean(),
});
export type EarningsBreakdown = z.infer<typeof EarningsBreakdown>;

/** The earnings methods, spread into `apiMethods`. */
export const earningsMethods = {
  /** Credited amounts grouped by hour, day, week, model or device, per token, over a time range. */
  'earnings.breakdown': { input: EarningsBreakdownInput, output: EarningsBreakdown },
} as const;

/**
 * A base-unit amount for a person: with `decimals` known, whole tokens with the fraction trimmed of
 * trailing zeros and thousands grouped ("1,234.5"); without, the base units grouped ("1,234,500").
 * Exact for any length: it works on the digits, never on a float.
 */
export function formatTokenAmount(baseUnits: string, decimals: number | null): string {
  if (!/^(0|[1-9][0-9]*)$/.test(baseUnits)) return baseUnits;
  if (decimals === null || decimals === 0) return groupThousands(baseUnits);
  const padded = baseUnits.padStart(decimals + 1, '0');
  const whole = padded.slice(0, padded.length - decimals);
  const fraction = padded.slice(padded.length - decimals).replace(/0+$/, '');
  return fraction === '' ? groupThousands(whole) : `${groupThousands(whole)}.${fraction}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A token address shortened for a table: "0x1234…abcd". */
export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** The payout token as the marketplace status names it, when `token` is that token; else null (show base units). */
export function payoutToken(marketplace: MarketplaceStatus | null | undefined, token: string): { decimals: number; symbol: string } | null {
  const payout = marketplace?.payout;
  if (payout === null || payout === undefined || payout.token.toLowerCase() !== token.toLowerCase()) return null;
  return { decimals: payout.tokenDecimals, symbol: payout.tokenSymbol };
}

/** The decimals of `token` when the marketplace status names them for it, else null (show base units). */
export function tokenDecimals(marketplace: MarketplaceStatus | null | undefined, token: string): number | null {
  return payoutToken(marketplace, token)?.decimals ?? null;
}
