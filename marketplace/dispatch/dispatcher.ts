/**
 * The job dispatcher: a queue of consumer jobs, matched to provider sessions by capability (model warm
 * first, then load, then reputation), each with its own deadline, retried on another provider when a
 * failure is retryable. A job settles exactly once; a result that arrives after that, or from an attempt
 * the job has moved on from, is logged and ignored, so nothing is ever credited twice.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';
import type { DispatchErrorCode, DispatchResult, DispatcherEvents, SubmitRequest } from './dispatch-types.js';
import type { JobSigner } from './job-signer.js';
import { chooseProvider } from './provider-choice.js';
import type { Hex, ProviderFailureCode, ProviderOutcome, ProviderSession } from './provider-session.js';
import { resultProblem } from './result-check.js';

export type * from './dispatch-types.js';

export type DispatcherOptions = {
  signer: JobSigner;
  logger: Logger;
  /** Jobs that may wait for a provider at once; more are refused with `queue_full`. */
  maxQueue?: number;
  /** Providers one job may be tried on. */
  maxAttempts?: number;
  /** Higher is better; ties after warmth and load. */
  reputation?: (providerId: string) => number;
  /** How often queued jobs are matched again even without news (a provider may have unpaused). */
  pollMs?: number;
  now?: () => number;
};

type Attempt = { session: ProviderSession; number: number };

