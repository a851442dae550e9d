/**
 * The whole bench: in a throwaway folder, with the same sandboxed launcher, worker plan and model cache
 * the provider uses, every model on every execution provider that really works here, raw and through
 * the worker in the same run; then the targets judged on those figures.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ExecutionProviderName, ProviderProbe, SandboxReport, WorkerConfig } from '../common/worker-protocol.js';
import { ModelCache } from '../provider/models/model-cache.js';
import { createChildProcessLauncher } from '../provider/worker/child-process-launcher.js';
import type { WorkerLauncher } from '../provider/worker/launcher.js';
import { WorkerPool } from '../provider/worker/worker-pool.js';
import { planWorkers } from '../provider/worker/worker-plan.js';
import type { Logger } from '../provider/logger.js';
import { offeredProviders } from '../worker/probe/offered-providers.js';
import { benchCase } from './case-bench.js';
import { benchCases } from './cases.js';
import { describeMachine, loadAverage } from './machine.js';
import type { BenchPlan } from './plan.js';
import type { BenchReport, CaseReport } from './report-types.js';
import { judgeTargets } from './targets.js';

/** How the figures are measured, carried in the JSON so a reader of the numbers alone knows. */
const METHOD: Record<string, string> = {
  raw: 'onnxruntime-node InferenceSession in a plain child process of the bench (no sandbox, no per-run IPC, no hashing), created from the same bytes with the worker\'s session options and fed through the worker\'s tensor conversion; timed inside that process',
  worker: 'WorkerPool → WorkerSupervisor.run → sandboxed worker process (bubblewrap, Node permissions, prlimit, env allowlist) → engine thread → onnxruntime, and back with sha256 and fingerprint; timed in the bench process from the call to the validated result',
  sessionCreate: 'raw: median of repeated InferenceSession.create after the first in a fresh process (the first, which also starts onnxruntime\'s environment, is reported apart)',
  coldStart: 'from WorkerPool.start() (spawn) to the first job\'s result: sandbox start, provider probe, model read and admission, session create, first run; mean of the two workers started per model',
  latency: 'single-row jobs one after another; latency blocks alternate raw, the batching-off and the batching-on worker; percentiles by nearest rank over the pooled samples; channel: the same call and reply messages echoed by an idle child over an advanced-serialization IPC channel (the floor any process boundary costs)',
  throughput: 'batch N: the worker keeps N single-row jobs in flight (batching off, and batching on); raw runs one row per run at batch 1 and N rows stacked in one tensor per run above it; rounds alternate raw, off and on (reversed every other round), the median round is kept; the batching-on worker is started afresh for each batch size above 1 (and warmed at that load first), since its gain check keeps a verdict for 500 runs before it measures again, so each batch size is measured by a worker that has seen only that load',
  peakRss: 'VmHWM from /proc/<pid>/status of the raw child and of the worker\'s Node process (bubblewrap\'s own processes left out); not maxRSS, which a spawned child inherits from its spawner across exec on Linux; "b1" after the batch-1 work only, "end" after batches of 32',
  overhead: 'each per-job step outside onnxruntime timed alone in the bench process on one real job: v8 serialize+deserialize of the call and the reply (the IPC clone, without the pipe), zod validation on both sides, the worker\'s input copy, output sha256 and fingerprint',
};

/** Which providers really create sessions here, and the sandbox a worker gets. */
async function probeProviders(appRoot: string, base: WorkerConfig, launcher: WorkerLauncher, logger: Logger): Promise<{ probes: ProviderProbe[]; sandbox: SandboxReport | null }> {
  const config = { ...base, executionProviders: [...offeredProviders(process.platform)] };
  const pool = new WorkerPool({ appRoot, configs: [config], launcher, logger });
  await pool.start();
  const [status] = pool.status();
  await pool.close();
  return { probes: status?.executionProviders ?? [], sandbox: status?.sandbox ?? null };
}

/** Runs every case (or those in `only`) on every working provider; `progress` hears one line per case. */
export async function runBench(options: {
  appRoot: string;
  benchEntry: string;
  plan: BenchPlan;
  /** Case ids to run (all when absent). */
  only?: readonly string[];
  progress: (line: string) => void;
}): Promise<BenchReport> {
  const { appRoot, plan } = options;
  const started = Date.now();
  const machine = await describeMachine(appRoot);
  const scratch = await mkdtemp(join(tmpdir(), 'hearth-bench-'));
  // Errors only by default (a failed job ends the bench with its own message); HEARTH_BENCH_LOG=info
  // shows the workers' own lines, such as the batcher deciding that merging stopped paying.
  const logger = pino({ level: process.env.HEARTH_BENCH_LOG ?? 'error' }, pino.destination(2));
  try {
    const launcher = await createChildProcessLauncher({ dataDir: scratch, logger });
    const cache = await ModelCache.open({ dir: join(scratch, 'models'), maxBytes: 1024 ** 3 });
    const base = planWorkers([], cache.dir)[0]!;
    const { probes, sandbox } = await probeProviders(appRoot, base, launcher, logger);
    const providers: ExecutionProviderName[] = probes.filter((p) => p.available).map((p) => p.name);
    const cases: CaseReport[] = [];
    for (const provider of providers) {
      const configOff: WorkerConfig = { ...base, executionProviders: [provider], batching: { ...base.batching, enabled: false } };
      const configOn: WorkerConfig = { ...base, executionProviders: [provider], batching: { ...base.batching, enabled: true } };
      for (const c of benchCases(appRoot).filter((c) => options.only === undefined || options.only.includes(c.id))) {
        options.progress(`${c.label} on ${provider}… (${((Date.now() - started) / 1000).toFixed(0)} s, load ${loadAverage()[0]})`);
        const bytes = c.bytes();
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        await cache.put(bytes, sha256);
        const context = { appRoot, benchEntry: options.benchEntry, launcher, logger, plan, provider, configOff, configOn, modelPath: cache.path(sha256), sha256 };
        cases.push(await benchCase(c, context));
      }
    }
    return {
      startedAt: new Date(started).toISOString(),
      durationS: (Date.now() - started) / 1000,
      quick: plan.quick,
      machine: { ...machine, loadAverageEnd: loadAverage() },
      providers: probes,
      worker: { sandbox: cases[0]?.sandbox ?? sandbox, intraOpNumThreads: base.intraOpNumThreads, batchingOn: { ...base.batching, enabled: true } },
      method: METHOD,
      cases,
      targets: judgeTargets(cases),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
