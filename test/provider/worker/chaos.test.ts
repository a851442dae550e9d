import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerErrorCode } from '../../../common/worker-protocol.js';
import { workerTmpRoot } from '../../../provider/worker/private-dir.js';
import { Quarantine } from '../../../provider/worker/quarantine.js';
import type { WorkerSupervisor } from '../../../provider/worker/supervisor.js';
import { buildMlp, buildSlowModel, seededRandom } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, addModel, fp32, pidsWith, realSupervisor, workerNodePid } from './real-worker.js';

const ROUNDS = 30;
const SEED = Number(process.env.HEARTH_CHAOS_SEED ?? Date.now() % 100_000);
type Action = 'kill-wrapper' | 'kill-node' | 'kill-at-start' | 'stop-process' | 'close' | 'none';
const ACTIONS: Action[] = ['kill-wrapper', 'kill-node', 'kill-at-start', 'stop-process', 'close', 'none'];
const TERMINAL: (WorkerErrorCode | 'ok')[] = ['ok', 'timeout', 'worker_crashed', 'worker_unavailable', 'out_of_memory'];

let temp: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  temp = await makeTempDir('hearth-chaos-');
});

afterAll(async () => {
  await temp?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a signal to a process that may have ended a moment ago. */
function signal(pid: number | null, name: NodeJS.Signals): void {
  if (pid === null) return;
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: it already ended.
  }
}

describe.skipIf(!WORKER_BUILT)('chaos: random kills and stops while jobs run', () => {
  it(`ends every job in exactly one state and recovers (${ROUNDS} rounds, seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(((random() + 1) / 2) * items.length) % items.length]!;
    const between = (low: number, high: number) => low + ((random() + 1) / 2) * (high - low);
    const dataDir = join(temp.dir, 'data');
    const models = join(dataDir, 'models');
    const mlp = await addModel(models, buildMlp({ inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 1 }));
    // About 0.3 s of CPU per run.
    const slow = await addModel(models, buildSlowModel(1200, 256));
    const marker = `${workerTmpRoot(dataDir)}/`;
    // Kills here are ours, not the models' fault: keep both models out of quarantine and the circuit shut.
    const quarantine = new Quarantine({ strikes: Number.MAX_SAFE_INTEGER, durationMs: 1 });
    const fresh = async () => {
      const { supervisor } = await realSupervisor(dataDir, models, {
        supervisor: { quarantine, circuit: { maxCrashes: 10_000, windowMs: 1000, coolDownMs: 10 }, backoff: { baseMs: 10, factor: 2, maxMs: 80, jitter: 0.5 } },
      });
      void supervisor.start();
      return supervisor;
    };
    let supervisor: WorkerSupervisor = await fresh();
    const outcomes = new Map<string, string[]>();
    const tally = new Map<string, number>();
    const actions: Action[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const jobs = Array.from({ length: 1 + Math.floor(between(0, 3)) }, (_, i) => {
        const jobId = `r${round}-j${i}`;
        outcomes.set(jobId, []);
        const useSlow = random() < 0.2;
        const params = useSlow
          ? { jobId, model: { sha256: slow }, inputs: [fp32('x', [256, 256])] }
          : { jobId, model: { sha256: mlp }, inputs: [fp32('x', [1, 4])] };
        return supervisor.run(params, { deadlineMs: Date.now() + between(200, 1200) }).then((result) => {
          const state = result.ok ? 'ok' : result.error.code;
          outcomes.get(jobId)!.push(state);
          return state;
        });
      });
      const action = pick(ACTIONS);
      actions.push(action);
      await sleep(between(0, 300));
      const pid = supervisor.status().pid;
      if (action === 'kill-wrapper') signal(pid, 'SIGKILL');
      if (action === 'kill-node') signal(workerNodePid(marker), 'SIGKILL');
      if (action === 'stop-process') signal(workerNodePid(marker), 'SIGSTOP');
      if (action === 'kill-at-start' && pid !== null) {
        signal(pid, 'SIGKILL');
        while (supervisor.status().state !== 'starting') await once(supervisor, 'state');
        signal(supervisor.status().pid, 'SIGKILL');
      }
      if (action === 'close') {
        await supervisor.close();
        supervisor = await fresh();
      }
      const states = await Promise.race([Promise.all(jobs), sleep(20_000).then(() => null)]);
      expect(states, `round ${round} (${action}): a job never ended`).not.toBeNull();
      for (const state of states!) tally.set(state, (tally.get(state) ?? 0) + 1);
    }

    for (const [jobId, states] of outcomes) {
      expect(states, jobId).toHaveLength(1);
      expect(TERMINAL, `${jobId} ended as ${states[0]}`).toContain(states[0]);
    }
    console.log(`chaos seed ${SEED}: actions ${JSON.stringify(countOf(actions))}, outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
    expect(tally.get('ok') ?? 0).toBeGreaterThan(0);
    expect((tally.get('worker_crashed') ?? 0) + (tally.get('timeout') ?? 0)).toBeGreaterThan(0);

    // It recovers: the next job succeeds, nothing is left waiting. Each try has a deadline of its own: the
    // last round may have left the worker stopped (SIGSTOP) with nothing running, and only a job that
    // times out on it gets it killed and restarted.
    const until = Date.now() + 30_000;
    const attempt = () => supervisor.run({ jobId: 'after', model: { sha256: mlp }, inputs: [fp32('x', [1, 4])] }, { deadlineMs: Math.min(until, Date.now() + 3000) });
    let last = await attempt();
    while (!last.ok && Date.now() < until) {
      await sleep(100);
      last = await attempt();
    }
    expect(last.ok).toBe(true);
    expect(supervisor.status()).toMatchObject({ state: 'ready', pending: 0 });
    await supervisor.close();
    expect(pidsWith(marker), 'worker processes left behind').toEqual([]);
    expect(readdirSync(workerTmpRoot(dataDir)), 'private folders left behind').toEqual([]);
  }, 180_000);
});

function countOf(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
