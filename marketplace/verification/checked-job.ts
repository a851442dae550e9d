/**
 * A checked job as the verifier follows it: each provider's run with its fingerprint and its credit
 * decision, which the provider link awaits before it acknowledges the result. A canary has one run and
 * an expected fingerprint; a redundant job has two runs (three after a tiebreak).
 */
import type { OutputFingerprint } from '../../common/fingerprint.js';
import type { Tensor } from '../../common/tensor.js';

/** One provider's run of a checked job. */
export class CheckedRun {
  /** `running` until its result (with a fingerprint) or its failure is known. */
  state: 'running' | 'reported' | 'failed' = 'running';
  fingerprint: OutputFingerprint | null = null;
  /** Whether it earns credit, once decided. */
  credited: boolean | null = null;
  private readonly waiters: ((credited: boolean) => void)[] = [];

  constructor(
    readonly providerId: string,
    /** The job id this provider was given (each copy of a redundant job has its own). */
    readonly jobId: string,
  ) {}

  /** Settles the credit decision once; later calls change nothing. */
  decide(credited: boolean): void {
    if (this.credited !== null) return;
    this.credited = credited;
    for (const waiter of this.waiters.splice(0)) waiter(credited);
  }

  /** The credit decision, when it is made. */
  decision(): Promise<boolean> {
    return this.credited !== null ? Promise.resolve(this.credited) : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** A job whose runs are compared: a canary, or a consumer job run redundantly (named by the consumer job's id). */
export type CheckedJob = {
  jobId: string;
  kind: 'canary' | 'redundant';
  modelSha256: string;
  inputs: Tensor[];
  outputs: string[] | undefined;
  /** A canary's known fingerprint. */
  expected: OutputFingerprint | null;
  /** Runs by lower-case provider id, in the order they started. */
  runs: Map<string, CheckedRun>;
  /** `compare` until the first two results are in; `tiebreak` while a third runs; then `done`. */
  phase: 'compare' | 'tiebreak' | 'done';
  /** The two results a tiebreak decides between. */
  pair: [CheckedRun, CheckedRun] | null;
  /** A tiebreak copy is being signed and placed; no verdict until it has started (or could not). */
  awaitingThird: boolean;
  /** Providers whose outputs were judged wrong. */
  wrong: Set<string>;
  timer: NodeJS.Timeout | undefined;
};

/** A new checked job with no runs yet. */
export function checkedJob(fields: Pick<CheckedJob, 'jobId' | 'kind' | 'modelSha256' | 'inputs' | 'outputs' | 'expected'>): CheckedJob {
  return { ...fields, runs: new Map(), phase: 'compare', pair: null, awaitingThird: false, wrong: new Set(), timer: undefined };
}
