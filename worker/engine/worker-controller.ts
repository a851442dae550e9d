/**
 * The worker's control thread: validates every message from the supervisor, starts the engine on
 * `init`, probes execution providers, answers `ready`, serves calls, and ends the process on `shutdown`
 * or when the supervisor goes away. The transport and the engine are parameters (Frame's signer
 * controller pattern), so tests drive this with an EventEmitter port and an in-process engine.
 */
import {
  type FromWorker,
  type ProviderProbe,
  type RunParams,
  ToWorker,
  type WorkerConfig,
  type WorkerError,
  type WorkerInfo,
  type WorkerMethod,
  workerMethods,
} from '../../common/worker-protocol.js';
import { WorkerFailure, messageOf, workerError } from '../inference/worker-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeExecutionProviders, withCpuLast } from '../probe/probe-providers.js';
import type { EngineHostEvents } from './engine-host.js';
import type { EngineLink } from './engine-link.js';
import { clockMs } from './engine-protocol.js';
import { JobRunner } from './job-runner.js';
import type { WorkerPort } from './worker-port.js';

export type ControllerDeps = {
  port: WorkerPort;
  startEngine: (config: WorkerConfig, events: EngineHostEvents) => EngineLink;
  /** Ends the process: 'clean' exits with `code`; 'now' kills it (a thread is stuck in native code). */
  exit: (code: number, how: 'clean' | 'now') => void;
  pid?: number;
  platform?: NodeJS.Platform;
  probeTimeoutMs?: number;
};

type State = 'waiting' | 'starting' | 'ready' | 'closing';
type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const MAX_LOG = 4000;
/** WorkerInfo carries at most this many warm models (most recently used first). */
const MAX_REPORTED_WARM = 1000;

/** The worker process's control thread: one per process, bound to its port at construction. */
export class WorkerController {
  private state: State = 'waiting';
  private config: WorkerConfig | null = null;
  private engine: EngineLink | null = null;
  private runner: JobRunner | null = null;
  private probes: ProviderProbe[] = [];
  /** Calls received and not yet answered; answers after shutdown are dropped. */
  private readonly open = new Set<number>();

  constructor(private readonly deps: ControllerDeps) {
    deps.port.onMessage((message) => this.receive(message));
    deps.port.onDisconnect(() => void this.stop(0, 'the supervisor closed the channel'));
  }

  /** Handles one message from the supervisor (anything; malformed messages are logged and ignored). */
  receive(raw: unknown): void {
    const receivedAt = clockMs();
    const parsed = ToWorker.safeParse(raw);
    if (!parsed.success) {
      this.log('warn', 'ignored a malformed message from the supervisor', { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const message = parsed.data;
    if (message.type === 'init') {
      if (this.state === 'waiting') void this.start(message.config);
      else this.log('warn', 'ignored a second init');
    } else if (message.type === 'call') void this.call(message.id, message.method, message.params, receivedAt);
    else void this.stop(0, 'the supervisor asked to shut down');
  }

  private async start(config: WorkerConfig): Promise<void> {
    this.state = 'starting';
    this.config = config;
    try {
      const engine = this.deps.startEngine(config, {
        log: (level, msg, fields) => this.log(level, msg, fields),
        onCrash: (reason) => {
          this.log('error', `the engine failed: ${reason}`);
          void this.stop(1, reason);
        },
      });
      this.engine = engine;
      const timeoutMs = this.deps.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
      this.probes = await probeExecutionProviders(withCpuLast(config.executionProviders), {
        platform: this.deps.platform,
        timeoutMs,
        tryOne: (name) => engine.probe(name, timeoutMs),
      });
      const available = this.probes.filter((p) => p.available).map((p) => p.name);
      if (available.length === 0) this.log('error', 'no execution provider works, not even cpu', { probes: this.probes });
      await engine.call('useProviders', { providers: available });
      this.runner = new JobRunner(engine, config, (msg, fields) => this.log('info', msg, fields));
      if (this.state !== 'starting') return;
      this.state = 'ready';
      this.log('info', 'worker ready', { providers: available });
      this.deps.port.send({ type: 'ready', info: this.info() });
    } catch (thrown) {
      this.log('error', `the worker could not start: ${messageOf(thrown)}`);
      await this.stop(1, 'start-up failed');
    }
  }

  private async call(id: number, method: WorkerMethod, params: unknown, receivedAt: number): Promise<void> {
    if (this.state !== 'ready') {
      const why = this.state === 'closing' ? 'The worker is shutting down.' : 'The worker has not finished starting.';
      this.reply(id, { ok: false, error: workerError('worker_unavailable', why) }, true);
      return;
    }
    this.open.add(id);
    const parsed = workerMethods[method].params.safeParse(params);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
      this.reply(id, { ok: false, error: workerError('input_invalid', `Bad ${method} params: ${detail}`) });
      return;
    }
    try {
      // `info` answers synchronously, so it is answered even when a shutdown follows in the same read.
      const value = method === 'info' ? this.info() : await this.perform(method, parsed.data, receivedAt);
      this.reply(id, { ok: true, value });
    } catch (thrown) {
      const error: WorkerError = thrown instanceof WorkerFailure ? thrown.error : workerError('internal', messageOf(thrown));
      this.reply(id, { ok: false, error });
    }
  }

  private async perform(method: WorkerMethod, params: unknown, receivedAt: number): Promise<unknown> {
    const engine = this.engine!;
    switch (method) {
      case 'run':
        return this.runner!.run(params as RunParams, receivedAt);
      case 'warm': {
        const { sha256 } = params as { sha256: string };
        const loaded = await engine.call('load', { sha256 });
        this.runner!.learn(sha256, loaded.signature);
        return { loadMs: loaded.loadMs };
      }
      case 'evict':
        return engine.call('evict', { sha256: (params as { sha256: string }).sha256 });
      case 'info':
        return this.info();
    }
  }

  private info(): WorkerInfo {
    return {
      pid: this.deps.pid ?? process.pid,
      deviceId: this.config?.deviceId ?? '',
      executionProviders: this.probes,
      warmModels: (this.engine?.warmModels ?? []).slice(0, MAX_REPORTED_WARM),
      sessionBytes: this.engine?.sessionBytes ?? 0,
    };
  }

  private reply(id: number, reply: Extract<FromWorker, { type: 'reply' }>['reply'], unsolicited = false): void {
    if (!unsolicited && !this.open.delete(id)) return;
    this.deps.port.send({ type: 'reply', id, reply });
  }

  /** Ends the worker after a failure nothing can recover from (exit code 1). */
  fail(reason: string): void {
    void this.stop(1, reason);
  }

  /** Ends the worker: open calls are answered `worker_unavailable`, the engine stops, the process exits. */
  private async stop(code: number, reason: string): Promise<void> {
    if (this.state === 'closing') return;
    this.state = 'closing';
    this.log(code === 0 ? 'info' : 'error', `worker stopping: ${reason}`);
    for (const id of [...this.open]) this.reply(id, { ok: false, error: workerError('worker_unavailable', `The worker stopped before finishing this call (${reason}).`) });
    const outcome = this.engine === null ? 'closed' : await this.engine.close();
    // Replies sent just now should reach the supervisor before the process ends; never wait long.
    await Promise.race([this.deps.port.flush(), new Promise((resolve) => setTimeout(resolve, 200))]);
    this.deps.exit(code, outcome === 'closed' ? 'clean' : 'now');
  }

  private log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.deps.port.send({ type: 'log', level, msg: msg.length > MAX_LOG ? `${msg.slice(0, MAX_LOG - 1)}…` : msg, ...(fields === undefined ? {} : { fields }) });
  }
}
