/**
 * One worker process, supervised: typed calls with ids and a pending map, replies validated as unknown,
 * forwarded logs, a start-up timeout, per-call deadlines enforced by killing the worker, restarts with
 * backoff, a circuit breaker, a model quarantine, and an ordered close. The transport is a parameter
 * (a WorkerLauncher), so tests drive this class with an EventEmitter.
 */
import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import {
  FromWorker,
  type RunResult,
  type SandboxReport,
  type WorkerError,
  type WorkerInfo,
  type WorkerMethod,
  type WorkerParams,
  type WorkerReply,
  type WorkerResultOf,
  workerMethods,
} from '../../common/worker-protocol.js';
import type { Logger } from '../logger.js';
import { checkCall, modelOf, quarantineRefusal } from './call-check.js';
import { crashCode, describeExit } from './crash-cause.js';
import type { WorkerChannel, WorkerExit } from './launcher.js';
import { type PendingCall, PendingCalls, type WorkerCallResult } from './pending-calls.js';
import { Quarantine } from './quarantine.js';
import { CrashWindow, DEFAULT_BACKOFF, DEFAULT_CIRCUIT, backoffDelay } from './restart-policy.js';
import type { CallOptions, SupervisorEvents, SupervisorState, SupervisorStatus, WorkerCrash, WorkerSupervisorOptions } from './supervisor-types.js';

export type * from './supervisor-types.js';
export { isRetryable } from './supervisor-types.js';

type Running = { channel: WorkerChannel; ready: boolean; output: string[]; exited: Promise<void> };
type RetireCause = { reason: WorkerCrash['reason']; exit?: WorkerExit; timedOut?: number };

