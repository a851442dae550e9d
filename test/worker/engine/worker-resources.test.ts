/**
 * The worker against the machine: an allocation bomb under an address-space limit becomes
 * `out_of_memory` and the worker goes on (SECURITY.md 9); onnxruntime's telemetry stays off even when
 * the supervisor forgets ORT_DISABLE_TELEMETRY (SECURITY.md 15).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../../common/worker-protocol.js';
import { buildAllocationBomb } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { VAD_MODEL, modelBytes, tensor, testConfig, vadInputs, writeModel } from './worker-fixtures.js';
import { type WorkerProcess, startWorker, valueOf } from './worker-process.js';

let dir: string;
let remove: () => Promise<void>;
let vad: string;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir('hearth-worker-resources-'));
  vad = await writeModel(dir, modelBytes(VAD_MODEL));
});
afterEach(() => {
  for (const w of started.splice(0)) w.child.kill('SIGKILL');
});
afterAll(() => remove());

describe.runIf(process.platform === 'linux' && existsSync('/usr/bin/prlimit'))('memory', () => {
  it('answers out_of_memory for an allocation bomb under prlimit --as, and keeps serving', async () => {
    const bomb = await writeModel(dir, buildAllocationBomb());
    const w = startWorker(testConfig(dir), { wrapper: ['/usr/bin/prlimit', `--as=${6 * 1024 ** 3}`, '--'] });
    started.push(w);
    await w.ready;
    const reply = await w.call('run', { jobId: 'bomb', model: { sha256: bomb }, inputs: [tensor('n', 'INT64', [1], BigInt64Array.of(1n))] });
    expect(reply.ok ? null : reply.error.code).toBe('out_of_memory');
    expect(RunResult.parse(valueOf(await w.call('run', { jobId: 'after', model: { sha256: vad }, inputs: vadInputs() }))).outputs).toHaveLength(2);
  }, 30_000);
});

describe('telemetry', () => {
  it('writes nothing under ~/.cache/Microsoft even without ORT_DISABLE_TELEMETRY in its environment', async () => {
    const home = await makeTempDir('hearth-home-');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home.dir };
      delete env.ORT_DISABLE_TELEMETRY;
      const w = startWorker(testConfig(dir), { env });
      started.push(w);
      await w.ready;
      valueOf(await w.call('run', { jobId: 'j', model: { sha256: vad }, inputs: vadInputs() }));
      w.send({ type: 'shutdown' });
      expect((await w.exited).code).toBe(0);
      expect(existsSync(join(home.dir, '.cache', 'Microsoft'))).toBe(false);
    } finally {
      await home.remove();
    }
  });
});
