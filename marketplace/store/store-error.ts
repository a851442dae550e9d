/** Stable codes for what the coordinator's store refuses or finds. */
export type StoreErrorCode =
  /** The file failed its integrity check or is not a database. */
  | 'store_corrupt'
  /** A durability pragma did not take (WAL, synchronous=FULL). */
  | 'store_unsafe'
  /** The file was migrated by a newer Hearth than this one. */
  | 'store_too_new';

/** A coordinator store failure; `message` is written for a person, `code` is stable. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
