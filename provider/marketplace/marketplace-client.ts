/**
 * The provider's side of the marketplace: dials the coordinator, reconnects with exponential backoff
 * and jitter, and keeps the jobs it holds across reconnects (they are announced in `hello.resumeJobs`,
 * queued messages go out after the next `welcome`, and an unacknowledged result is sent again).
 * Offers are verified against the pinned coordinator key before anything else; pausing drains.
 */
import { EventEmitter } from 'node:events';
import type { Address, LocalAccount } from 'viem';
import { type FromProvider, MAX_FRAME_BYTES, type JobSpec, type PayoutInfo } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import type { Logger } from '../logger.js';
import { type BackoffOptions, DEFAULT_BACKOFF, reconnectDelay } from './backoff.js';
import { ClientConnection, type HelloContent, type SessionMessage, type Welcome } from './client-connection.js';
import { checkDialUrl } from './dial-url.js';
import { type HeldJob, holdJob, inFlight } from './held-job.js';
import type { JobJournal, JobRunner, SeqSource } from './job-journal.js';
import { carryOut } from './job-pipeline.js';
import type { ModelSource } from './model-source.js';
import { type OfferRefusal, checkSignedOffer } from './offer-check.js';
import { handleAck, handleVoucher, type VoucherOptions } from './coordinator-messages.js';
import { receiptDigest } from '../../common/wire/receipt-signature.js';
import { CloseCode } from '../../common/wire/close-codes.js';
import { verifyJobSignature } from '../../common/wire/job-signature.js';

/** What the node announces in `hello` and heartbeats (`recipient` comes from the client's options). */
export type NodeDescription = Omit<HelloContent, 'resumeJobs' | 'recipient'> & { freeVramBytes: number | null };

export type MarketplaceClientOptions = {
  /** `wss://host/provider`, or `ws://` to this machine. */
  url: string;
  /** The pinned coordinator address: challenges, offers and acks must come from it. */
  coordinator: Address;
  chainId: number;
  /** The node key (node-key.ts). */
  account: LocalAccount;
  runner: JobRunner;
  models: ModelSource;
  journal: JobJournal;
  seq: SeqSource;
  /** The workers' limits, checked against every offer's inputs before it is accepted. */
  limits: WorkerLimits;
  /** What the node is and holds now (devices, warm models, free VRAM); read for every hello and heartbeat. */
  describe: () => NodeDescription;
  logger: Logger;
  maxInFlight?: number;
  maxFrameBytes?: number;
  handshakeTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** A connection welcomed for this long resets the backoff. */
  stableAfterMs?: number;
  acceptPrice?: (price: JobSpec['price']) => boolean;
  /** Where this node's vouchers should pay (sent in `hello`); the node address when absent. */
  recipient?: Address;
  /** Vouchers checked against this vault; without it, against the vault `welcome.payout` names. */
  vouchers?: VoucherOptions;
  /** Receives vouchers verified against `welcome.payout` (signed by the pinned coordinator or `voucherSigners`). */
  onVoucher?: VoucherOptions['onVoucher'];
  voucherSigners?: Address[];
  now?: () => number;
  random?: () => number;
};

export type ClientState = 'idle' | 'connecting' | 'online' | 'waiting' | 'stopped';

export type ClientEvents = {
  state: [state: ClientState];
  welcome: [welcome: Welcome];
  closed: [info: { code: number; reason: string; welcomed: boolean }];
  reconnect: [plan: { attempt: number; delayMs: number }];
  rejected: [rejection: { jobId: string; reason: string; message: string }];
  acked: [ack: { jobId: string; seq: number; credited: bigint }];
};

/** The marketplace client: one coordinator, one connection at a time. */
export class MarketplaceClient extends EventEmitter<ClientEvents> {
  private readonly url: URL;
  private readonly jobs = new Map<string, HeldJob>();
  private connection: ClientConnection | null = null;
  private stateValue: ClientState = 'idle';
  private attempt = 0;
  private welcomedAt = 0;
  private retry: NodeJS.Timeout | undefined;
  private pausedReason: string | null = null;
  private idleWaiters: (() => void)[] = [];
  private admission: ((job: JobSpec) => OfferRefusal | null) | null = null;
  private payoutValue: PayoutInfo | null = null;
  private recipient: Address | undefined;
  private readonly now: () => number;

  constructor(private readonly options: MarketplaceClientOptions) {
    super();
    const checked = checkDialUrl(options.url);
    if (!checked.ok) throw new Error(checked.message);
    this.url = checked.url;
    this.now = options.now ?? Date.now;
    this.recipient = options.recipient;
  }

  /** Names where vouchers should pay from now on: told to the coordinator at once when connected, and in every later hello. */
  setRecipient(recipient: Address): void {
    if (this.recipient !== undefined && this.recipient.toLowerCase() === recipient.toLowerCase()) return;
    this.recipient = recipient;
    this.connection?.send({ type: 'recipient', recipient });
  }

  /** Where the client is: dialling, welcomed, waiting to retry, or stopped. */
  get state(): ClientState {
    return this.stateValue;
  }

