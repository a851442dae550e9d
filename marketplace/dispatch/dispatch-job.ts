/** A job inside the dispatcher: its spec and signature, its attempts, and how it relates to its copies. */
import { randomBytes } from 'node:crypto';
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { DispatchResult, JobRole } from './dispatch-types.js';
import type { Hex, ProviderOutcome, ProviderSession } from './provider-session.js';

/** One offer of a job to one provider. */
export type Attempt = { session: ProviderSession; number: number };

/** How an attempt failed. */
export type Failure = Extract<ProviderOutcome, { ok: false }>;

/** A job as the dispatcher runs it: a consumer's, a canary, or a redundant copy of a consumer's. */
export type Job = {
  spec: JobSpec;
  inputs: Tensor[];
  signature: Hex;
  submittedAt: number;
  role: JobRole;
  /** Providers this job went to; a consumer job and its copies share one set, so no provider runs two copies. */
  tried: Set<string>;
  attempts: number;
  maxAttempts: number;
  running: Set<Attempt>;
  lastFailure: Failure | null;
  settled: boolean;
  /** The dispatcher is closing: a cancelled run's timeout is not the provider's fault. */
  closing: boolean;
  /** The verifier group this job belongs to, or null when it is not checked. */
  group: string | null;
  /** For a redundant copy: the consumer job it may answer. */
  owner: Job | null;
  /** For a consumer job: its copies that have started and not yet ended. */
  copies: Set<Job>;
  /** For a redundant consumer job: its signed second copy, until both start. */
  shadow: Job | null;
  /** Providers this job may not go to. */
  skip: (providerId: string) => boolean;
  reputation: (providerId: string) => number;
  timer: NodeJS.Timeout | undefined;
  resolve: (result: DispatchResult) => void;
  /** Runs once the job has settled and neither it nor a copy of it is running. */
  done: (() => void) | null;
};

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A fresh job id (12 random bytes, base64url). */
export function newJobId(): string {
  return randomBytes(12).toString('base64url');
}

/** A job not yet queued or started, whose deadline timer calls `onDeadline`. */
export function createJob(
  fields: Pick<Job, 'spec' | 'inputs' | 'signature' | 'role' | 'resolve' | 'maxAttempts' | 'skip' | 'reputation'>,
  now: number,
  onDeadline: (job: Job) => void,
): Job {
  const job: Job = {
    ...fields,
    submittedAt: now,
    tried: new Set(),
    attempts: 0,
    running: new Set(),
    lastFailure: null,
    settled: false,
    closing: false,
    group: null,
    owner: null,
    copies: new Set(),
    shadow: null,
    timer: undefined,
    done: null,
  };
  job.timer = setTimeout(() => onDeadline(job), Math.min(MAX_TIMER_MS, Math.max(0, fields.spec.deadline - now)));
  return job;
}

/** True when neither the job nor any copy of it is running. */
export function isIdle(job: Job): boolean {
  if (job.running.size > 0) return false;
  for (const copy of job.copies) if (copy.running.size > 0) return false;
  return true;
}
