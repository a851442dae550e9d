import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchSpec } from '../../../provider/worker/launcher.js';
import { Quarantine } from '../../../provider/worker/quarantine.js';
import { type WorkerSupervisorOptions, WorkerSupervisor, isRetryable } from '../../../provider/worker/supervisor.js';
import { type FakeWorkerChannel, fakeWorkerChannel } from './fake-worker-channel.js';
import { captureLogger, runParams, runResult, sha, testConfig } from './supervisor-fixtures.js';

const SPEC: LaunchSpec = { entry: '/app/out/main/worker.js', name: 'cpu', readPaths: ['/app/out'], modelCacheDir: '/models', addressSpaceLimitBytes: null };
const FAR = () => Date.now() + 60_000;
const supervisors: WorkerSupervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close()));
});

function supervise(overrides: Partial<WorkerSupervisorOptions> = {}, onLaunch?: (channel: FakeWorkerChannel, index: number) => void) {
  const fake = fakeWorkerChannel(onLaunch);
  const { logger, lines } = captureLogger();
  const supervisor = new WorkerSupervisor({
    launcher: fake.launcher,
    spec: SPEC,
    config: testConfig(),
    logger,
    startupTimeoutMs: 300,
    closeGraceMs: 50,
    backoff: { baseMs: 5, factor: 2, maxMs: 40, jitter: 0 },
    circuit: { maxCrashes: 100, windowMs: 60_000, coolDownMs: 100 },
    ...overrides,
  });
  supervisors.push(supervisor);
  return { supervisor, ...fake, lines };
}

/** The latest channel once the supervisor has launched `count` of them and the last one is ready. */
async function readyChannel(s: WorkerSupervisor, channels: FakeWorkerChannel[], count: number): Promise<FakeWorkerChannel> {
  while (channels.length < count || s.status().state !== 'ready') await once(s, 'state');
  return channels[count - 1]!;
}

