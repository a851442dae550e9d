/**
 * The engine thread seen from the control thread (an EngineLink over a worker_thread). The thread is
 * this process's only onnxruntime user; if it dies, every pending call fails and `onCrash` is told.
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { ExecutionProviderName, ProviderProbe, WorkerConfig } from '../../common/worker-protocol.js';
import { WorkerFailure, messageOf } from '../inference/worker-error.js';
import type { EngineLink } from './engine-link.js';
import { type StartedEngineThread, startEngineThread } from './engine-prestart.js';
import type { EngineCallKind, EngineCalls, EngineConfigure, EngineLogLevel, EngineMessage } from './engine-protocol.js';

export type EngineHostEvents = {
  log: (level: EngineLogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** The engine thread died on its own; the worker cannot go on without it. */
  onCrash: (reason: string) => void;
};

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** How long an idle engine thread gets to stop before the process gives up on it. */
const TERMINATE_GRACE_MS = 1000;

/** The engine thread, driven from the control thread. */
export class EngineHost implements EngineLink {
  private thread: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  /** Threads given up on while inside native code (a probe that hung); they cannot be stopped. */
  private abandoned = 0;
  warmModels: string[] = [];
  sessionBytes = 0;

  /** `prestarted`: a thread started at boot from the same entry (engine-prestart.ts), adopted instead of a new one. */
  constructor(
    private readonly entry: string,
    private readonly config: WorkerConfig,
    private readonly events: EngineHostEvents,
    prestarted?: StartedEngineThread,
  ) {
    this.thread = this.start(prestarted);
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  call<K extends EngineCallKind>(kind: K, params: EngineCalls[K]['params'], transfer: TransferListItem[] = []): Promise<EngineCalls[K]['value']> {
    if (this.closing) return Promise.reject(new WorkerFailure('worker_unavailable', 'The worker is shutting down.'));
    const id = this.nextId++;
    return new Promise<EngineCalls[K]['value']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.thread.postMessage({ id, kind, params }, transfer);
    });
  }

  async probe(provider: ExecutionProviderName, timeoutMs: number): Promise<ProviderProbe> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const attempt = this.call('probe', { provider });
    const outcome = await Promise.race([attempt, timedOut]).finally(() => clearTimeout(timer));
    if (outcome !== 'timeout') return outcome;
    // The thread is inside onnxruntime's native session creation and cannot be interrupted; give up on
    // it (terminating it would abort the process when the native call returns) and start a fresh one.
    attempt.catch(() => {});
    this.replaceThread(`probing ${provider} did not finish within ${timeoutMs} ms`);
    return { name: provider, available: false, reason: `did not create and run a session within ${timeoutMs} ms` };
  }

  async close(): Promise<'closed' | 'stuck'> {
    this.closing = true;
    if (this.busy || this.abandoned > 0) return 'stuck';
    const thread = this.thread;
    thread.removeAllListeners('exit');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), TERMINATE_GRACE_MS)));
    const stopped = thread.terminate().then(() => 'closed' as const, () => 'stuck' as const);
    return Promise.race([stopped, late]).finally(() => clearTimeout(timer));
  }

  private start(prestarted = startEngineThread(this.entry)): Worker {
    const thread = prestarted.thread;
    prestarted.adopt();
    thread.on('message', (message: EngineMessage) => this.onMessage(message));
    thread.on('error', (error) => this.events.log('error', 'the engine thread threw', { error: messageOf(error) }));
    thread.on('exit', (code) => this.onExit(code));
    const configure: EngineConfigure = { kind: 'configure', config: this.config };
    thread.postMessage(configure);
    // What happened before this host listened (the thread may have failed to load onnxruntime).
    const early = prestarted.firstError();
    if (early !== null) this.events.log('error', 'the engine thread threw', { error: messageOf(early) });
    const exited = prestarted.exitCode();
    if (exited !== null) queueMicrotask(() => this.onExit(exited));
    return thread;
  }

  private onMessage(message: EngineMessage): void {
    if (message.type === 'log') this.events.log(message.level, message.msg, message.fields);
    else if (message.type === 'cache') {
      this.warmModels = message.warmModels;
      this.sessionBytes = message.sessionBytes;
    } else {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new WorkerFailure(message.error.code, message.error.message));
    }
  }

  private onExit(code: number): void {
    if (this.closing) return;
    const reason = `the engine thread exited with code ${code}`;
    this.failPending('worker_crashed', reason);
    this.events.onCrash(reason);
  }

  private replaceThread(reason: string): void {
    const old = this.thread;
    old.removeAllListeners();
    old.on('error', () => {});
    old.unref();
    this.abandoned++;
    this.failPending('internal', reason);
    this.warmModels = [];
    this.sessionBytes = 0;
    this.thread = this.start();
  }

  private failPending(code: 'worker_crashed' | 'internal', reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new WorkerFailure(code, reason));
    this.pending.clear();
  }
}
