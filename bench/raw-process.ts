/** The bench's handle on its raw child: start it, ask it for figures, end it. */
import { type ChildProcess, fork } from 'node:child_process';
import type { RawLatency, RawLoaded, RawReply, RawRequest, RawRss, RawThroughput } from './raw-protocol.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Omitted<T> = T extends unknown ? Omit<T, 'id'> : never;
type Params<K extends RawRequest['type']> = Omit<Extract<RawRequest, { type: K }>, 'id' | 'type'>;

/** One raw onnxruntime process (the bench's own entry started with `--raw-child`). */
export class RawProcess {
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: RawReply) => {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) call?.resolve(message.value);
      else call?.reject(new Error(`raw child: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const call of this.pending.values()) call.reject(new Error(`the raw child ended (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** Starts `entry --raw-child` with onnxruntime's telemetry off. */
  static start(entry: string): RawProcess {
    const child = fork(entry, ['--raw-child'], {
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
      execArgv: [],
      // As the supervisor's channel to a worker, so `echo` times the same serialization.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new RawProcess(child);
  }

  /** Creates the model's session (timed) and keeps it for the runs that follow. */
  load(request: Params<'load'>): Promise<RawLoaded> {
    return this.request({ ...request, type: 'load' }) as Promise<RawLoaded>;
  }

  /** Single-row runs one after another. */
  latency(request: Params<'latency'>): Promise<RawLatency> {
    return this.request({ ...request, type: 'latency' }) as Promise<RawLatency>;
  }

  /** Runs of `rows` stacked rows one after another. */
  throughput(request: Params<'throughput'>): Promise<RawThroughput> {
    return this.request({ ...request, type: 'throughput' }) as Promise<RawThroughput>;
  }

  /** The child's peak RSS so far. */
  rss(): Promise<RawRss> {
    return this.request({ type: 'rss' }) as Promise<RawRss>;
  }

  /** Makes every later `echo` answer with `payload`. */
  async setEcho(payload: unknown): Promise<void> {
    await this.request({ type: 'echo-set', payload });
  }

  /** One round trip: `payload` there, the stored echo back. */
  async echo(payload: unknown): Promise<void> {
    await this.request({ type: 'echo', payload });
  }

  /** Ends the child (it exits when its channel closes). */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private request(request: Omitted<RawRequest>): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error('the raw child has ended'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id });
    });
  }
}