describe('WorkerSupervisor with a fake worker channel', () => {
  it('sends init with the config, and reports ready with the worker info and sandbox', async () => {
    const { supervisor, channels, specs } = supervise();
    const info = await supervisor.start();
    expect(info?.pid).toBe(channels[0]!.pid);
    expect(channels[0]!.sent[0]).toEqual({ type: 'init', config: testConfig() });
    expect(specs[0]).toEqual(SPEC);
    expect(supervisor.status()).toMatchObject({ state: 'ready', pid: channels[0]!.pid, restarts: 0, sandbox: { bubblewrap: true } });
  });

  it('refuses calls before start and after close with worker_unavailable', async () => {
    const { supervisor } = supervise();
    expect(await supervisor.run(runParams(sha('a')), { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
    await supervisor.start();
    await supervisor.close();
    expect(await supervisor.run(runParams(sha('a')), { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
  });

  it('gives each call its own id and matches replies that arrive out of order', async () => {
    const { supervisor, channels } = supervise();
    await supervisor.start();
    const worker = channels[0]!;
    const first = supervisor.run(runParams(sha('a'), 4, 'first'), { deadlineMs: FAR() });
    const second = supervisor.evict({ sha256: sha('b') });
    const [callA, callB] = [await worker.nextCall(0), await worker.nextCall(1)];
    expect(callA.id).not.toBe(callB.id);
    expect(callA).toMatchObject({ method: 'run', params: { jobId: 'first' } });
    worker.reply(callB.id, { evicted: true });
    worker.reply(callA.id, runResult());
    expect(await second).toEqual({ ok: true, value: { evicted: true } });
    expect(await first).toMatchObject({ ok: true, value: { batchSize: 1, deviceId: 'cpu' } });
  });

  it('validates results: an invalid one fails with internal, an unknown id is ignored and logged', async () => {
    const { supervisor, channels, lines } = supervise();
    await supervisor.start();
    const worker = channels[0]!;
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    const call = await worker.nextCall();
    worker.reply(call.id + 1000, runResult());
    worker.emit('message', { type: 'reply', id: 'nope' });
    worker.reply(call.id, { outputs: 'not tensors' });
    expect(await job).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(lines.some((l) => l.msg === 'ignored a reply for an unknown call id' && l.id === call.id + 1000)).toBe(true);
    expect(lines.some((l) => l.msg === 'ignored a malformed message from the worker')).toBe(true);
    // A second answer for the settled call changes nothing.
    worker.reply(call.id, runResult());
    expect(supervisor.status().state).toBe('ready');
  });

  it("passes the worker's own errors through, and forwards its logs under the worker's name", async () => {
    const { supervisor, channels, lines } = supervise();
    await supervisor.start();
    const worker = channels[0]!;
    worker.emit('message', { type: 'log', level: 'warn', msg: 'session cache full', fields: { bytes: 12 } });
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    worker.fail((await worker.nextCall()).id, { code: 'out_of_memory', message: 'Failed to allocate memory' });
    expect(await job).toEqual({ ok: false, error: { code: 'out_of_memory', message: 'Failed to allocate memory' } });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'session cache full', worker: 'cpu', fields: { bytes: 12 } }));
  });

  it('checks the input caps before sending: too many elements or bytes, or data that does not match the shape', async () => {
    const { supervisor, channels } = supervise();
    await supervisor.start();
    expect(await supervisor.run(runParams(sha('a'), 200_000), { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'input_too_large' } });
    const huge = runParams(sha('a'));
    huge.inputs[0]!.shape = [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1];
    expect(await supervisor.run(huge, { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'input_too_large' } });
    const bytes = runParams(sha('a'));
    bytes.inputs[0] = { name: 'x', datatype: 'UINT8', shape: [1], data: new Uint8Array(2 * 1024 * 1024) };
    expect(await supervisor.run(bytes, { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'input_too_large' } });
    const mismatched = runParams(sha('a'));
    mismatched.inputs[0]!.data = new Uint8Array(3);
    expect(await supervisor.run(mismatched, { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'input_invalid' } });
    expect(await supervisor.run({ jobId: '', model: { sha256: 'x' }, inputs: [] }, { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'input_invalid' } });
    expect(channels[0]!.calls()).toHaveLength(0);
  });

  it('on a deadline kills the worker, fails that job once with timeout and the others with worker_crashed, and restarts', async () => {
    const { supervisor, channels } = supervise();
    await supervisor.start();
    const worker = channels[0]!;
    const slow = supervisor.run(runParams(sha('a'), 4, 'slow'), { deadlineMs: Date.now() + 50 });
    const other = supervisor.run(runParams(sha('b'), 4, 'other'), { deadlineMs: FAR() });
    const [slowCall] = [await worker.nextCall(0), await worker.nextCall(1)];
    expect(await slow).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(await other).toMatchObject({ ok: false, error: { code: 'worker_crashed' } });
    expect(worker.killed).toBe(true);
    const next = await readyChannel(supervisor, channels, 2);
    // The old worker's late answer reaches nobody; the new worker never sees the timed-out job.
    worker.reply(slowCall!.id, runResult());
    const after = supervisor.run(runParams(sha('b'), 4, 'after'), { deadlineMs: FAR() });
    const call = await next.nextCall();
    expect(call.params).toMatchObject({ jobId: 'after' });
    next.reply(call.id, runResult());
    expect(await after).toMatchObject({ ok: true });
    expect(next.calls()).toHaveLength(1);
    expect(supervisor.status().restarts).toBe(1);
  });

  it('fails a job queued during a restart with timeout when its deadline passes before any worker is ready', async () => {
    const { supervisor, channels } = supervise({}, (channel, index) => {
      if (index === 0) queueMicrotask(() => channel.ready());
    });
    await supervisor.start();
    channels[0]!.exit();
    await once(supervisor, 'restarting');
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: Date.now() + 30 });
    expect(await job).toMatchObject({ ok: false, error: { code: 'timeout' } });
  });

  it('on a crash fails every in-flight job exactly once, sends queued jobs to the next worker', async () => {
    const { supervisor, channels } = supervise({}, (channel, index) => {
      if (index === 0) queueMicrotask(() => channel.ready());
    });
    await supervisor.start();
    const worker = channels[0]!;
    const settled: string[] = [];
    const jobs = ['a', 'b', 'c'].map((letter) =>
      supervisor.run(runParams(sha(letter), 4, letter), { deadlineMs: FAR() }).then((r) => {
        settled.push(letter);
        return r;
      }),
    );
    await worker.nextCall(2);
    worker.exit({ code: null, signal: 'SIGSEGV' });
    const results = await Promise.all(jobs);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['worker_crashed', 'worker_crashed', 'worker_crashed']);
    expect(results[0]).toMatchObject({ error: { message: expect.stringContaining('signal SIGSEGV') } });
    // A job made while the worker restarts waits for it.
    const queued = supervisor.run(runParams(sha('d'), 4, 'd'), { deadlineMs: FAR() });
    while (channels.length < 2) await once(supervisor, 'state');
    expect(channels[1]!.calls()).toHaveLength(0);
    channels[1]!.ready();
    const call = await channels[1]!.nextCall();
    expect(call.params).toMatchObject({ jobId: 'd' });
    channels[1]!.reply(call.id, runResult());
    expect(await queued).toMatchObject({ ok: true });
    expect(settled.sort()).toEqual(['a', 'b', 'c']);
  });

  it('marks only failures that say nothing about the job as retryable', () => {
    expect(['worker_crashed', 'worker_unavailable'].every((code) => isRetryable(code as 'worker_crashed'))).toBe(true);
    expect(['timeout', 'out_of_memory', 'model_quarantined', 'input_too_large', 'internal'].some((code) => isRetryable(code as 'timeout'))).toBe(false);
  });

  it('says out_of_memory when the worker reported a failed allocation before it died', async () => {
    const { supervisor, channels } = supervise();
    await supervisor.start();
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    await channels[0]!.nextCall();
    channels[0]!.emit('output', "terminate called after throwing an instance of 'std::bad_alloc'");
    channels[0]!.exit({ code: 134, signal: null });
    expect(await job).toMatchObject({ ok: false, error: { code: 'out_of_memory' } });
  });

  it('restarts after crashes with exponential backoff, and resets it after a good answer', async () => {
    const delays: number[] = [];
    const { supervisor, channels } = supervise({}, (channel, index) => {
      // Workers 0-3 die at start; worker 4 stays up.
      queueMicrotask(() => (index < 4 ? channel.exit() : channel.ready()));
    });
    supervisor.on('restarting', ({ delayMs }) => delays.push(delayMs));
    await supervisor.start();
    const worker = await readyChannel(supervisor, channels, 5);
    expect(delays).toEqual([5, 10, 20, 40]);
    const job = supervisor.workerInfo();
    worker.reply((await worker.nextCall()).id, { pid: 1, deviceId: 'cpu', executionProviders: [], warmModels: [], sessionBytes: 0 });
    expect(await job).toMatchObject({ ok: true });
    worker.exit();
    await once(supervisor, 'restarting');
    expect(delays.at(-1)).toBe(5);
  });

  it('counts a worker that never reports ready as a crash and starts another', async () => {
    const { supervisor, channels, lines } = supervise({ startupTimeoutMs: 40 }, (channel, index) => {
      if (index > 0) queueMicrotask(() => channel.ready());
    });
    expect(await supervisor.start()).toBeNull();
    expect(channels[0]!.killed).toBe(true);
    await readyChannel(supervisor, channels, 2);
    expect(lines.some((l) => l.msg === 'the worker did not report ready in time')).toBe(true);
  });

  it('opens the circuit after repeated crashes: worker_unavailable at once, then one more try after the cool-down', async () => {
    const opened: number[] = [];
    const { supervisor, channels } = supervise({ circuit: { maxCrashes: 3, windowMs: 10_000, coolDownMs: 150 } }, (channel, index) => {
      queueMicrotask(() => (index < 3 ? channel.exit() : channel.ready()));
    });
    supervisor.on('circuit-open', ({ untilMs }) => opened.push(untilMs));
    await supervisor.start();
    while (supervisor.status().state !== 'circuit-open') await once(supervisor, 'state');
    expect(channels).toHaveLength(3);
    expect(await supervisor.run(runParams(sha('a')), { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
    await once(supervisor, 'circuit-open');
    expect(opened).toHaveLength(1);
    const worker = await readyChannel(supervisor, channels, 4);
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    worker.reply((await worker.nextCall()).id, runResult());
    expect(await job).toMatchObject({ ok: true });
    expect(supervisor.status().recentCrashes).toBe(0);
  });

  it('quarantines a model whose jobs crashed the worker twice; other models still run', async () => {
    const quarantined: string[] = [];
    const { supervisor, channels } = supervise();
    supervisor.on('quarantined', ({ sha256 }) => quarantined.push(sha256));
    await supervisor.start();
    for (let round = 1; round <= 2; round++) {
      const worker = await readyChannel(supervisor, channels, round);
      const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
      await worker.nextCall();
      worker.exit({ code: null, signal: 'SIGSEGV' });
      expect(await job).toMatchObject({ ok: false, error: { code: 'worker_crashed' } });
    }
    expect(quarantined).toEqual([sha('a')]);
    const worker = await readyChannel(supervisor, channels, 3);
    expect(await supervisor.run(runParams(sha('a')), { deadlineMs: FAR() })).toMatchObject({ ok: false, error: { code: 'model_quarantined' } });
    expect(await supervisor.warm({ sha256: sha('a') })).toMatchObject({ ok: false, error: { code: 'model_quarantined' } });
    expect(worker.calls()).toHaveLength(0);
    const other = supervisor.run(runParams(sha('b')), { deadlineMs: FAR() });
    worker.reply((await worker.nextCall()).id, runResult());
    expect(await other).toMatchObject({ ok: true });
    expect(supervisor.status().quarantined).toEqual([sha('a')]);
  });

  it('quarantines a model that timed out twice, but not the innocent job that was in flight beside it', async () => {
    const quarantine = new Quarantine({ strikes: 2, durationMs: 60_000 });
    const { supervisor, channels } = supervise({ quarantine });
    await supervisor.start();
    for (let round = 1; round <= 2; round++) {
      const worker = await readyChannel(supervisor, channels, round);
      const slow = supervisor.run(runParams(sha('e')), { deadlineMs: Date.now() + 30 });
      const bystander = supervisor.run(runParams(sha('b')), { deadlineMs: FAR() });
      await worker.nextCall(1);
      expect(await slow).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect(await bystander).toMatchObject({ ok: false, error: { code: 'worker_crashed' } });
    }
    const now = Date.now();
    expect(quarantine.isQuarantined(sha('e'), now)).toBe(true);
    expect(quarantine.isQuarantined(sha('b'), now)).toBe(false);
  });

  it('closes in order: queued jobs fail, shutdown is sent, a worker that ignores it is killed', async () => {
    const { supervisor, channels } = supervise({}, (channel, index) => {
      if (index === 0) queueMicrotask(() => channel.ready());
    });
    await supervisor.start();
    const worker = channels[0]!;
    const inFlight = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    await worker.nextCall();
    const closed = supervisor.close();
    expect(worker.sent.at(-1)).toEqual({ type: 'shutdown' });
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
    await closed;
    expect(worker.killed).toBe(true);
    expect(supervisor.status().state).toBe('closed');
    expect(channels).toHaveLength(1);
  });

  it('lets a worker finish its job during close when it exits on shutdown', async () => {
    const { supervisor, channels } = supervise({ closeGraceMs: 1000 });
    await supervisor.start();
    const worker = channels[0]!;
    const job = supervisor.run(runParams(sha('a')), { deadlineMs: FAR() });
    const call = await worker.nextCall();
    const closed = supervisor.close();
    worker.reply(call.id, runResult());
    worker.exit({ code: 0, signal: null });
    await closed;
    expect(await job).toMatchObject({ ok: true });
    expect(worker.killed).toBe(false);
  });
});
