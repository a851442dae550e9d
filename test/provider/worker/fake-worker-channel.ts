/**
 * A fake worker process for the supervisor's unit tests, named as such: an EventEmitter standing in for
 * the IPC channel, driven by the test (ready, reply, crash). A real process test proves the wiring.
 */
import { EventEmitter } from 'node:events';
import type { SandboxReport, ToWorker, WorkerError, WorkerInfo } from '../../../common/worker-protocol.js';
import type { LaunchSpec, WorkerChannel, WorkerChannelEvents, WorkerExit, WorkerLauncher } from '../../../provider/worker/launcher.js';

const FAKE_SANDBOX: SandboxReport = { envAllowlist: true, privateWorkDir: true, nodePermissions: true, bubblewrap: true, addressSpaceLimitBytes: 1024 };

let nextPid = 40_000;

/** The info a fake worker reports. */
export function fakeInfo(pid: number): WorkerInfo {
  return { pid, deviceId: 'cpu', executionProviders: [{ name: 'cpu', available: true, reason: null }], warmModels: [], sessionBytes: 0 };
}

/** A fake worker channel: records what the supervisor sends and lets the test answer. */
export class FakeWorkerChannel extends EventEmitter<WorkerChannelEvents> implements WorkerChannel {
  readonly pid = nextPid++;
  readonly sandbox = FAKE_SANDBOX;
  readonly sent: ToWorker[] = [];
  killed = false;
  exited = false;
  private readonly notify = new EventEmitter();

  send(message: ToWorker): boolean {
    if (this.exited) return false;
    this.sent.push(message);
    this.notify.emit('sent');
    return true;
  }

  kill(): void {
    if (this.exited) return;
    this.killed = true;
    setImmediate(() => this.exit({ code: null, signal: 'SIGKILL' }));
  }

  /** The worker reports ready. */
  ready(): void {
    this.emit('message', { type: 'ready', info: fakeInfo(this.pid) });
  }

  /** The worker answers call `id` with a value. */
  reply(id: number, value: unknown): void {
    this.emit('message', { type: 'reply', id, reply: { ok: true, value } });
  }

  /** The worker answers call `id` with an error. */
  fail(id: number, error: WorkerError): void {
    this.emit('message', { type: 'reply', id, reply: { ok: false, error } });
  }

  /** The process ends (a crash, unless the supervisor killed it). */
  exit(exit: WorkerExit = { code: 1, signal: null }): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', exit);
  }

  /** The calls sent so far. */
  calls(): Extract<ToWorker, { type: 'call' }>[] {
    return this.sent.filter((m): m is Extract<ToWorker, { type: 'call' }> => m.type === 'call');
  }

  /** Resolves with the next call sent (or one already sent and not yet taken). */
  async nextCall(taken = 0): Promise<Extract<ToWorker, { type: 'call' }>> {
    for (;;) {
      const calls = this.calls();
      if (calls.length > taken) return calls[taken]!;
      await new Promise((resolve) => this.notify.once('sent', resolve));
    }
  }
}

/** A launcher of fake workers; each launch's channel is kept, and `onLaunch` may script it. */
export function fakeWorkerChannel(onLaunch: (channel: FakeWorkerChannel, index: number) => void = (c) => queueMicrotask(() => c.ready())): {
  launcher: WorkerLauncher;
  channels: FakeWorkerChannel[];
  specs: LaunchSpec[];
} {
  const channels: FakeWorkerChannel[] = [];
  const specs: LaunchSpec[] = [];
  const launcher: WorkerLauncher = {
    launch(spec) {
      const channel = new FakeWorkerChannel();
      channels.push(channel);
      specs.push(spec);
      onLaunch(channel, channels.length - 1);
      return channel;
    },
  };
  return { launcher, channels, specs };
}
