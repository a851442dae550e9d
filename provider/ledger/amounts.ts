/**
 * Token amounts in base units. In code they are bigint; in SQLite they are canonical decimal TEXT (no sign,
 * no leading zeros, at most 78 digits = uint256), never REAL and never INTEGER: SQLite integers are 64-bit
 * and token amounts are not. Sums therefore run in JavaScript with BigInt (the `decimal_sum` aggregate
 * registered on every connection), never with SQLite's SUM.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { LedgerError } from './ledger-error.js';

const CANONICAL = /^(0|[1-9][0-9]{0,77})$/;

/** The SQL CHECK that keeps a TEXT column canonical (mirrors `CANONICAL`). */
export function amountCheck(column: string): string {
  return `${column} NOT GLOB '*[^0-9]*' AND length(${column}) BETWEEN 1 AND 78 AND (${column} = '0' OR substr(${column}, 1, 1) <> '0')`;
}

/** True for a canonical decimal amount string. */
export function isAmount(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL.test(value);
}

/**
 * Parses an amount read from the database or the wire. Strict on purpose: `BigInt()` alone would also
 * take " 12", "0x10" and "1_0"-free oddities like "" (→ 0n).
 */
export function parseAmount(value: unknown): bigint {
  if (!isAmount(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw new LedgerError('invalid_input', `Not an amount in base units: ${shown}; expected a decimal integer string.`);
  }
  return BigInt(value);
}

/** Parses a `decimal_sum` result: like `parseAmount`, but a sum may run past 78 digits. */
export function parseSum(value: unknown): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) throw new LedgerError('invalid_input', `Not a sum of amounts: ${typeof value}.`);
  return BigInt(value);
}

/** The canonical TEXT form of an amount. */
export function formatAmount(amount: bigint): string {
  if (amount < 0n) throw new LedgerError('invalid_input', `An amount cannot be negative (${amount}).`);
  const text = amount.toString();
  if (text.length > 78) throw new LedgerError('invalid_input', `An amount cannot exceed 78 digits (${text.length}).`);
  return text;
}

/** Registers `decimal_sum(text)`: an exact sum of canonical amounts, returned as canonical TEXT. */
export function registerDecimalSum(db: BetterSqlite3.Database): void {
  db.aggregate<bigint>('decimal_sum', {
    start: 0n,
    // Declared as bigint by the typings (the state's type); SQLite hands over the column's TEXT.
    step: (total, value: unknown) => total + parseAmount(value),
    // A sum may pass uint256 (many vouchers' worth); it is only displayed, so no 78-digit cap here.
    result: (total) => total.toString(),
    deterministic: true,
  });
}
