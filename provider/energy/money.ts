/**
 * Exact money arithmetic for energy costs and net earnings. Every currency figure is a bigint count of
 * µ-units (millionths of the currency unit: 0.30 EUR is 300000n), computed from integers only and
 * rounded half up once per job; sums are sums of those per-job figures, so a day's net is exactly the
 * sum of its jobs' nets. Energy is an integer count of millijoules (1 kWh = 3.6e9 mJ).
 */
import { MICRO_DECIMAL_PATTERN } from '../../common/api-energy.js';

/** µ-units per currency unit. */
export const MICRO = 1_000_000n;
/** Millijoules in one kilowatt-hour. */
export const MJ_PER_KWH = 3_600_000_000n;

const DECIMAL = MICRO_DECIMAL_PATTERN;

/** True for a non-negative decimal with at most 12 integer and 6 fractional digits ("0.30", "12", "0.000125"). */
export function isMicroDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/** A decimal such as "0.30" as µ-units (300000n); throws a RangeError on anything else. */
export function parseMicro(text: string): bigint {
  if (!DECIMAL.test(text)) throw new RangeError(`Not a decimal with at most 6 decimal places: ${JSON.stringify(text.slice(0, 40))}.`);
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * MICRO + BigInt(fraction.padEnd(6, '0'));
}

/** µ-units as a decimal with exactly 6 fractional digits and a leading "-" when negative ("-1.250000"). */
export function formatMicro(micro: bigint): string {
  const negative = micro < 0n;
  const digits = (negative ? -micro : micro).toString().padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** numerator / denominator rounded half up, for non-negative operands (denominator > 0). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideHalfUp takes a non-negative numerator and a positive denominator.');
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** What `energyMj` millijoules cost at `priceMicroPerKwh` µ-units per kWh, in µ-units, rounded half up. */
export function energyCostMicro(energyMj: bigint, priceMicroPerKwh: bigint): bigint {
  return divideHalfUp(energyMj * priceMicroPerKwh, MJ_PER_KWH);
}

/** What `baseUnits` of a token with `decimals` decimals is worth at `tokenPriceMicro` µ-units per whole token, rounded half up. */
export function tokenValueMicro(baseUnits: bigint, tokenPriceMicro: bigint, decimals: number): bigint {
  return divideHalfUp(baseUnits * tokenPriceMicro, 10n ** BigInt(decimals));
}
