/** What goes into the dispatcher and what comes out of it. */
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { Hex, ProviderFailureCode } from './provider-session.js';

/** A registered model as a job names it: hash, size, where providers download it, and its price per run. */
export type ModelRef = { sha256: string; bytes: number; url: string; price: JobSpec['price'] };

/** One inference the consumer asked for. */
export type SubmitRequest = {
  model: ModelRef;
  inputs: Tensor[];
  /** Output names to return; all of the model's outputs when absent. */
  outputs?: string[];
  /** When the consumer stops waiting, in milliseconds since epoch. */
  deadlineMs: number;
  verification?: JobSpec['verification'];
};

/**
 * Why a job produced no outputs: no provider connected that could take it (`no_provider`), providers all
 * busy until the deadline (`overloaded`), it ran past its deadline on a provider (`timeout`), the queue
 * was full, the provider failed it (`failed`, with the provider's code), or the dispatcher closed.
 */
export type DispatchErrorCode = 'no_provider' | 'overloaded' | 'timeout' | 'queue_full' | 'failed' | 'closed' | 'internal';

/** A job's end: outputs with the receipt that proves them, or an error. Settled exactly once per job. */
export type DispatchResult =
  | {
      ok: true;
      jobId: string;
      outputs: Tensor[];
      providerId: string;
      receipt: Receipt;
      signature: Hex | null;
      attempts: number;
      latencyMs: number;
    }
  | {
      ok: false;
      jobId: string;
      error: { code: DispatchErrorCode; message: string; providerCode?: ProviderFailureCode };
      attempts: number;
      latencyMs: number;
    };

/** What the dispatcher reports, for metrics, logs and (later) the ledger. */
export type DispatcherEvents = {
  /** Once per job, when it completes or fails; the only point where a job may be credited. */
  settled: [result: DispatchResult];
  /** A provider failed an attempt and the job goes to another one. */
  retry: [retry: { jobId: string; providerId: string; code: ProviderFailureCode }];
  /** A result that came after its job had settled (late, or from an abandoned attempt): ignored. */
  ignored: [late: { jobId: string; providerId: string; ok: boolean }];
  /** The queue depth changed. */
  queue: [depth: number];
};
