/** A job this provider holds, from a signed offer until its failure is sent or its receipt acknowledged. */
import type { Hex } from 'viem';
import type { FromProvider, JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';

/** A message waiting for a welcomed connection, with its tensors. */
export type Outgoing = { message: FromProvider; tensors: readonly Tensor[] };

export type HeldJob = {
  job: JobSpec;
  signature: string;
  inputs: Tensor[];
  /** fetching and running count as in flight; rejected and failed end once their message is sent; resulted ends at its ack. */
  phase: 'fetching' | 'running' | 'resulted' | 'rejected' | 'failed';
  cancelled: boolean;
  /** Messages not sent yet, in order. */
  outbox: Outgoing[];
  /**
   * The signed result, kept until acknowledged so it can be sent again after a reconnect. `outgoing` is
   * null for a result restored after a restart: its outputs are gone, only the coordinator's ack can end it.
   */
  result: { outgoing: Outgoing | null; receipt: Receipt; digest: Hex } | null;
};

/** A fresh entry for a signed offer that passed its checks. */
export function holdJob(job: JobSpec, signature: string, inputs: Tensor[]): HeldJob {
  return { job, signature, inputs, phase: 'fetching', cancelled: false, outbox: [], result: null };
}

/** True while the job occupies a worker slot. */
export function inFlight(held: HeldJob): boolean {
  return held.phase === 'fetching' || held.phase === 'running';
}