const RECENT_OUTPUT_LINES = 20;
/** How long a killed worker may take to be reaped before the next one starts anyway. */
const KILL_WAIT_MS = 2000;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Supervises one worker process for one device. */
export class WorkerSupervisor extends EventEmitter<SupervisorEvents> {
  private state: SupervisorState = 'stopped';
  private current: Running | null = null;
  private readonly pending = new PendingCalls();
  private readonly crashes: CrashWindow;
  private readonly quarantine: Quarantine;
  private readonly log: Logger;
  private attempt = 0;
  private launches = 0;
  private info: WorkerInfo | null = null;
  private sandbox: SandboxReport | null = null;
  private circuitOpenUntil: number | null = null;
  private startupTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: WorkerSupervisorOptions) {
    super();
    this.crashes = new CrashWindow(options.circuit ?? DEFAULT_CIRCUIT);
    this.quarantine = options.quarantine ?? new Quarantine();
    this.log = options.logger.child({ worker: options.spec.name });
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Starts the worker; resolves with its info once ready, or null if this first start failed (it retries). */
  start(): Promise<WorkerInfo | null> {
    if (this.state !== 'stopped') return Promise.resolve(this.info);
    const first = new Promise<WorkerInfo | null>((resolve) => {
      const onReady = (info: WorkerInfo) => done(info);
      const onCrash = () => done(null);
      const done = (value: WorkerInfo | null) => {
        this.off('ready', onReady);
        this.off('crashed', onCrash);
        resolve(value);
      };
      this.on('ready', onReady);
      this.on('crashed', onCrash);
    });
    this.launch();
    return first;
  }

  /** Runs a job; fails with `timeout` (and a restarted worker) if it is not answered by the deadline. */
  run(params: WorkerParams<'run'>, options: CallOptions): Promise<WorkerCallResult<RunResult>> {
    return this.call('run', params, options.deadlineMs);
  }

  /** Loads a model into a session so the next job skips the load. */
  warm(params: WorkerParams<'warm'>, options?: CallOptions): Promise<WorkerCallResult<WorkerResultOf<'warm'>>> {
    return this.call('warm', params, this.deadline(options));
  }

  /** Drops a model's session. */
  evict(params: WorkerParams<'evict'>, options?: CallOptions): Promise<WorkerCallResult<WorkerResultOf<'evict'>>> {
    return this.call('evict', params, this.deadline(options));
  }

  /** Asks the worker for its current info. */
  workerInfo(options?: CallOptions): Promise<WorkerCallResult<WorkerInfo>> {
    return this.call('info', {}, this.deadline(options));
  }

  /** A snapshot for the status. */
  status(): SupervisorStatus {
    const now = this.now();
    return {
      state: this.state,
      pid: this.current?.channel.pid ?? null,
      sandbox: this.sandbox,
      info: this.info,
      restarts: Math.max(0, this.launches - 1),
      recentCrashes: this.crashes.count(now),
      circuitOpenUntil: this.circuitOpenUntil,
      quarantined: this.quarantine.list(now),
      pending: this.pending.size,
    };
  }

  /** Stops taking calls, asks the worker to shut down, waits briefly, then kills it. */
  close(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    this.setState('closing');
    clearTimeout(this.restartTimer);
    clearTimeout(this.startupTimer);
    for (const call of this.pending.queued()) this.settleError(call.id, 'worker_unavailable', 'The worker is stopping; the job was not started.');
    const running = this.current;
    if (running) {
      running.channel.send({ type: 'shutdown' });
      if (!(await exitedWithin(running, this.options.closeGraceMs ?? 2000))) {
        running.channel.kill();
        await exitedWithin(running, KILL_WAIT_MS);
      }
    }
    this.current = null;
    for (const call of this.pending.all()) this.settleError(call.id, 'worker_unavailable', 'The worker was stopped before it answered.');
    this.setState('closed');
  }

  private deadline(options: CallOptions | undefined): number {
    return options?.deadlineMs ?? this.now() + (this.options.defaultCallTimeoutMs ?? 60_000);
  }

  private call<M extends WorkerMethod>(method: M, params: WorkerParams<M>, deadlineMs: number): Promise<WorkerCallResult<WorkerResultOf<M>>> {
    const checked = checkCall(method, params, {
      state: this.state,
      circuitOpenUntil: this.circuitOpenUntil,
      quarantine: this.quarantine,
      limits: this.options.config.limits,
      now: this.now(),
    });
    if (!checked.ok) return Promise.resolve(checked);
    return new Promise((resolve) => {
      const id = this.pending.id();
      const call: PendingCall = {
        id,
        method,
        params: checked.value,
        model: modelOf(method, params),
        deadlineAt: deadlineMs,
        sent: false,
        timer: undefined,
        // The value was checked against workerMethods[method].result before it is settled.
        resolve: resolve as (result: WorkerCallResult<unknown>) => void,
      };
      call.timer = setTimeout(() => this.onDeadline(id), Math.min(MAX_TIMER_MS, Math.max(0, deadlineMs - this.now())));
      this.pending.add(call);
      if (this.current?.ready) this.send(this.current, call);
    });
  }

  private launch(): void {
    this.launches += 1;
    this.setState('starting');
    let channel: WorkerChannel;
    try {
      channel = this.options.launcher.launch(this.options.spec);
    } catch (err) {
      this.log.error({ err }, 'the worker process could not be started');
      this.afterEnd(null, { reason: 'launch-failed' }, []);
      return;
    }
    let markExited: () => void = () => {};
    const running: Running = { channel, ready: false, output: [], exited: new Promise((resolve) => (markExited = resolve)) };
    this.current = running;
    this.sandbox = channel.sandbox;
    channel.on('message', (message) => this.onMessage(running, message));
    channel.on('output', (line) => this.onOutput(running, line));
    channel.on('error', (err) => this.log.warn({ err }, 'worker channel error'));
    channel.on('exit', (exit) => {
      markExited();
      this.onExit(running, exit);
    });
    const timeoutMs = this.options.startupTimeoutMs ?? 30_000;
    this.startupTimer = setTimeout(() => {
      this.log.error({ timeoutMs }, 'the worker did not report ready in time');
      this.retire(running, { reason: 'startup-timeout' });
    }, timeoutMs);
    channel.send({ type: 'init', config: this.options.config });
  }

  private onMessage(running: Running, raw: unknown): void {
    if (running !== this.current) return;
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ issue: parsed.error.issues[0]?.message }, 'ignored a malformed message from the worker');
      return;
    }
    const message = parsed.data;
    if (message.type === 'log') {
      this.log[message.level]({ workerPid: running.channel.pid, fields: message.fields }, message.msg);
    } else if (message.type === 'ready') {
      this.onReady(running, message.info);
    } else {
      this.onReply(message.id, message.reply);
    }
  }

  private onReady(running: Running, info: WorkerInfo): void {
    if (running.ready) {
      this.log.warn('ignored a second ready from the worker');
      return;
    }
    clearTimeout(this.startupTimer);
    running.ready = true;
    this.info = info;
    this.setState('ready');
    this.log.info({ workerPid: running.channel.pid, sandbox: running.channel.sandbox, providers: info.executionProviders }, 'worker ready');
    this.emit('ready', info);
    for (const call of this.pending.queued()) {
      // A model may have been quarantined while its job waited for this worker.
      const refused = quarantineRefusal(call.method, call.model, this.quarantine, this.now());
      if (refused) this.pending.settle(call.id, { ok: false, error: refused });
      else this.send(running, call);
    }
  }

  private onReply(id: number, reply: z.infer<typeof WorkerReply>): void {
    const call = this.pending.get(id);
    if (!call || !call.sent) {
      this.log.warn({ id }, 'ignored a reply for an unknown call id');
      return;
    }
    if (!reply.ok) {
      this.pending.settle(id, { ok: false, error: reply.error });
      return;
    }
    const schema: z.ZodType = workerMethods[call.method].result;
    const result = schema.safeParse(reply.value);
    if (!result.success) {
      this.log.warn({ id, method: call.method, issue: result.error.issues[0]?.message }, 'the worker sent an invalid result');
      this.settleError(id, 'internal', `The worker sent an invalid ${call.method} result.`);
      return;
    }
    this.attempt = 0;
    if (call.method === 'info') this.info = result.data as WorkerInfo;
    this.pending.settle(id, { ok: true, value: result.data });
  }

  private onOutput(running: Running, line: string): void {
    running.output.push(line);
    if (running.output.length > RECENT_OUTPUT_LINES) running.output.shift();
    this.log.warn({ workerPid: running.channel.pid, line }, 'worker output');
  }

  private onExit(running: Running, exit: WorkerExit): void {
    if (running !== this.current || this.state === 'closing') return;
    this.retire(running, { reason: 'crash', exit });
  }

  private onDeadline(id: number): void {
    const call = this.pending.get(id);
    if (!call) return;
    if (!call.sent || !this.current) {
      this.settleError(id, 'timeout', 'The job waited for the worker past its deadline and was not started.');
      return;
    }
    this.log.warn({ id, method: call.method, model: call.model }, 'deadline passed: killing the worker');
    this.retire(this.current, { reason: 'timeout', timedOut: id });
  }

  private send(running: Running, call: PendingCall): void {
    // Marked first: a transport may deliver the reply before send() returns.
    call.sent = true;
    if (!running.channel.send({ type: 'call', id: call.id, method: call.method, params: call.params })) call.sent = false;
  }

  /** Ends a worker: kills it, fails its in-flight calls once each, and schedules what comes next. */
  private retire(running: Running, cause: RetireCause): void {
    if (running !== this.current) return;
    this.current = null;
    clearTimeout(this.startupTimer);
    running.channel.kill();
    const now = this.now();
    const code = cause.reason === 'crash' ? crashCode(running.output) : 'worker_crashed';
    const what = cause.reason === 'crash' ? `The worker process ended (${describeExit(cause.exit ?? null)})` : 'The worker process was stopped because another job ran past its deadline';
    const models = new Set<string>();
    for (const call of this.pending.inFlight()) {
      const timedOut = call.id === cause.timedOut || now >= call.deadlineAt;
      if (call.model !== null && call.method !== 'evict' && (cause.reason !== 'timeout' || timedOut)) models.add(call.model);
      if (timedOut) this.settleError(call.id, 'timeout', `The job ran past its deadline; the worker was stopped and restarted.`);
      else this.settleError(call.id, code, `${what} before the job finished; it can be retried.`);
    }
    if (this.state === 'closing') return;
    this.afterEnd(running, cause, [...models], code);
  }

  private afterEnd(running: Running | null, cause: RetireCause, models: string[], code: WorkerError['code'] = 'worker_crashed'): void {
    const now = this.now();
    const crash: WorkerCrash = { reason: cause.reason, exit: cause.exit ?? null, code, models };
    this.log.warn({ ...crash, exit: describeExit(crash.exit), output: running?.output }, 'worker ended');
    for (const sha256 of models) {
      if (this.quarantine.strike(sha256, now)) {
        this.log.warn({ sha256 }, 'model quarantined after repeated crashes or timeouts');
        this.emit('quarantined', { sha256 });
      }
    }
    // A job that overran its own deadline says nothing about the worker's health.
    const opens = cause.reason !== 'timeout' && this.crashes.record(now);
    this.setState(opens ? 'circuit-open' : 'restarting');
    if (opens) this.circuitOpenUntil = now + (this.options.circuit ?? DEFAULT_CIRCUIT).coolDownMs;
    this.emit('crashed', crash);
    const next = () => (opens ? this.openCircuit() : this.scheduleRestart(cause));
    if (running) void exitedWithin(running, KILL_WAIT_MS).then(next);
    else next();
  }

  private scheduleRestart(cause: RetireCause): void {
    if (this.state !== 'restarting') return;
    const delayMs = cause.reason === 'timeout' ? 0 : backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.random());
    this.emit('restarting', { attempt: this.attempt, delayMs });
    this.restartTimer = setTimeout(() => this.launch(), delayMs);
  }

  private openCircuit(): void {
    if (this.state !== 'circuit-open') return;
    const untilMs = this.circuitOpenUntil ?? this.now();
    this.log.error({ untilMs }, 'the worker keeps crashing: not restarting it until the cool-down ends');
    for (const call of this.pending.queued()) this.settleError(call.id, 'worker_unavailable', 'The worker crashed repeatedly and is paused; the job was not started.');
    this.emit('circuit-open', { untilMs });
    this.restartTimer = setTimeout(() => {
      this.circuitOpenUntil = null;
      this.crashes.reset();
      this.attempt = 0;
      this.launch();
    }, Math.max(0, untilMs - this.now()));
  }

  private settleError(id: number, code: WorkerError['code'], message: string): void {
    this.pending.settle(id, { ok: false, error: { code, message } });
  }

  private setState(state: SupervisorState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', this.status());
  }
}

/** Resolves true once the worker has exited, or false after `ms`. */
function exitedWithin(running: Running, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void running.exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
