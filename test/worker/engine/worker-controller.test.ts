/**
 * The worker's control thread driven through an EventEmitter port (the transport is a parameter),
 * with the real engine and onnxruntime in-process: the handshake, refusals, and how it ends.
 */
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FromWorker, RunResult, type WorkerConfig } from '../../../common/worker-protocol.js';
import type { EngineLink } from '../../../worker/engine/engine-link.js';
import { WorkerController } from '../../../worker/engine/worker-controller.js';
import type { WorkerPort } from '../../../worker/engine/worker-port.js';
import { buildSlowModel } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { inProcessEngine } from './in-process-engine.js';
import { VAD_MODEL, modelBytes, randomFloats, tensor, testConfig, vadInputs, writeModel } from './worker-fixtures.js';

let dir: string;
let remove: () => Promise<void>;
let vad: string;

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('hearth-controller-'));
  vad = await writeModel(dir, modelBytes(VAD_MODEL));
});
afterAll(() => remove());

/** A port over an EventEmitter: what the controller sends is recorded (and checked against the contract). */
function harness() {
  const bus = new EventEmitter();
  const sent: FromWorker[] = [];
  const port: WorkerPort = {
    send: (message) => void sent.push(FromWorker.parse(message)),
    onMessage: (listener) => void bus.on('message', listener),
    onDisconnect: (listener) => void bus.on('disconnect', listener),
    flush: () => Promise.resolve(),
  };
  const exits: { code: number; how: string }[] = [];
  let engine: EngineLink | null = null;
  new WorkerController({
    port,
    startEngine: (config: WorkerConfig) => (engine = inProcessEngine(config)),
    exit: (code, how) => void exits.push({ code, how }),
    pid: 4242,
    platform: 'linux',
  });
  const until = async (predicate: () => boolean) => {
    for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(predicate()).toBe(true);
  };
  const reply = async (id: number) => {
    await until(() => sent.some((m) => m.type === 'reply' && m.id === id));
    const message = sent.find((m) => m.type === 'reply' && m.id === id);
    return message?.type === 'reply' ? message.reply : null;
  };
  return { bus, sent, exits, until, reply, engine: () => engine };
}

describe('WorkerController', () => {
  it('answers ready after init with the probed providers', async () => {
    const h = harness();
    h.bus.emit('message', { type: 'init', config: testConfig(dir, { executionProviders: ['cuda', 'dml'] }) });
    await h.until(() => h.sent.some((m) => m.type === 'ready'));
    const ready = h.sent.find((m) => m.type === 'ready');
    expect(ready?.type === 'ready' && ready.info).toMatchObject({
      pid: 4242,
      deviceId: 'cpu-test',
      executionProviders: [
        { name: 'cuda', available: false },
        { name: 'dml', available: false, reason: 'not offered by onnxruntime-node on linux' },
        { name: 'cpu', available: true, reason: null },
      ],
    });
  });

  it('refuses calls before it is ready and logs malformed messages without dying', async () => {
    const h = harness();
    h.bus.emit('message', { type: 'call', id: 1, method: 'info', params: {} });
    expect(await h.reply(1)).toEqual({ ok: false, error: { code: 'worker_unavailable', message: 'The worker has not finished starting.' } });
    h.bus.emit('message', null);
    h.bus.emit('message', { type: 'call', id: 2, method: 'info' });
    expect(h.sent.filter((m) => m.type === 'log' && m.level === 'warn')).toHaveLength(2);
    expect(h.exits).toEqual([]);
  });

  it('runs a job and answers bad params with input_invalid', async () => {
    const h = harness();
    h.bus.emit('message', { type: 'init', config: testConfig(dir) });
    await h.until(() => h.sent.some((m) => m.type === 'ready'));
    h.bus.emit('message', { type: 'call', id: 7, method: 'run', params: { jobId: 'j', model: { sha256: vad }, inputs: vadInputs() } });
    const ok = await h.reply(7);
    expect(ok?.ok && RunResult.parse(ok.value).outputs.map((o) => o.name)).toEqual(['output', 'stateN']);
    h.bus.emit('message', { type: 'call', id: 8, method: 'warm', params: { sha256: 'not-a-hash' } });
    expect(await h.reply(8)).toMatchObject({ ok: false, error: { code: 'input_invalid' } });
  });

  it('exits cleanly (code 0) when the supervisor disconnects while idle', async () => {
    const h = harness();
    h.bus.emit('message', { type: 'init', config: testConfig(dir) });
    await h.until(() => h.sent.some((m) => m.type === 'ready'));
    h.bus.emit('disconnect');
    await h.until(() => h.exits.length > 0);
    expect(h.exits).toEqual([{ code: 0, how: 'clean' }]);
  });

  it('on shutdown during a run, answers the open call and exits at once', async () => {
    const h = harness();
    const slow = await writeModel(dir, buildSlowModel(400));
    h.bus.emit('message', { type: 'init', config: testConfig(dir) });
    await h.until(() => h.sent.some((m) => m.type === 'ready'));
    h.bus.emit('message', { type: 'call', id: 3, method: 'run', params: { jobId: 's', model: { sha256: slow }, inputs: [tensor('x', 'FP32', [512, 512], randomFloats(512 * 512))] } });
    await h.until(() => h.engine()?.busy === true);
    h.bus.emit('message', { type: 'shutdown' });
    h.bus.emit('message', { type: 'call', id: 4, method: 'info', params: {} });
    expect(await h.reply(3)).toMatchObject({ ok: false, error: { code: 'worker_unavailable' } });
    expect(await h.reply(4)).toEqual({ ok: false, error: { code: 'worker_unavailable', message: 'The worker is shutting down.' } });
    await h.until(() => h.exits.length > 0);
    // The engine was inside a run, so the process cannot exit normally: it is told to end now.
    expect(h.exits).toEqual([{ code: 0, how: 'now' }]);
    await h.until(() => h.engine()?.busy === false);
    expect(h.sent.filter((m) => m.type === 'reply' && m.id === 3)).toHaveLength(1);
  });
});
