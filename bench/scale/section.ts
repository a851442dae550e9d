/**
 * The `scale` section: a real coordinator (startMarketplace, no local worker) in a child process, 1,000
 * simulated providers (bench/scale/sim-providers.ts) in another, and sustained consumer load through
 * the OIP REST API from this process: a keep-alive client keeping a fixed number of Silero VAD infer
 * requests (binary tensors) in flight. The API rather than the dispatcher directly, because that is the
 * path consumers load: the HTTP parse, input hashing and job signing are part of dispatch cost.
 */
import { benchCases } from '../cases.js';
import { type BenchChild, startChild } from '../child-link.js';
import { tensorsAt } from '../inputs.js';
import { concurrentRuns } from '../loops.js';
import { loadAverage } from '../machine.js';
import type { MarketStats } from '../marketplace/market-child.js';
import { OipClient, inferCall } from '../marketplace/oip-client.js';
import type { TargetResult } from '../report-types.js';
import type { SectionOptions, SectionResult } from '../sections.js';
import { percentile } from '../stats.js';
import { formatTable, num } from '../table.js';

/** Consumer requests kept in flight. */
const IN_FLIGHT = 64;

type Percentiles = { p50Ms: number; p99Ms: number; count: number };

/** The section's figures (its key in the bench's JSON). */
export type ScaleFigures = {
  quick: boolean;
  loadAverage: { start: number[]; end: number[] };
  method: Record<string, string>;
  providers: number;
  connectS: number;
  memory: { rssBeforeBytes: number; rssAfterBytes: number; rssPerProviderBytes: number; heapPerProviderBytes: number };
  load: { inFlight: number; durationS: number; jobs: number; jobsPerS: number; failed: number };
  /** CPU time per job during the load phase, whatever else the machine ran: the cost that bounds jobs/s. */
  cpuMsPerJob: { coordinator: number; simulatedProviders: number };
  submitToOffer: Percentiles;
  submitToResult: Percentiles;
  targets: TargetResult[];
};

function percentiles(samples: readonly number[]): Percentiles {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), count: samples.length };
}

/** Runs the section. */
export async function runScaleSection(options: SectionOptions): Promise<SectionResult> {
  const quick = options.plan.quick;
  const providers = quick ? 100 : 1000;
  const loadMs = quick ? 1500 : 10_000;
  const loadStart = loadAverage();
  const vad = tensorsAt(benchCases(options.appRoot).find((c) => c.id === 'silero-vad')!.inputs, 1);
  const children: BenchChild[] = [];
  let client: OipClient | null = null;
  try {
    options.progress('starting the coordinator…');
    // HEARTH_BENCH_CPU_PROF=<folder> writes the coordinator's CPU profile there (node --cpu-prof).
    const profile = process.env.HEARTH_BENCH_CPU_PROF;
    const coordinator = await startChild(options.benchEntry, 'market', ['--instrument'], ['--expose-gc', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])]);
    children.push(coordinator);
    const ready = coordinator.ready as { url: string; providerUrl: string; chainId: number; key: string };
    const before = (await coordinator.ask({ type: 'gc' })) as MarketStats;
    options.progress(`connecting ${providers} simulated providers… (load ${loadAverage()[0]})`);
    const sims = await startChild(options.benchEntry, 'sim-providers', [String(providers), ready.providerUrl, String(ready.chainId)]);
    children.push(sims);
    const simReady = sims.ready as { connected: number; connectMs: number };
    const after = (await coordinator.ask({ type: 'gc' })) as MarketStats;
    if (after.sessions !== providers) throw new Error(`${after.sessions} of ${providers} simulated providers are connected`);
    client = new OipClient(ready.url, IN_FLIGHT);
    const call = inferCall('silero-vad', vad, 'binary', ready.key);
    const api = client;
    options.progress('warming up…');
    await concurrentRuns(() => api.send(call), IN_FLIGHT, { ms: quick ? 0 : 1000, minRuns: IN_FLIGHT * 2, maxRuns: 100_000 });
    await coordinator.ask({ type: 'reset' });
    const cpuBefore = { coordinator: ((await coordinator.ask({ type: 'stats' })) as MarketStats).cpuMs, sims: ((await sims.ask({})) as { cpuMs: number }).cpuMs };
    options.progress(`${IN_FLIGHT} requests in flight for ${loadMs / 1000} s… (load ${loadAverage()[0]})`);
    const burst = await concurrentRuns(() => api.send(call), IN_FLIGHT, { ms: loadMs, minRuns: IN_FLIGHT, maxRuns: 10_000_000 });
    const stats = (await coordinator.ask({ type: 'stats' })) as MarketStats;
    const simCpuMs = ((await sims.ask({})) as { cpuMs: number }).cpuMs - cpuBefore.sims;
    const jobs = stats.submitToSettledMs.length;
    const figures: ScaleFigures = {
      quick,
      loadAverage: { start: loadStart, end: loadAverage() },
      method: METHOD,
      providers,
      connectS: simReady.connectMs / 1000,
      memory: {
        rssBeforeBytes: before.rssBytes,
        rssAfterBytes: after.rssBytes,
        rssPerProviderBytes: (after.rssBytes - before.rssBytes) / providers,
        heapPerProviderBytes: (after.heapUsedBytes - before.heapUsedBytes) / providers,
      },
      load: { inFlight: IN_FLIGHT, durationS: burst.elapsedMs / 1000, jobs: burst.calls, jobsPerS: (burst.calls / burst.elapsedMs) * 1000, failed: stats.failed },
      cpuMsPerJob: { coordinator: (stats.cpuMs - cpuBefore.coordinator) / jobs, simulatedProviders: simCpuMs / jobs },
      submitToOffer: percentiles(stats.submitToOfferMs),
      submitToResult: percentiles(stats.submitToSettledMs),
      targets: [],
    };
    figures.targets = judge(figures);
    return { figures, text: formatScale(figures) };
  } finally {
    client?.close();
    for (const child of children.reverse()) await child.stop();
  }
}

