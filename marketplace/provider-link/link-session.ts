/**
 * One provider as the dispatcher sees it, over its WebSocket: `run` signs nothing itself (the dispatcher
 * passes the job's signature), sends `job.offer` with the input tensors, and resolves once — with a
 * verified result, a rejection, a failure, or a timeout. The session outlives connections: jobs stay
 * assigned through a reconnect until their deadline, and a node that comes back lists in
 * `hello.resumeJobs` the ones it still holds; the others fail as `disconnected` (retryable).
 */
import type { Address, Hex } from 'viem';
import { tensorHeads } from '../../common/marketplace-frame.js';
import type { FromCoordinator, FromProvider, JobSpec, RejectReason } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { ProviderOutcome, ProviderSession } from '../dispatch/provider-session.js';
import type { z } from 'zod';
import { type ResultDeps, handleResult } from './result-handling.js';

/** The live connection a session sends through. */
export interface SessionLine {
  send(message: FromCoordinator, tensors?: readonly Tensor[]): boolean;
}

export type LinkSessionDeps = ResultDeps & {
  acceptTimeoutMs: number;
  maxInFlight: number;
  /** Called when capacity, pause or warm models changed, so the dispatcher looks again. */
  changed: () => void;
  /** Called when the node names a new payout recipient after its hello. */
  recipientChanged?: (recipient: Address) => void;
};

export type PendingJob = {
  job: JobSpec;
  /** `settling`: a verified result is being credited; nothing else may end the job. */
  phase: 'offered' | 'accepted' | 'settling';
  resolve: (outcome: ProviderOutcome) => void;
  timers: NodeJS.Timeout[];
};

type Hello = Extract<FromProvider, { type: 'hello' }>;

const RETRYABLE_REJECTIONS: ReadonlySet<z.infer<typeof RejectReason>> = new Set(['busy', 'paused', 'model_unavailable', 'price_invalid']);
const REMEMBER_ENDED = 1024;

/** A provider's session on the coordinator. */
export class LinkSession implements ProviderSession {
  readonly warmModels = new Set<string>();
  private readonly pending = new Map<string, PendingJob>();
  /** Jobs that ended here without a result (cancelled, timed out, lost): a late result is acknowledged uncredited. */
  private readonly ended = new Map<string, JobSpec>();
  private line: SessionLine | null = null;
  private drainReason: string | null = null;
  private heartbeatPaused: string | null = null;
  private results: Promise<void> = Promise.resolve();
  private recipientValue: Address;

  constructor(
    readonly id: Address,
    private readonly deps: LinkSessionDeps,
  ) {
    this.recipientValue = id;
  }