  /** The payout chain, vault and token the coordinator announced in its last `welcome`, or null. */
  get payout(): PayoutInfo | null {
    return this.payoutValue;
  }

  /** Jobs fetching a model or running. */
  get inFlight(): number {
    return [...this.jobs.values()].filter(inFlight).length;
  }

  /** Ids of every job held (running, or with a message or ack outstanding). */
  heldJobs(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Marks jobs a previous process left fetching or running as lost (their inputs are gone), keeps those
   * whose result was sent (listed in `hello.resumeJobs` until the coordinator acks or cancels them), then dials.
   */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') return;
    for (const job of await this.options.journal.unfinishedJobs()) {
      if (job.state === 'resulted') {
        const held = holdJob(job.job, '', []);
        held.phase = 'resulted';
        held.result = { outgoing: null, receipt: job.receipt, digest: receiptDigest(this.options.chainId, job.receipt) };
        this.jobs.set(job.jobId, held);
        continue;
      }
      await this.options.journal.recordFailed(job.jobId, { stage: 'lost', message: 'The provider restarted while it held this job.' }, this.now());
    }
    this.dial();
  }

  /** Stops taking jobs (`drain`, offers rejected with `paused`) and resolves once none is in flight. */
  async drain(reason = 'paused'): Promise<void> {
    const wasPaused = this.pausedReason !== null;
    this.pausedReason = reason;
    if (!wasPaused) this.connection?.send({ type: 'drain', reason });
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Adds a check every offer must also pass (the scheduler's VRAM reserve and power cap); null removes it. */
  setAdmission(check: ((job: JobSpec) => OfferRefusal | null) | null): void {
    this.admission = check;
  }

  /** Takes jobs again; the next heartbeat says so. */
  resume(): void {
    if (this.pausedReason === null) return;
    this.pausedReason = null;
    this.connection?.send(this.heartbeat(null));
  }

  /** Drains (for at most `graceMs`), says `bye`, closes, and does not reconnect. */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.stateValue === 'stopped') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.drain('stopping'), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.setState('stopped');
    clearTimeout(this.retry);
    const connection = this.connection;
    this.connection = null;
    if (connection === null) return;
    connection.send({ type: 'bye' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (connection.terminate(), resolve()), 2000);
      this.once('closed', () => (clearTimeout(timer), resolve()));
      connection.close(CloseCode.normal, 'bye');
    });
  }

  private dial(): void {
    this.setState('connecting');
    this.connection = new ClientConnection({
      url: this.url,
      coordinator: this.options.coordinator,
      account: this.options.account,
      maxFrameBytes: this.options.maxFrameBytes ?? MAX_FRAME_BYTES,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 10_000,
      hello: () =>
        Promise.resolve({
          ...withoutVram(this.options.describe()),
          resumeJobs: this.heldJobs(),
          ...(this.recipient === undefined ? {} : { recipient: this.recipient }),
        }),
      onWelcome: (welcome) => void this.welcomed(welcome).catch((err: unknown) => this.failed(err, 'welcome')),
      onMessage: (message, tensors) => this.receive(message, tensors),
      onClose: (info) => this.closed(info),
      now: this.now,
    });
  }

  private async welcomed(welcome: Welcome): Promise<void> {
    this.welcomedAt = this.now();
    this.payoutValue = welcome.payout ?? null;
    this.setState('online');
    await this.options.seq.advancePast?.(welcome.lastSeq);
    this.emit('welcome', welcome);
    if (this.pausedReason !== null) this.connection?.send({ type: 'drain', reason: this.pausedReason });
    for (const held of this.jobs.values()) {
      // A result sent before the line dropped may never have arrived: send it again (the coordinator deduplicates).
      if (held.phase === 'resulted' && held.result?.outgoing != null && held.outbox.length === 0) held.outbox.push(held.result.outgoing);
      this.flush(held);
    }
    this.connection?.keepAlive(welcome.heartbeatMs, () => this.heartbeat(this.pausedReason));
  }

  private closed(info: { code: number; reason: string; welcomed: boolean }): void {
    this.connection = null;
    this.emit('closed', info);
    this.options.logger.info({ code: info.code, reason: info.reason }, 'marketplace connection closed');
    if (this.stateValue === 'stopped') return;
    if (info.welcomed && this.now() - this.welcomedAt >= (this.options.stableAfterMs ?? 10_000)) this.attempt = 0;
    const delayMs = reconnectDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.emit('reconnect', { attempt: this.attempt, delayMs });
    this.attempt += 1;
    this.setState('waiting');
    this.retry = setTimeout(() => this.dial(), delayMs);
  }

  private receive(message: SessionMessage, tensors: Tensor[]): void {
    switch (message.type) {
      case 'job.offer':
        return void this.offer(message.job, message.signature, tensors).catch((err: unknown) => this.failed(err, 'job.offer'));
      case 'job.cancel':
        return this.cancel(message.jobId, message.reason);
      case 'receipt.ack':
        return void handleAck(message, this.jobs.get(message.jobId), this.ackDeps()).catch((err: unknown) => this.failed(err, 'receipt.ack'));
      case 'voucher':
        return void handleVoucher(message, this.ackDeps()).catch((err: unknown) => this.failed(err, 'voucher'));
      case 'error':
        return void this.options.logger.warn({ code: message.code, message: message.message }, 'coordinator reported an error');
    }
  }

  private async offer(job: JobSpec, signature: string, inputs: Tensor[]): Promise<void> {
    if (!(await verifyJobSignature(this.options.chainId, job, signature, this.options.coordinator))) {
      // Never journaled, never run: it did not come from the pinned coordinator.
      return this.reject(job.id, 'bad_signature', `Job ${job.id} is not signed by the pinned coordinator ${this.options.coordinator}.`);
    }
    const refusal = checkSignedOffer(job, inputs, {
      limits: this.options.limits,
      now: this.now(),
      isHeld: (id) => this.jobs.has(id),
      paused: this.pausedReason,
      inFlight: this.inFlight,
      maxInFlight: this.options.maxInFlight ?? 2,
      acceptPrice: this.options.acceptPrice,
    });
    const refused = refusal ?? this.admission?.(job) ?? null;
    if (refused !== null) return this.reject(job.id, refused.reason, refused.message);
    const held = holdJob(job, signature, inputs);
    this.jobs.set(job.id, held);
    await carryOut(held, { ...this.options, now: this.now, changed: (h) => this.flush(h) });
  }

  private reject(jobId: string, reason: Extract<FromProvider, { type: 'job.reject' }>['reason'], message: string): void {
    this.options.logger.info({ jobId, reason }, 'marketplace offer rejected');
    this.emit('rejected', { jobId, reason, message });
    this.connection?.send({ type: 'job.reject', jobId, reason, message });
  }

  private cancel(jobId: string, reason: string): void {
    const held = this.jobs.get(jobId);
    if (held === undefined) return;
    if (held.phase === 'resulted') {
      // A live result will still be acked (with 0 if it crossed the cancel); a restored one never will.
      if (held.result?.outgoing === null) void this.dropRestored(held, reason).catch((err: unknown) => this.failed(err, 'job.cancel'));
      return;
    }
    this.options.logger.info({ jobId, reason }, 'marketplace job cancelled');
    held.cancelled = true;
  }

  /** The coordinator holds neither an ack nor the job for a result restored after a restart: it ends unpaid. */
  private async dropRestored(held: HeldJob, reason: string): Promise<void> {
    this.options.logger.info({ jobId: held.job.id, reason }, 'restored marketplace result not taken by the coordinator');
    await this.options.journal.recordFailed(held.job.id, { stage: 'lost', message: `The provider restarted before the coordinator took this result (${reason})` }, this.now());
    if (this.jobs.get(held.job.id) === held) this.jobs.delete(held.job.id);
  }

  /** Sends what a job has queued, forgets it once nothing more is owed, and settles drains. */
  private flush(held: HeldJob): void {
    while (held.outbox.length > 0 && this.connection?.send(held.outbox[0]!.message, held.outbox[0]!.tensors)) held.outbox.shift();
    if ((held.phase === 'rejected' || held.phase === 'failed') && held.outbox.length === 0) this.jobs.delete(held.job.id);
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private ackDeps() {
    return {
      chainId: this.options.chainId,
      coordinator: this.options.coordinator,
      node: this.options.account.address,
      journal: this.options.journal,
      logger: this.options.logger,
      now: this.now,
      vouchers: this.voucherOptions(),
      acked: (jobId: string, seq: number, credited: bigint) => {
        this.jobs.delete(jobId);
        this.emit('acked', { jobId, seq, credited });
      },
    };
  }

  /** The vault vouchers are checked against: configured, or announced in the last welcome. */
  private voucherOptions(): VoucherOptions | undefined {
    if (this.options.vouchers !== undefined) return this.options.vouchers;
    const payout = this.payoutValue;
    if (payout === null || this.options.onVoucher === undefined) return undefined;
    return { chainId: payout.chainId, vault: payout.vault as Address, signers: this.options.voucherSigners, onVoucher: this.options.onVoucher };
  }

  /** A message handler threw (a journal or callback error): logged, never an unhandled rejection. */
  private failed(err: unknown, what: string): void {
    this.options.logger.error({ err }, `marketplace ${what} could not be handled`);
  }

  private heartbeat(paused: string | null): Extract<FromProvider, { type: 'heartbeat' }> {
    const maxInFlight = this.options.maxInFlight ?? 2;
    const { freeVramBytes, warmModels } = this.options.describe();
    return { type: 'heartbeat', load: this.inFlight / maxInFlight, inFlight: this.inFlight, freeVramBytes, warmModels, paused };
  }

  private setState(state: ClientState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state);
  }
}

function withoutVram(description: NodeDescription): Omit<HelloContent, 'resumeJobs' | 'recipient'> {
  const { freeVramBytes: _free, ...rest } = description;
  return rest;
}
