/** What goes into the dispatcher and what comes out of it. */
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { Hex, ProviderFailureCode, ProviderOutcome } from './provider-session.js';

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
      /** The receipt of the run that answered (a redundant copy's names that copy's own job id). */
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
  /** A verification verdict (canary, redundant comparison, tiebreak). */
  verified: [outcome: VerificationOutcome];
};

/** One finished run of a job on one provider. */
export type AttemptRecord = { jobId: string; providerId: string; outcome: ProviderOutcome };

/** Whose runs these are: a consumer's job, or one the coordinator runs to verify (canary, tiebreak). */
export type JobRole = 'consumer' | 'check';

/** A canary the verifier wants sent beside a consumer job: known inputs, and who may not run it. */
export type CanaryPlan = {
  inputs: Tensor[];
  inputSha256: string;
  outputs: string[] | undefined;
  /** Providers it must not go to (the ones that produced its expected outputs, trusted sessions). */
  excluded: (providerId: string) => boolean;
  /** The canary goes out as job `jobId` (called before it is offered, at most once). */
  sent: (jobId: string) => void;
};

/** What verification decided, for metrics and logs. */
export type VerificationOutcome = 'canary_pass' | 'canary_fail' | 'agreement' | 'disagreement' | 'tiebreak_resolved' | 'unresolved';

/** What the dispatcher lends the verifier: where verdicts go, and a way to run a job on one more provider. */
export type VerifierHooks = {
  report: (outcome: VerificationOutcome) => void;
  /** Runs one more copy of checked job `groupId` now on a provider none of its copies ran on; false when none is free. */
  tiebreak: (groupId: string) => Promise<boolean>;
};

/**
 * The coordinator's verification as the dispatcher consults it (marketplace/verification/ implements it).
 * Runs of a redundant job or a canary are "checked": their credit, and whether their outputs may answer
 * the consumer, wait for a verdict. A checked group is named by its first job's id (the consumer job's,
 * or the canary's); each copy of a redundant job is a job of its own, with its own id and signature.
 */
export interface DispatchVerifier {
  /** Whether a provider may get consumer jobs now (false while quarantined; canaries still go to it). */
  admits(providerId: string): boolean;
  /** False when no provider is quarantined, so the dispatcher need not ask `admits` per candidate. */
  anyQuarantined(): boolean;
  /** Higher is better. */
  reputation(providerId: string): number;
  /** At a consumer job's submit: whether it also runs on a second provider, and a canary to send beside it. */
  plan(spec: JobSpec, inputs: Tensor[]): { redundant: boolean; canary: CanaryPlan | null };
  /** Job `jobId` of checked group `groupId` is about to be offered to `providerId` (before any result can come back). */
  tracking(groupId: string, jobId: string, providerId: string): void;
  /** Every attempt's end (reputation for failures; results of sessions that are not asked for credit). */
  observe(spec: JobSpec, inputs: Tensor[], record: AttemptRecord, role: JobRole): void;
  /** True when this run's outputs were judged wrong (outvoted, or a failed canary): they answer nobody. */
  rejected(jobId: string, providerId: string): boolean;
  /** The group's jobs ended and none of their attempts runs any more (or it will not be checked after all). */
  release(groupId: string): void;
  attach(hooks: VerifierHooks): void;
  /** The dispatcher closed: checks still open settle as not credited. */
  close(): void;
}
