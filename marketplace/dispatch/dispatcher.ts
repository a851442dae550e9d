/**
 * The job dispatcher: a queue of consumer jobs, matched to provider sessions by capability (model warm
 * first, then load, then reputation), each with its own deadline, retried on another provider when a
 * failure is retryable. A job settles exactly once; a result that arrives after that, or from an attempt
 * the job has moved on from, is logged and ignored, so nothing is ever credited twice.
 *
 * With a verifier, some consumer jobs also run on a second provider at once (redundant), canaries go out
 * beside consumer jobs, and quarantined providers get no consumer jobs. A checked run's result reaches
 * the dispatcher once the verifier has judged it; one judged wrong answers nobody.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { CanaryPlan, DispatchErrorCode, DispatchResult, DispatchVerifier, DispatcherEvents, JobRole, SubmitRequest } from './dispatch-types.js';
import type { JobSigner } from './job-signer.js';
import { type Attempt, type Failure, type Job, createJob, isIdle, newJobId } from './dispatch-job.js';
import { deadlineFailure } from './deadline-failure.js';
import { canarySpec, consumerSpec } from './job-specs.js';
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
  /** Higher is better; ties after warmth and load. A verifier's reputation wins over this. */
  reputation?: (providerId: string) => number;
  /** Canaries, redundant runs and quarantine (marketplace/verification/); none without it. */
  verifier?: DispatchVerifier;
  /** How often queued jobs are matched again even without news (a provider may have unpaused). */
  pollMs?: number;
  now?: () => number;
};

const nobody = (): boolean => false;