type Job = {
  spec: JobSpec;
  inputs: Tensor[];
  signature: Hex;
  submittedAt: number;
  tried: Set<string>;
  attempts: number;
  current: Attempt | null;
  lastFailure: { code: ProviderFailureCode; message: string } | null;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (result: DispatchResult) => void;
};

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs consumer jobs on provider sessions. */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  private readonly sessions = new Set<ProviderSession>();
  private readonly queue: Job[] = [];
  private readonly busy = new Map<ProviderSession, number>();
  private readonly running = new Set<Job>();
  private readonly now: () => number;
  private readonly log: Logger;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: DispatcherOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ part: 'dispatcher' });
  }

  /** Runs a job on some provider; resolves once with its outputs or why there are none (never rejects). */
  async submit(request: SubmitRequest): Promise<DispatchResult> {
    const submittedAt = this.now();
    const id = randomBytes(12).toString('base64url');
    const refuse = (code: DispatchErrorCode, message: string): DispatchResult => ({ ok: false, jobId: id, error: { code, message }, attempts: 0, latencyMs: this.now() - submittedAt });
    if (this.closed) return this.report(refuse('closed', 'The marketplace is shutting down; try again shortly.'));
    if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
      return this.report(refuse('queue_full', `${this.queue.length} jobs are already waiting for a provider; try again shortly.`));
    }
    const spec: JobSpec = {
      id,
      deadline: Math.max(1, Math.round(request.deadlineMs)),
      model: { sha256: request.model.sha256, bytes: request.model.bytes, url: request.model.url },
      inputSha256: outputSha256(request.inputs),
      ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
      price: request.model.price,
      verification: request.verification ?? 'none',
    };
    let signature: Hex;
    try {
      signature = await this.options.signer.sign(spec);
    } catch (err) {
      this.log.error({ err, jobId: id }, 'could not sign a job');
      return this.report(refuse('internal', 'The marketplace could not sign the job; the log has the details.'));
    }
    if (this.closed) return this.report(refuse('closed', 'The marketplace shut down before the job was queued.'));
    return new Promise<DispatchResult>((resolve) => {
      const job: Job = { spec, inputs: request.inputs, signature, submittedAt, tried: new Set(), attempts: 0, current: null, lastFailure: null, settled: false, timer: undefined, resolve };
      job.timer = setTimeout(() => this.onDeadline(job), Math.min(MAX_TIMER_MS, Math.max(0, spec.deadline - this.now())));
      this.enqueue(job);
    });
  }

  /** Makes a provider available for jobs; returns the function that removes it. */
  addSession(session: ProviderSession): () => void {
    this.sessions.add(session);
    this.pump();
    return () => {
      this.sessions.delete(session);
      this.pump();
    };
  }

  /** Tells the dispatcher a session's state changed (unpaused, warmed a model, freed a slot). */
  wake(): void {
    this.pump();
  }

  /** Connected sessions. */
  sessionCount(): number {
    return this.sessions.size;
  }

  /** Jobs waiting for a provider. */
  queueDepth(): number {
    return this.queue.length;
  }

  /** Fails every queued and running job with `closed` and refuses new ones. */
  close(): void {
    this.closed = true;
    this.setPolling(false);
    for (const job of this.queue.splice(0)) this.fail(job, 'closed', 'The marketplace shut down before a provider took the job.');
    for (const job of [...this.running]) this.fail(job, 'closed', 'The marketplace shut down while the job ran; it was cancelled.');
    this.emit('queue', 0);
  }

  private enqueue(job: Job, front = false): void {
    if (front) this.queue.unshift(job);
    else this.queue.push(job);
    this.emit('queue', this.queue.length);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i]!;
      const session = chooseProvider(this.sessions, {
        modelSha256: job.spec.model.sha256,
        tried: job.tried,
        busy: (s) => Math.max(s.inFlight, this.busy.get(s) ?? 0),
        reputation: this.options.reputation ?? (() => 0),
      });
      if (session === null) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      this.emit('queue', this.queue.length);
      this.start(job, session);
    }
    this.setPolling(this.queue.length > 0 && this.sessions.size > 0);
  }

  private setPolling(on: boolean): void {
    if (on && this.poll === undefined) {
      this.poll = setInterval(() => this.pump(), this.options.pollMs ?? 250);
      this.poll.unref();
    } else if (!on && this.poll !== undefined) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private start(job: Job, session: ProviderSession): void {
    job.attempts += 1;
    job.tried.add(session.id);
    const attempt: Attempt = { session, number: job.attempts };
    job.current = attempt;
    this.running.add(job);
    this.busy.set(session, (this.busy.get(session) ?? 0) + 1);
    let running: Promise<ProviderOutcome>;
    try {
      running = session.run(job.spec, job.inputs, job.signature);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (outcome) => this.onOutcome(job, attempt, outcome),
      (err: unknown) => {
        this.log.error({ err, jobId: job.spec.id, provider: session.id }, 'a provider session threw instead of resolving');
        this.onOutcome(job, attempt, { ok: false, code: 'internal', retryable: true, message: 'The provider session failed unexpectedly.' });
      },
    );
  }

  private onOutcome(job: Job, attempt: Attempt, outcome: ProviderOutcome): void {
    const left = (this.busy.get(attempt.session) ?? 1) - 1;
    if (left > 0) this.busy.set(attempt.session, left);
    else this.busy.delete(attempt.session);
    const providerId = attempt.session.id;
    if (job.settled || job.current !== attempt) {
      this.log.warn({ jobId: job.spec.id, provider: providerId, attempt: attempt.number, ok: outcome.ok }, 'ignored a result for a job that had already moved on or settled');
      this.emit('ignored', { jobId: job.spec.id, providerId, ok: outcome.ok });
      this.pump();
      return;
    }
    job.current = null;
    this.running.delete(job);
    let failure: { code: ProviderFailureCode; retryable: boolean; message: string };
    if (outcome.ok) {
      const problem = resultProblem(job.spec, outcome.outputs, outcome.receipt);
      if (problem === null) {
        this.settle(job, {
          ok: true,
          jobId: job.spec.id,
          outputs: outcome.outputs,
          providerId,
          receipt: outcome.receipt,
          signature: outcome.signature,
          attempts: job.attempts,
          latencyMs: this.now() - job.submittedAt,
        });
        this.pump();
        return;
      }
      this.log.warn({ jobId: job.spec.id, provider: providerId, problem }, 'a provider returned a result that does not check out');
      failure = { code: 'invalid_result', retryable: true, message: problem };
    } else {
      failure = outcome;
    }
    job.lastFailure = { code: failure.code, message: failure.message };
    if (failure.retryable && this.canRetry(job)) {
      this.log.info({ jobId: job.spec.id, provider: providerId, code: failure.code }, 'retrying the job on another provider');
      this.emit('retry', { jobId: job.spec.id, providerId, code: failure.code });
      this.enqueue(job, true);
    } else {
      const why = failure.retryable ? ` (tried on ${job.attempts} provider${job.attempts === 1 ? '' : 's'})` : '';
      this.fail(job, 'failed', `${failure.message}${why}`, failure.code);
      this.pump();
    }
  }

  /** True while another connected provider, not yet tried, might take the job before its deadline. */
  private canRetry(job: Job): boolean {
    if (this.closed || job.attempts >= (this.options.maxAttempts ?? 3) || this.now() >= job.spec.deadline) return false;
    for (const session of this.sessions) if (!job.tried.has(session.id)) return true;
    return false;
  }

  private onDeadline(job: Job): void {
    if (job.settled) return;
    const waited = this.now() - job.submittedAt;
    if (job.current !== null) {
      const provider = job.current.session.id;
      this.fail(job, 'timeout', `The job did not finish within its deadline (${waited} ms); provider ${provider} was asked to cancel it.`);
      return;
    }
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.emit('queue', this.queue.length);
    }
    if (job.lastFailure !== null) {
      this.fail(job, 'failed', `${job.lastFailure.message} (no other provider took the job within ${waited} ms)`, job.lastFailure.code);
    } else if (this.sessions.size === 0 || [...this.sessions].every((s) => s.paused)) {
      this.fail(job, 'no_provider', `No provider is connected to run model ${job.spec.model.sha256.slice(0, 12)}…; the job waited ${waited} ms. Try again later.`);
    } else {
      this.fail(job, 'overloaded', `Every provider stayed busy for the job's ${waited} ms; try again with a longer deadline or later.`);
    }
  }

  private fail(job: Job, code: DispatchErrorCode, message: string, providerCode?: ProviderFailureCode): void {
    this.settle(job, {
      ok: false,
      jobId: job.spec.id,
      error: providerCode === undefined ? { code, message } : { code, message, providerCode },
      attempts: job.attempts,
      latencyMs: this.now() - job.submittedAt,
    });
  }

  private settle(job: Job, result: DispatchResult): void {
    if (job.settled) return;
    job.settled = true;
    // A job settled while it runs (deadline, shutdown) is cancelled there; its result will be ignored.
    job.current?.session.cancel(job.spec.id);
    job.current = null;
    this.running.delete(job);
    clearTimeout(job.timer);
    job.resolve(this.report(result));
  }

  private report(result: DispatchResult): DispatchResult {
    this.emit('settled', result);
    return result;
  }
}