  /** Where this node's vouchers pay: its hello's `recipient`, or the node address. */
  get recipient(): Address {
    return this.recipientValue;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get maxInFlight(): number {
    return this.deps.maxInFlight;
  }

  /** Not connected, draining, or reporting a pause in its heartbeats. */
  get paused(): boolean {
    return this.line === null || this.drainReason !== null || this.heartbeatPaused !== null;
  }

  /** True while a welcomed connection carries the session. */
  get connected(): boolean {
    return this.line !== null;
  }

  /** Binds a freshly welcomed connection; jobs the node no longer holds fail as `disconnected`. */
  attach(line: SessionLine, hello: Hello): void {
    this.line = line;
    this.drainReason = null;
    this.heartbeatPaused = null;
    this.recipientValue = (hello.recipient ?? this.id) as Address;
    this.setWarm(hello.warmModels);
    const held = new Set(hello.resumeJobs);
    for (const [jobId, pending] of this.pending) {
      if (!held.has(jobId) && pending.phase !== 'settling') void this.finish(jobId, { ok: false, code: 'disconnected', retryable: true, message: `Provider ${this.id} reconnected without job ${pending.job.id}.` });
    }
    this.deps.changed();
  }

  /**
   * After `welcome` went out: for each job the node still holds, the ack it was given (it may have been
   * lost with the last connection or the provider's restart), or `job.cancel` when this coordinator holds
   * neither an ack nor the job (it restarted, or the job ended), so the node stops holding it.
   */
  resumed(hello: Hello): void {
    for (const jobId of hello.resumeJobs) {
      const ack = this.deps.seqBook.ackFor(this.id, jobId);
      if (ack !== undefined) this.line?.send(ack);
      else if (!this.pending.has(jobId)) this.line?.send({ type: 'job.cancel', jobId, reason: `The coordinator holds no job ${jobId} for this node.` });
    }
  }

  /** The connection is gone; jobs stay assigned until their deadline or the node's return. */
  detach(line: SessionLine): void {
    if (this.line !== line) return;
    this.line = null;
    this.deps.changed();
  }

  /** Jobs assigned here and not yet ended. */
  pendingJobs(): string[] {
    return [...this.pending.keys()];
  }

  run(job: JobSpec, inputs: Tensor[], signature: Hex): Promise<ProviderOutcome> {
    if (this.pending.has(job.id)) return Promise.resolve({ ok: false, code: 'duplicate', retryable: false, message: `Job ${job.id} is already assigned to ${this.id}.` });
    return new Promise<ProviderOutcome>((resolve) => {
      const pending: PendingJob = { job, phase: 'offered', resolve, timers: [] };
      this.pending.set(job.id, pending);
      const delay = (ms: number) => Math.min(2 ** 31 - 1, Math.max(0, ms));
      pending.timers.push(
        setTimeout(() => this.expire(job.id, 'timeout', false, `Provider ${this.id} did not finish job ${job.id} by its deadline.`), delay(job.deadline - this.deps.now())),
        setTimeout(() => {
          if (pending.phase === 'offered') this.expire(job.id, 'timeout', true, `Provider ${this.id} neither accepted nor rejected job ${job.id} in ${this.deps.acceptTimeoutMs} ms.`);
        }, this.deps.acceptTimeoutMs),
      );
      const sent = this.line?.send({ type: 'job.offer', job, signature, inputs: tensorHeads(inputs) }, inputs) ?? false;
      if (!sent) void this.finish(job.id, { ok: false, code: 'disconnected', retryable: true, message: `Provider ${this.id} is not connected.` });
      this.deps.changed();
    });
  }

  cancel(jobId: string): void {
    const pending = this.pending.get(jobId);
    if (pending === undefined || pending.phase === 'settling') return;
    this.expire(jobId, 'timeout', false, `Job ${jobId} was cancelled by the coordinator.`);
  }

  /** Sends a voucher to the node; false when it is not connected. */
  sendVoucher(message: Extract<FromCoordinator, { type: 'voucher' }>): boolean {
    return this.line?.send(message) ?? false;
  }

  /** Handles a message of a welcomed connection (not hello: the connection handles that). */
  receive(message: Exclude<FromProvider, { type: 'hello' }>, tensors: Tensor[]): void {
    switch (message.type) {
      case 'heartbeat':
        this.setWarm(message.warmModels);
        this.heartbeatPaused = message.paused;
        // A heartbeat that reports no pause ends a drain.
        if (message.paused === null) this.drainReason = null;
        return this.deps.changed();
      case 'drain':
        this.drainReason = message.reason;
        return this.deps.changed();
      case 'recipient':
        this.recipientValue = message.recipient as Address;
        return this.deps.recipientChanged?.(this.recipientValue);
      case 'bye':
        for (const [jobId, pending] of [...this.pending]) if (pending.phase !== 'settling') this.finish(jobId, { ok: false, code: 'disconnected', retryable: true, message: `Provider ${this.id} said bye while holding job ${jobId}.` });
        return this.deps.changed();
      case 'job.accept': {
        const pending = this.pending.get(message.jobId);
        if (pending?.phase === 'offered') pending.phase = 'accepted';
        return;
      }
      case 'job.reject':
        if (this.pending.get(message.jobId)?.phase !== 'offered') return;
        return void this.finish(message.jobId, { ok: false, code: message.reason, retryable: RETRYABLE_REJECTIONS.has(message.reason), message: message.message });
      case 'job.fail':
        if (this.pending.get(message.jobId)?.phase === 'settling') return;
        return void this.finish(message.jobId, { ok: false, code: message.code, retryable: message.retryable, message: message.message });
      case 'job.result': {
        const line = this.line;
        // One at a time, so a result sent twice is acknowledged once, the same way.
        this.results = this.results
          .then(() =>
            handleResult(message, tensors, {
              ...this.deps,
              node: this.id,
              pending: this.pending.get(message.jobId),
              ended: this.ended.get(message.jobId),
              send: (reply) => line?.send(reply) ?? false,
              claim: () => this.claim(message.jobId),
              finish: (outcome) => this.finish(message.jobId, outcome),
            }),
          )
          // One bad result must not stall the ones behind it.
          .catch((err: unknown) => this.deps.logger.error({ err, jobId: message.jobId }, 'a provider result could not be handled'));
        return;
      }
    }
  }

  /** Stops the job's timers and marks it settling, so only its result ends it. */
  private claim(jobId: string): boolean {
    const pending = this.pending.get(jobId);
    if (pending === undefined || pending.phase === 'settling') return false;
    pending.phase = 'settling';
    for (const timer of pending.timers) clearTimeout(timer);
    return true;
  }

  private expire(jobId: string, code: 'timeout', retryable: boolean, message: string): void {
    if (this.pending.get(jobId)?.phase !== 'offered' && this.pending.get(jobId)?.phase !== 'accepted') return;
    this.line?.send({ type: 'job.cancel', jobId, reason: message.slice(0, 200) });
    void this.finish(jobId, { ok: false, code, retryable, message });
  }

  private finish(jobId: string, outcome: ProviderOutcome): boolean {
    const pending = this.pending.get(jobId);
    if (pending === undefined) return false;
    this.pending.delete(jobId);
    for (const timer of pending.timers) clearTimeout(timer);
    if (!outcome.ok) {
      this.ended.set(jobId, pending.job);
      if (this.ended.size > REMEMBER_ENDED) this.ended.delete(this.ended.keys().next().value as string);
    }
    pending.resolve(outcome);
    this.deps.changed();
    return true;
  }

  private setWarm(models: readonly string[]): void {
    this.warmModels.clear();
    for (const model of models) this.warmModels.add(model);
  }
}
