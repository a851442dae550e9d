/** The API methods answered from the ledger: `jobs.list` and `earnings.summary`. */
import type { MethodInput, MethodOutput } from '../../common/api.js';
import type { Ledger } from '../ledger/ledger.js';
import { LedgerError } from '../ledger/ledger-error.js';
import { ApiFailure } from './dispatch.js';

/** Where the ledger comes from: null while none is open (no marketplace configured, or not started). */
export type LedgerSource = () => Ledger | null;

/** `jobs.list`: one page of the job history, newest first. */
export function listJobs(source: LedgerSource, input: MethodInput<'jobs.list'>): MethodOutput<'jobs.list'> {
  return fromLedger(source, (ledger) => ledger.history.page({ cursor: input.cursor ?? null, ...(input.limit === undefined ? {} : { limit: input.limit }) }));
}

/** `earnings.summary`: everything credited, per token. */
export function earningsSummary(source: LedgerSource): MethodOutput<'earnings.summary'> {
  return fromLedger(source, (ledger) => ({ totals: ledger.earnings.byToken().map((t) => ({ token: t.token, credited: t.amount, jobs: t.jobs })) }));
}

/** Reads the open ledger: `unavailable` when there is none, `invalid_input` for what the ledger refuses. */
export function fromLedger<T>(source: LedgerSource, read: (ledger: Ledger) => T): T {
  const ledger = source();
  if (ledger === null || !ledger.open) throw new ApiFailure('unavailable', 'No ledger is open: this provider takes no jobs (started with --no-marketplace). Start it without that flag for the local demo marketplace, or with --marketplace URL --coordinator 0xADDRESS.');
  try {
    return read(ledger);
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'invalid_input') throw new ApiFailure('invalid_input', err.message);
    throw err;
  }
}
