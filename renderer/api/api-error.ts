/**
 * An API failure as a thrown value, so TanStack Query can hold it as a query's error while keeping the
 * contract's stable code and the provider's sentence for the person reading it.
 */
import type { ApiError, ApiResult } from '../../common/api.js';

/** The error a query or mutation fails with when the provider (or the transport) returned an error envelope. */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
  }
}

/** The value of a successful result; throws ApiCallError for a failed one. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value;
}

/** Whether retrying could help: not when the provider understood the request and refused it. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiCallError)) return true;
  return error.code === 'unavailable' || error.code === 'internal';
}