/** Runs consumer jobs on provider sessions. */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  private readonly sessions = new Set<ProviderSession>();
  private readonly queue: Job[] = [];
  private readonly busy = new Map<ProviderSession, number>();
  /** Jobs with an attempt running (settled ones too, while a cancelled run ends). */
  private readonly running = new Set<Job>();
  /** Checked consumer jobs by id, until they and their copies end (a tiebreak may add a copy). */
  private readonly checkedJobs = new Map<string, Job>();
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly verifier: DispatchVerifier | undefined;
  private readonly skipQuarantined: (providerId: string) => boolean;
  private readonly rank: (providerId: string) => number;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: DispatcherOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ part: 'dispatcher' });
    const verifier = options.verifier;
    this.verifier = verifier;
    this.skipQuarantined = verifier === undefined ? nobody : (id) => !verifier.admits(id);
    this.rank = verifier === undefined ? (options.reputation ?? (() => 0)) : (id) => verifier.reputation(id);
    verifier?.attach({ report: (outcome) => this.emit('verified', outcome), tiebreak: (groupId) => this.tiebreak(groupId) });
  }

  /** Runs a job on some provider; resolves once with its outputs or why there are none (never rejects). */
  async submit(request: SubmitRequest): Promise<DispatchResult> {
    const submittedAt = this.now();
    const id = newJobId();
    const refuse = (code: DispatchErrorCode, message: string): DispatchResult => ({ ok: false, jobId: id, error: { code, message }, attempts: 0, latencyMs: this.now() - submittedAt });
    if (this.closed) return this.report(refuse('closed', 'The marketplace is shutting down; try again shortly.'));
    if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
      return this.report(refuse('queue_full', `${this.queue.length} jobs are already waiting for a provider; try again shortly.`));
    }
    const spec = consumerSpec(request, id);
    const plan = this.verifier?.plan(spec, request.inputs) ?? { redundant: false, canary: null };
    // A redundant copy is a job of its own (id and signature), so a provider cannot tell it is one.
    const copySpec = plan.redundant ? { ...spec, id: newJobId() } : null;
    let signature: Hex;
    let copySignature: Hex | null = null;
    try {
      if (copySpec === null) signature = await this.options.signer.sign(spec);
      else [signature, copySignature] = await Promise.all([this.options.signer.sign(spec), this.options.signer.sign(copySpec)]);
    } catch (err) {
      if (plan.redundant) this.verifier?.release(id);
      this.log.error({ err, jobId: id }, 'could not sign a job');
      return this.report(refuse('internal', 'The marketplace could not sign the job; the log has the details.'));
    }
    if (this.closed) {
      if (plan.redundant) this.verifier?.release(id);
      return this.report(refuse('closed', 'The marketplace shut down before the job was queued.'));
    }
    return new Promise<DispatchResult>((resolve) => {
      const job = this.newJob(spec, request.inputs, signature, 'consumer', resolve);
      job.submittedAt = submittedAt;
      if (copySpec !== null && copySignature !== null) {
        this.check(job, id);
        job.shadow = this.copyOf(job, copySpec, copySignature);
      }
      this.enqueue(job);
      if (plan.canary !== null) void this.sendCanary(spec, plan.canary);
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

  /** Connected sessions in quarantine (they get canaries only). */
  quarantinedCount(): number {
    let count = 0;
    for (const session of this.sessions) if (this.skipQuarantined(session.id)) count += 1;
    return count;
  }

  /** Fails every queued and running job with `closed` and refuses new ones. */
  close(): void {
    this.closed = true;
    this.setPolling(false);
    for (const job of this.queue.splice(0)) this.fail(job, 'closed', 'The marketplace shut down before a provider took the job.');
    for (const job of [...this.running]) {
      job.closing = true;
      this.fail(job, 'closed', 'The marketplace shut down while the job ran; it was cancelled.');
    }
    this.verifier?.close();
    this.emit('queue', 0);
  }

  private newJob(spec: JobSpec, inputs: Tensor[], signature: Hex, role: JobRole, resolve: (result: DispatchResult) => void): Job {
    const maxAttempts = role === 'consumer' ? (this.options.maxAttempts ?? 3) : 1;
    return createJob({ spec, inputs, signature, role, resolve, maxAttempts, skip: this.skipQuarantined, reputation: this.rank }, this.now(), (job) => this.onDeadline(job));
  }

  /** A copy of a checked consumer job under another id, that may answer it. */
  private copyOf(owner: Job, spec: JobSpec, signature: Hex): Job {
    const copy = this.newJob(spec, owner.inputs, signature, 'check', () => undefined);
    copy.tried = owner.tried;
    copy.owner = owner;
    copy.group = owner.group;
    copy.done = () => {
      owner.copies.delete(copy);
      this.finishIfDone(owner);
    };
    return copy;
  }

  /** Has the verifier follow the job (group `group`) until it and its copies end. */
  private check(job: Job, group: string): void {
    job.group = group;
    if (job.role === 'consumer') this.checkedJobs.set(job.spec.id, job);
    job.done = () => this.uncheck(job);
  }

  private uncheck(job: Job): void {
    const group = job.group;
    job.group = null;
    job.done = null;
    if (this.checkedJobs.get(job.spec.id) === job) this.checkedJobs.delete(job.spec.id);
    if (group !== null) this.verifier?.release(group);
  }

  /** Sends a canary now to a provider free for it (least reputed first); none is sent when none is free. */
  private async sendCanary(beside: JobSpec, plan: CanaryPlan): Promise<void> {
    const spec = canarySpec(beside, plan, newJobId());
    let signature: Hex;
    try {
      signature = await this.options.signer.sign(spec);
    } catch (err) {
      this.log.error({ err }, 'could not sign a canary');
      return;
    }
    const job = this.newJob(spec, plan.inputs, signature, 'check', () => undefined);
    job.skip = plan.excluded;
    // Canaries go to the least reputed first: that is how a quarantined provider earns its way back.
    job.reputation = (id) => -this.rank(id);
    const session = this.closed ? null : this.choose(job);
    if (session === null) return clearTimeout(job.timer);
    plan.sent(spec.id);
    this.check(job, spec.id);
    this.start(job, session);
  }

  /** Runs one more copy of a checked consumer job now, on a provider no copy ran on; false when none is free. */
  private async tiebreak(groupId: string): Promise<boolean> {
    const owner = this.checkedJobs.get(groupId);
    if (owner === undefined || this.closed) return false;
    const spec = { ...owner.spec, id: newJobId() };
    let signature: Hex;
    try {
      signature = await this.options.signer.sign(spec);
    } catch (err) {
      this.log.error({ err, jobId: owner.spec.id }, 'could not sign a tiebreak copy');
      return false;
    }
    const copy = this.copyOf(owner, spec, signature);
    const session = this.closed || this.checkedJobs.get(groupId) !== owner ? null : this.choose(copy);
    if (session === null) {
      clearTimeout(copy.timer);
      return false;
    }
    owner.copies.add(copy);
    this.start(copy, session);
    return true;
  }

  private choose(job: Job, also?: ProviderSession): ProviderSession | null {
    return chooseProvider(this.sessions, {
      modelSha256: job.spec.model.sha256,
      tried: also === undefined ? job.tried : new Set([...job.tried, also.id]),
      busy: (s) => Math.max(s.inFlight, this.busy.get(s) ?? 0),
      reputation: job.reputation,
      // Asking per candidate costs; with nobody quarantined a consumer job may go anywhere.
      skip: job.skip === this.skipQuarantined && this.verifier?.anyQuarantined() !== true ? undefined : job.skip,
    });
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
      const session = this.choose(job);
      if (session === null) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      this.emit('queue', this.queue.length);
      // A redundant job starts on two providers at once, or as a plain job when no second one is free.
      const shadow = job.shadow;
      job.shadow = null;
      const second = shadow === null ? null : this.choose(shadow, session);
      if (shadow !== null && second === null) {
        clearTimeout(shadow.timer);
        this.uncheck(job);
      }
      this.start(job, session);
      if (shadow !== null && second !== null) {
        job.copies.add(shadow);
        this.start(shadow, second);
      }
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
    job.running.add(attempt);
    this.running.add(job);
    this.busy.set(session, (this.busy.get(session) ?? 0) + 1);
    if (job.group !== null) this.verifier?.tracking(job.group, job.spec.id, session.id);
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

  private onOutcome(job: Job, attempt: Attempt, reported: ProviderOutcome): void {
    const left = (this.busy.get(attempt.session) ?? 1) - 1;
    if (left > 0) this.busy.set(attempt.session, left);
    else this.busy.delete(attempt.session);
    job.running.delete(attempt);
    if (job.running.size === 0) this.running.delete(job);
    const providerId = attempt.session.id;
    let outcome = reported;
    if (outcome.ok) {
      const problem = resultProblem(job.spec, outcome.outputs, outcome.receipt);
      if (problem !== null) {
        this.log.warn({ jobId: job.spec.id, provider: providerId, problem }, 'a provider returned a result that does not check out');
        outcome = { ok: false, code: 'invalid_result', retryable: true, message: problem };
      }
    }
    if (outcome.ok && job.group !== null && this.verifier?.rejected(job.spec.id, providerId) === true) {
      // Judged wrong (outvoted, or a failed canary): it answers nobody, and the verifier already counted it.
      outcome = { ok: false, code: 'invalid_result', retryable: true, message: `Provider ${providerId}'s outputs disagreed with the other providers that ran the job.` };
    } else if (!(job.closing && !outcome.ok && outcome.code === 'timeout')) {
      this.verifier?.observe(job.spec, job.inputs, { jobId: job.spec.id, providerId, outcome }, job.role);
    }
    const consumer = job.owner ?? job;
    if (job.settled) {
      if (job.group === null) {
        this.log.warn({ jobId: job.spec.id, provider: providerId, attempt: attempt.number, ok: outcome.ok }, 'ignored a result for a job that had already moved on or settled');
        this.emit('ignored', { jobId: job.spec.id, providerId, ok: outcome.ok });
      }
    } else if (outcome.ok) {
      const result = { ok: true, outputs: outcome.outputs, providerId, receipt: outcome.receipt, signature: outcome.signature } as const;
      this.settle(job, { ...result, jobId: job.spec.id, attempts: job.attempts, latencyMs: this.now() - job.submittedAt });
      // A redundant copy answers its consumer when it is first.
      if (consumer !== job) this.settle(consumer, { ...result, jobId: consumer.spec.id, attempts: consumer.attempts + 1, latencyMs: this.now() - consumer.submittedAt });
    } else {
      job.lastFailure = outcome;
      if (consumer === job) {
        // Another copy still running may yet deliver.
        if (isIdle(job)) this.afterFailure(job, providerId, outcome);
      } else {
        this.fail(job, 'failed', outcome.message, outcome.code);
        if (!consumer.settled && isIdle(consumer)) this.afterFailure(consumer, providerId, consumer.lastFailure ?? outcome);
      }
    }
    this.finishIfDone(job);
    this.pump();
  }

  private afterFailure(job: Job, providerId: string, failure: Failure): void {
    if (failure.retryable && this.canRetry(job)) {
      this.log.info({ jobId: job.spec.id, provider: providerId, code: failure.code }, 'retrying the job on another provider');
      this.emit('retry', { jobId: job.spec.id, providerId, code: failure.code });
      this.enqueue(job, true);
    } else {
      const why = failure.retryable ? ` (tried on ${job.attempts} provider${job.attempts === 1 ? '' : 's'})` : '';
      this.fail(job, 'failed', `${failure.message}${why}`, failure.code);
    }
  }

  /** True while another connected provider, not yet tried, might take the job before its deadline. */
  private canRetry(job: Job): boolean {
    if (this.closed || job.attempts >= job.maxAttempts || this.now() >= job.spec.deadline) return false;
    for (const session of this.sessions) if (!job.tried.has(session.id) && !job.skip(session.id)) return true;
    return false;
  }

  private onDeadline(job: Job): void {
    if (job.settled) return;
    const waited = this.now() - job.submittedAt;
    const runningOn = job.running.values().next().value;
    if (runningOn !== undefined) {
      this.fail(job, 'timeout', `The job did not finish within its deadline (${waited} ms); provider ${runningOn.session.id} was asked to cancel it.`);
      return;
    }
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.emit('queue', this.queue.length);
    }
    const why = deadlineFailure(job, this.sessions, waited);
    this.fail(job, why.code, why.message, why.providerCode);
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
    // A job that fails while it runs (deadline, shutdown) is cancelled there; its result will be ignored.
    // One answered by a redundant copy keeps running, for the comparison.
    if (!result.ok) for (const attempt of job.running) attempt.session.cancel(job.spec.id);
    clearTimeout(job.timer);
    // A redundant job that never started takes its unsent copy with it.
    if (job.shadow !== null) clearTimeout(job.shadow.timer);
    job.shadow = null;
    job.resolve(job.role === 'consumer' ? this.report(result) : result);
    this.finishIfDone(job);
  }

  private finishIfDone(job: Job): void {
    if (!job.settled || !isIdle(job) || job.done === null) return;
    const done = job.done;
    job.done = null;
    done();
  }

  private report(result: DispatchResult): DispatchResult {
    this.emit('settled', result);
    return result;
  }
}
