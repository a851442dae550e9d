import type { z } from 'zod';
import { LedgerError } from './ledger-error.js';

/**
 * Parses a row read back from the ledger. The file is ours, but a row that breaks its schema means the
 * file was edited or damaged, and money must not be computed from it.
 */
export function parseRow<T extends z.ZodType>(schema: T, row: unknown, what: string): z.output<T> {
  const result = schema.safeParse(row);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new LedgerError(
    'ledger_corrupt',
    `A ${what} row in the ledger is malformed (${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}); the file was edited or damaged.`,
  );
}

/** Validates a caller's input; a failure is `invalid_input` naming what was wrong. */
export function checkInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
  throw new LedgerError('invalid_input', `Not a valid ${what}${where}: ${issue?.message ?? 'invalid'}.`);
}
