import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { ForkOptions, UtilityProcess } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToWorker } from '../../common/worker-protocol.js';
import { type UtilityProcessModule, createUtilityProcessLauncher } from '../../electron/worker-launcher.js';
import { workerTmpRoot } from '../../provider/worker/private-dir.js';
import { WorkerSupervisor } from '../../provider/worker/supervisor.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { fakeInfo } from '../provider/worker/fake-worker-channel.js';
import { captureLogger, testConfig } from '../provider/worker/supervisor-fixtures.js';

/** A fake Electron UtilityProcess (the Electron binary cannot run here): messages, stdio, exit. */
class FakeUtilityProcess extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  terminated = false;
  constructor(readonly pid: number | undefined) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
    this.emit('posted', message);
  }
  kill(): boolean {
    this.terminated = true;
    return true;
  }
}

/** A fake of Electron's `utilityProcess` module that records each fork. */
function fakeUtilityProcess(pid?: number) {
  const forks: { modulePath: string; args: string[] | undefined; options: ForkOptions | undefined; child: FakeUtilityProcess }[] = [];
  const utility: UtilityProcessModule = {
    fork(modulePath, args, options) {
      const child = new FakeUtilityProcess(pid);
      forks.push({ modulePath, args, options, child });
      return child as unknown as UtilityProcess;
    },
  };
  return { utility, forks };
}

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

const SPEC = { entry: '/app/out/main/worker.js', name: 'gpu0', readPaths: ['/app/out'], modelCacheDir: '/models', addressSpaceLimitBytes: 1024 };

describe('the utilityProcess worker launcher', () => {
  it('forks the worker with the allowlisted environment in a fresh private folder, and reports its layers', () => {
    process.env.HEARTH_LAUNCHER_SECRET = 'provider only';
    try {
      const { utility, forks } = fakeUtilityProcess(1234);
      const channel = createUtilityProcessLauncher(utility, { dataDir: temp.dir, logger: captureLogger().logger }).launch(SPEC);
      const [fork] = forks;
      expect(fork!.modulePath).toBe(SPEC.entry);
      expect(fork!.options).toMatchObject({ serviceName: 'Hearth worker gpu0', stdio: ['ignore', 'pipe', 'pipe'], cwd: channel.privateDir });
      expect(Object.keys(fork!.options!.env!).sort()).toEqual(['HOME', 'LANG', 'ORT_DISABLE_TELEMETRY', 'PATH', 'TMPDIR']);
      expect(fork!.options!.env).toMatchObject({ ORT_DISABLE_TELEMETRY: '1', HOME: channel.privateDir });
      expect(channel.privateDir.startsWith(workerTmpRoot(temp.dir))).toBe(true);
      expect(statSync(channel.privateDir).mode & 0o777).toBe(0o700);
      expect(channel.pid).toBe(1234);
      // Electron cannot wrap a utility process in bubblewrap or prlimit; the status must not claim it.
      expect(channel.sandbox).toEqual({ envAllowlist: true, privateWorkDir: true, nodePermissions: false, bubblewrap: false, addressSpaceLimitBytes: null });
    } finally {
      delete process.env.HEARTH_LAUNCHER_SECRET;
    }
  });

  it('carries messages both ways, passes output lines on, and reports the exit once, removing the private folder', async () => {
    const { utility, forks } = fakeUtilityProcess(1234);
    const channel = createUtilityProcessLauncher(utility, { dataDir: temp.dir, logger: captureLogger().logger }).launch(SPEC);
    const child = forks[0]!.child;
    const shutdown: ToWorker = { type: 'shutdown' };
    expect(channel.send(shutdown)).toBe(true);
    expect(child.posted).toEqual([shutdown]);
    const message = new Promise((resolve) => channel.once('message', resolve));
    child.emit('message', { type: 'log', level: 'info', msg: 'hi' });
    expect(await message).toEqual({ type: 'log', level: 'info', msg: 'hi' });
    const line = new Promise((resolve) => channel.once('output', resolve));
    child.stderr.write('onnxruntime warning\n');
    expect(await line).toBe('onnxruntime warning');
    const exits: unknown[] = [];
    channel.on('exit', (exit) => exits.push(exit));
    child.emit('exit', 9);
    expect(exits).toEqual([{ code: 9, signal: null }]);
    expect(existsSync(channel.privateDir)).toBe(false);
    expect(channel.send(shutdown)).toBe(false);
  });

  it('kills with SIGKILL, which a worker stuck in native code cannot ignore', async () => {
    const sleeper = spawn('sleep', ['30']);
    const ended = once(sleeper, 'exit');
    const { utility, forks } = fakeUtilityProcess(sleeper.pid);
    const channel = createUtilityProcessLauncher(utility, { dataDir: temp.dir, logger: captureLogger().logger }).launch(SPEC);
    channel.kill();
    expect(await ended).toEqual([null, 'SIGKILL']);
    expect(forks[0]!.child.terminated).toBe(false);
  });

  it('serves the supervisor: init, ready, and a call answered over postMessage', async () => {
    const { utility, forks } = fakeUtilityProcess(4321);
    const launcher = createUtilityProcessLauncher(utility, { dataDir: temp.dir, logger: captureLogger().logger });
    const supervisor = new WorkerSupervisor({ launcher, spec: SPEC, config: testConfig(), logger: captureLogger().logger, closeGraceMs: 10 });
    const started = supervisor.start();
    const child = forks[0]!.child;
    expect(child.posted[0]).toMatchObject({ type: 'init', config: { deviceId: 'cpu' } });
    child.emit('message', { type: 'ready', info: fakeInfo(4321) });
    expect(await started).toMatchObject({ pid: 4321 });
    child.on('posted', (message: ToWorker) => {
      if (message.type === 'call') child.emit('message', { type: 'reply', id: message.id, reply: { ok: true, value: { evicted: false } } });
      if (message.type === 'shutdown') child.emit('exit', 0);
    });
    expect(await supervisor.evict({ sha256: 'c'.repeat(64) })).toEqual({ ok: true, value: { evicted: false } });
    expect(supervisor.status().sandbox).toMatchObject({ bubblewrap: false });
    await supervisor.close();
    expect(supervisor.status().state).toBe('closed');
  });
});
