/** Why a job that reached its deadline without running anywhere produced nothing, in the consumer's words. */
import type { DispatchErrorCode } from './dispatch-types.js';
import type { Failure } from './dispatch-job.js';
import type { ProviderFailureCode, ProviderSession } from './provider-session.js';

export type DeadlineFailure = { code: DispatchErrorCode; message: string; providerCode?: ProviderFailureCode };

/**
 * The last provider's failure when one failed it; `no_provider` when no session could ever take it (none
 * connected, all paused or skipped for it); else `overloaded` (every provider stayed busy).
 */
export function deadlineFailure(
  job: { lastFailure: Failure | null; spec: { model: { sha256: string } }; skip: (providerId: string) => boolean },
  sessions: Iterable<ProviderSession>,
  waitedMs: number,
): DeadlineFailure {
  if (job.lastFailure !== null) return { code: 'failed', message: `${job.lastFailure.message} (no other provider took the job within ${waitedMs} ms)`, providerCode: job.lastFailure.code };
  if ([...sessions].every((s) => s.paused || job.skip(s.id))) {
    return { code: 'no_provider', message: `No provider is connected to run model ${job.spec.model.sha256.slice(0, 12)}…; the job waited ${waitedMs} ms. Try again later.` };
  }
  return { code: 'overloaded', message: `Every provider stayed busy for the job's ${waitedMs} ms; try again with a longer deadline or later.` };
}
