/** Stable codes for what the ledger refuses or finds; the UI and the marketplace client switch on them. */
export type LedgerErrorCode =
  /** The database file failed its integrity check or is not a database. */
  | 'ledger_corrupt'
  /** A durability pragma did not take (e.g. synchronous is not FULL after setting it). */
  | 'ledger_unsafe'
  /** The file was migrated by a newer Hearth than this one. */
  | 'ledger_too_new'
  | 'job_unknown'
  /** An offer reuses a job id with a different spec. */
  | 'job_conflict'
  /** A state change the job state machine does not allow from where the job is. */
  | 'illegal_transition'
  /** A receipt or an ack that does not match what the ledger holds for that job. */
  | 'receipt_mismatch'
  /** A second, different receipt for a job that already has one. */
  | 'receipt_conflict'
  /** A second, different credit for a job that was already credited. */
  | 'credit_conflict'
  /** A malformed amount, cursor, range or time zone offset. */
  | 'invalid_input';

/** A ledger failure; `message` is written for a person, `code` is stable. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
