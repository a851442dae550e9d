/**
 * What the dispatcher needs of a provider: its capacity and warm models, a way to run one job, and a
 * way to cancel it. marketplace/provider-link/ implements it over the provider's WebSocket;
 * local-worker-session.ts implements it in process on a real sandboxed worker.
 */
import type { Hex } from 'viem';
import type { z } from 'zod';
import type { JobSpec, Receipt, RejectReason } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { WorkerErrorCode } from '../../common/worker-protocol.js';

export type { Hex } from 'viem';

/** Why a provider did not deliver: a worker error, an offer it rejected, or a lost connection. */
export type ProviderFailureCode = WorkerErrorCode | z.infer<typeof RejectReason> | 'disconnected' | 'invalid_result';

/** How one run on one provider ended; a session resolves it exactly once. */
export type ProviderOutcome =
  | {
      ok: true;
      outputs: Tensor[];
      receipt: Receipt;
      /** The node key's EIP-712 signature over the receipt; null from an in-process session, which has no node key. */
      signature: Hex | null;
    }
  | { ok: false; code: ProviderFailureCode; retryable: boolean; message: string };

/** One connected provider, as the dispatcher sees it. */
export interface ProviderSession {
  /** The node address. */
  readonly id: string;
  /** Models (sha256) loaded in a session on the provider. */
  readonly warmModels: ReadonlySet<string>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly paused: boolean;
  /**
   * Offers the job and resolves once, with outputs and a receipt or a failure {code, retryable}.
   * `signature` is the coordinator's signature over the job (the JobSigner's); a session that sends
   * `job.offer` puts it there, an in-process one may ignore it.
   */
  run(job: JobSpec, inputs: Tensor[], signature: Hex): Promise<ProviderOutcome>;
  /** Asks the provider to drop the job; its run() still resolves once (its result, if any, is ignored). */
  cancel(jobId: string): void;
}