const METHOD: Record<string, string> = {
  coordinator: 'startMarketplace (no local worker, info logs to /dev/null) in a child process started with --expose-gc; Dispatcher.submit and each session\'s run() (which sends job.offer) are wrapped to time every job',
  providers: 'simulated providers in one child process: real node keys, the real challenge/hello handshake, heartbeats, and for every offer job.accept then job.result with fixed Silero-VAD-shaped outputs and a valid EIP-712 receipt signed by the node key; every coordinator check runs',
  load: `the bench process keeps ${IN_FLIGHT} OIP infer requests (silero-vad, binary tensors, keep-alive node:http) in flight; jobs/s counts replies read with status 200`,
  cpu: 'process.cpuUsage() (user + system) of the coordinator and of the simulated providers over the load phase ÷ jobs settled: what one job costs each, independent of what else shares the cores (1000 ÷ the coordinator\'s figure bounds its jobs/s on one core)',
  memory: 'coordinator RSS and V8 heap after three forced GCs, before and after every simulated provider is welcomed; the difference ÷ providers',
  latency: 'submit → offer: from Dispatcher.submit to the session\'s run() call; submit → result: from Dispatcher.submit to its settled result (receipt verified, outputs checked); percentiles by nearest rank over every job of the load phase',
};

function judge(f: ScaleFigures): TargetResult[] {
  return [
    {
      id: 'scale-dispatch-p99',
      target: `dispatch p99 ≤ 20 ms with ${f.providers} providers connected`,
      measured: `submit → offer p99 ${num(f.submitToOffer.p99Ms, 2)} ms (p50 ${num(f.submitToOffer.p50Ms, 2)}); submit → result p99 ${num(f.submitToResult.p99Ms, 2)} ms (p50 ${num(f.submitToResult.p50Ms, 2)})`,
      // Dispatch is the coordinator's part: from a submitted job to its offer on a provider's socket.
      // Submit → result adds the provider's round trip and, at saturation, the wait of 64 requests for
      // one event loop (Little's law: in flight ÷ jobs/s), so it is reported, not judged.
      met: Number.isFinite(f.submitToOffer.p99Ms) ? f.submitToOffer.p99Ms <= 20 : null,
      note: `${f.load.inFlight} consumer requests in flight through the OIP API; at ${num(f.load.jobsPerS, 0)} jobs/s they wait ${num((f.load.inFlight / f.load.jobsPerS) * 1000, 0)} ms on average by Little's law, which is most of submit → result`,
    },
    {
      id: 'scale-jobs-per-second',
      target: '≥ 2,000 jobs/s through the coordinator',
      measured: `${num(f.load.jobsPerS, 0)} jobs/s (${f.load.jobs} jobs in ${num(f.load.durationS, 1)} s, ${f.load.failed} failed)`,
      met: f.load.jobsPerS >= 2000 && f.load.failed === 0,
      note: `coordinator CPU ${num(f.cpuMsPerJob.coordinator, 3)} ms per job (≤ ${num(1000 / f.cpuMsPerJob.coordinator, 0)} jobs/s on one core); memory per connected provider: ${num(f.memory.rssPerProviderBytes / 1024, 1)} KiB RSS, ${num(f.memory.heapPerProviderBytes / 1024, 1)} KiB V8 heap`,
    },
  ];
}

/** The section as text. */
export function formatScale(f: ScaleFigures): string {
  const rows = [
    ['providers connected (handshake time)', `${f.providers} (${num(f.connectS, 1)} s)`],
    ['coordinator RSS before → after, MiB', `${num(f.memory.rssBeforeBytes / 1024 ** 2, 0)} → ${num(f.memory.rssAfterBytes / 1024 ** 2, 0)}`],
    ['per connected provider, KiB RSS / heap', `${num(f.memory.rssPerProviderBytes / 1024, 1)} / ${num(f.memory.heapPerProviderBytes / 1024, 1)}`],
    [`jobs/s, ${f.load.inFlight} requests in flight`, `${num(f.load.jobsPerS, 0)} (${f.load.failed} failed)`],
    ['CPU ms per job: coordinator / simulated providers', `${num(f.cpuMsPerJob.coordinator, 3)} / ${num(f.cpuMsPerJob.simulatedProviders, 3)}`],
    ['submit → offer p50 / p99, ms', `${num(f.submitToOffer.p50Ms, 2)} / ${num(f.submitToOffer.p99Ms, 2)}`],
    ['submit → result p50 / p99, ms', `${num(f.submitToResult.p50Ms, 2)} / ${num(f.submitToResult.p99Ms, 2)}`],
  ];
  const lines = [`${f.quick ? '(--quick: figures are not meaningful) ' : ''}load ${f.loadAverage.start.join(' ')} → ${f.loadAverage.end.join(' ')}`, formatTable(['', 'coordinator'], rows), 'Targets (coordinator at scale):'];
  for (const t of f.targets) lines.push(`  [${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.measured}`, `         ${t.note}`);
  return `${lines.join('\n')}\n`;
}
