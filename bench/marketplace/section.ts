/**
 * The `marketplace` section: consumer → coordinator → provider → sandboxed worker → back, over
 * loopback, against a minimal single-process OIP server running onnxruntime in process (the baseline),
 * with the same client, model, input and concurrency, in the same run. The baseline, the coordinator and
 * the provider are each a child process of the bench, so the client runs alone in this one. The provider
 * runs twice: with its data folder on the machine's disk (the real figure; its ledger commits with
 * synchronous=FULL) and on tmpfs (/dev/shm, where fsync is free: what the path costs besides the disk).
 * Rounds alternate baseline and marketplace; the median round is kept (throughput) and latency samples
 * are pooled.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchCases } from '../cases.js';
import { startChild, type BenchChild } from '../child-link.js';
import { tensorsAt } from '../inputs.js';
import { concurrentRuns, sequentialRuns, type Budget } from '../loops.js';
import { loadAverage } from '../machine.js';
import type { Latency, TargetResult } from '../report-types.js';
import type { SectionOptions, SectionResult } from '../sections.js';
import { median, percentile, ratio } from '../stats.js';
import { formatTable, num, times } from '../table.js';
import type { Tensor } from '../../common/tensor.js';
import type { MarketStats } from './market-child.js';
import { type Encoding, type InferCall, OipClient, inferCall } from './oip-client.js';

const ENCODINGS: readonly Encoding[] = ['binary', 'json'];
/** Requests the client keeps in flight for throughput (the provider takes 2 at a time, the rest queue). */
const CONCURRENCY = 4;

type Side = 'baseline' | 'marketplace';
const SIDES: readonly Side[] = ['baseline', 'marketplace'];
/** Throughput of one side: the median round's jobs per second, and every round. */
export type SideThroughput = { jobsPerS: number; rounds: number[] };
export type ThroughputPair = { baseline: SideThroughput; marketplace: SideThroughput; ratio: number | null };
export type LatencyPair = { baseline: Latency; marketplace: Latency; addedP50Ms: number; addedP99Ms: number };

/** One provider placement's figures, each against the baseline measured alongside. */
export type VariantFigures = { dataDir: string; ocrRecThroughput: Record<Encoding, ThroughputPair>; vadLatency: Record<Encoding, LatencyPair> };

/** Where the provider's data folder lives: the disk (what a provider has) or tmpfs (fsync free). */
export type Variant = 'disk' | 'tmpfs';

/** The section's figures (its key in the bench's JSON). */
export type MarketplaceFigures = {
  quick: boolean;
  loadAverage: { start: number[]; end: number[] };
  concurrency: number;
  method: Record<string, string>;
  variants: Partial<Record<Variant, VariantFigures>>;
  targets: TargetResult[];
};

type Budgets = { warm: Budget; rounds: number; throughput: Budget; latency: Budget };

function budgets(quick: boolean): Budgets {
  return quick
    ? { warm: { ms: 0, minRuns: 4, maxRuns: 4 }, rounds: 1, throughput: { ms: 0, minRuns: 8, maxRuns: 8 }, latency: { ms: 0, minRuns: 10, maxRuns: 10 } }
    : { warm: { ms: 1000, minRuns: 20, maxRuns: 2000 }, rounds: 3, throughput: { ms: 2500, minRuns: 8, maxRuns: 100_000 }, latency: { ms: 1200, minRuns: 50, maxRuns: 5000 } };
}

function latencyOf(samples: number[]): Latency {
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), runs: samples.length };
}

type Measure = {
  plan: Budgets;
  progress: (line: string) => void;
  baseline: OipClient;
  marketplace: OipClient;
  key: string;
  rec: Tensor[];
  vad: Tensor[];
};

async function ocrThroughput(m: Measure, encoding: Encoding): Promise<ThroughputPair> {
  const clients: Record<Side, OipClient> = { baseline: m.baseline, marketplace: m.marketplace };
  const call = (side: Side): InferCall => inferCall('ppocr-rec', m.rec, encoding, side === 'marketplace' ? m.key : null);
  const rounds: Record<Side, number[]> = { baseline: [], marketplace: [] };
  for (const side of SIDES) {
    const c = call(side);
    await concurrentRuns(() => clients[side].send(c), CONCURRENCY, m.plan.warm);
  }
  for (let round = 0; round < m.plan.rounds; round++) {
    for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
      m.progress(`ppocr-rec ${encoding} throughput, ${side}, round ${round + 1}/${m.plan.rounds}… (load ${loadAverage()[0]})`);
      const c = call(side);
      const burst = await concurrentRuns(() => clients[side].send(c), CONCURRENCY, m.plan.throughput);
      rounds[side].push((burst.calls / burst.elapsedMs) * 1000);
    }
  }
  const b: SideThroughput = { jobsPerS: median(rounds.baseline), rounds: rounds.baseline };
  const mk: SideThroughput = { jobsPerS: median(rounds.marketplace), rounds: rounds.marketplace };
  return { baseline: b, marketplace: mk, ratio: ratio(mk.jobsPerS, b.jobsPerS) };
}

async function vadLatency(m: Measure, encoding: Encoding): Promise<LatencyPair> {
  const clients: Record<Side, OipClient> = { baseline: m.baseline, marketplace: m.marketplace };
  const call = (side: Side): InferCall => inferCall('silero-vad', m.vad, encoding, side === 'marketplace' ? m.key : null);
  const samples: Record<Side, number[]> = { baseline: [], marketplace: [] };
  for (const side of SIDES) {
    const c = call(side);
    await sequentialRuns(() => clients[side].send(c), m.plan.warm);
  }
  for (let round = 0; round < m.plan.rounds; round++) {
    for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
      m.progress(`silero-vad ${encoding} latency, ${side}, round ${round + 1}/${m.plan.rounds}… (load ${loadAverage()[0]})`);
      const c = call(side);
      samples[side].push(...(await sequentialRuns(() => clients[side].send(c), m.plan.latency)));
    }
  }
  const b = latencyOf(samples.baseline);
  const mk = latencyOf(samples.marketplace);
  return { baseline: b, marketplace: mk, addedP50Ms: mk.p50Ms - b.p50Ms, addedP99Ms: mk.p99Ms - b.p99Ms };
}

/** Waits until the coordinator has `count` provider sessions. */
async function sessions(coordinator: BenchChild, count: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (((await coordinator.ask({ type: 'stats' })) as MarketStats).sessions !== count) {
    if (Date.now() > until) throw new Error(`the coordinator did not reach ${count} provider sessions within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the section. */
export async function runMarketplaceSection(options: SectionOptions): Promise<SectionResult> {
  const plan = budgets(options.plan.quick);
  const loadStart = loadAverage();
  const cases = benchCases(options.appRoot);
  const rec = tensorsAt(cases.find((c) => c.id === 'ocr-rec')!.inputs, 1);
  const vad = tensorsAt(cases.find((c) => c.id === 'silero-vad')!.inputs, 1);
  const children: BenchChild[] = [];
  const clients: OipClient[] = [];
  const client = (url: string) => {
    const made = new OipClient(url, CONCURRENCY);
    clients.push(made);
    return made;
  };
  try {
    options.progress('starting the baseline server and the coordinator…');
    const baseline = await startChild(options.benchEntry, 'oip-baseline', ['ppocr-rec', 'silero-vad']);
    children.push(baseline);
    // HEARTH_BENCH_CPU_PROF=<folder> writes the coordinator's and the providers' CPU profiles there (node --cpu-prof).
    const profile = process.env.HEARTH_BENCH_CPU_PROF;
    const profiled = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    const coordinator = await startChild(options.benchEntry, 'market', [], profiled);
    children.push(coordinator);
    const ready = coordinator.ready as { url: string; providerUrl: string; coordinator: string; chainId: number; key: string };
    const variants: Partial<Record<Variant, VariantFigures>> = {};
    const places: [Variant, string][] = [['disk', tmpdir()]];
    if (existsSync('/dev/shm')) places.push(['tmpfs', '/dev/shm']);
    for (const [variant, parent] of places) {
      options.progress(`starting a provider with its data folder under ${parent} (${variant})…`);
      const provider = await startChild(options.benchEntry, 'provider', [ready.providerUrl, ready.coordinator, String(ready.chainId), parent], profiled);
      children.push(provider);
      await sessions(coordinator, 1);
      const measure: Measure = {
        plan,
        progress: (line) => options.progress(`${variant}: ${line}`),
        baseline: client((baseline.ready as { url: string }).url),
        marketplace: client(ready.url),
        key: ready.key,
        rec,
        vad,
      };
      const figures: VariantFigures = { dataDir: parent, ocrRecThroughput: {} as Record<Encoding, ThroughputPair>, vadLatency: {} as Record<Encoding, LatencyPair> };
      for (const encoding of ENCODINGS) figures.ocrRecThroughput[encoding] = await ocrThroughput(measure, encoding);
      for (const encoding of ENCODINGS) figures.vadLatency[encoding] = await vadLatency(measure, encoding);
      variants[variant] = figures;
      await provider.stop();
      children.pop();
      await sessions(coordinator, 0);
    }
    const figures: MarketplaceFigures = {
      quick: options.plan.quick,
      loadAverage: { start: loadStart, end: loadAverage() },
      concurrency: CONCURRENCY,
      method: METHOD,
      variants,
      targets: judge(variants.disk!),
    };
    return { figures, text: formatMarketplace(figures) };
  } finally {
    for (const made of clients) made.close();
    for (const child of children.reverse()) await child.stop();
  }
}

const METHOD: Record<string, string> = {
  baseline: 'a minimal single-process OIP v2 server (bench/marketplace/oip-baseline.ts): node:http, the coordinator\'s own request parser and response encoder, onnxruntime-node in process with the worker\'s session options, one run at a time per model; a child process of the bench',
  marketplace: 'a child process of the bench running the real coordinator (startMarketplace, localWorker false, info logs to /dev/null) and a real Provider (sandboxed worker pool, SQLite ledger, marketplace client over the WebSocket link on loopback): consumer → coordinator (OIP parse, job signing) → HRT1 frame → provider (signature check, journal, worker run, receipt signing) → coordinator (receipt and output verification, ack signing) → consumer',
  client: `the same keep-alive node:http client in the bench process for both; throughput keeps ${CONCURRENCY} requests in flight (ppocr-rec 1×3×48×320 input, the worker section's input), latency sends silero-vad requests one after another; every reply is read whole and its JSON parsed`,
  encodings: 'binary: Triton\'s binary tensor extension both ways (Inference-Header-Content-Length, binary_data_size, binary_data_output); json: data arrays both ways',
  rounds: 'both sides are warmed first; rounds alternate baseline and marketplace (reversed every other round); throughput keeps the median round, latency pools the samples (percentiles by nearest rank)',
};

function judge(disk: VariantFigures): TargetResult[] {
  const throughput = disk.ocrRecThroughput;
  const latency = disk.vadLatency;
  const t = throughput.binary;
  const l = latency.binary;
  return [
    {
      id: 'marketplace-ocr-rec-throughput',
      target: 'end-to-end throughput ≥ 0.8× a minimal in-process OIP server on OCR recognition (binary tensors)',
      measured: `${times(t.ratio)} (${num(t.marketplace.jobsPerS)} against ${num(t.baseline.jobsPerS)} jobs/s); JSON bodies: ${times(throughput.json.ratio)} (${num(throughput.json.marketplace.jobsPerS)} against ${num(throughput.json.baseline.jobsPerS)})`,
      met: t.ratio === null ? null : t.ratio >= 0.8,
      note: `same client, ${CONCURRENCY} requests in flight, same model and input, same run; the provider's data folder on disk`,
    },
    {
      id: 'marketplace-vad-added-p50',
      target: 'added p50 latency ≤ 2 ms on Silero VAD (binary tensors)',
      measured: `+${num(l.addedP50Ms, 3)} ms (baseline ${num(l.baseline.p50Ms, 3)} ms, marketplace ${num(l.marketplace.p50Ms, 3)} ms); JSON bodies: +${num(latency.json.addedP50Ms, 3)} ms`,
      met: Number.isFinite(l.addedP50Ms) ? l.addedP50Ms <= 2 : null,
      note: 'requests one after another, timed in the client from send to the parsed reply',
    },
  ];
}

/** The section as text. */
export function formatMarketplace(f: MarketplaceFigures): string {
  const disk = f.variants.disk;
  const tmpfs = f.variants.tmpfs;
  const rows: string[][] = [];
  for (const encoding of ENCODINGS) {
    const t = disk?.ocrRecThroughput[encoding];
    const u = tmpfs?.ocrRecThroughput[encoding];
    rows.push([`ppocr-rec ${encoding}, jobs/s (${f.concurrency} in flight)`, num(t?.baseline.jobsPerS), num(t?.marketplace.jobsPerS), times(t?.ratio), `${num(u?.marketplace.jobsPerS)} (${times(u?.ratio)})`]);
  }
  const p = (x: Latency | undefined) => `${num(x?.p50Ms, 3)} / ${num(x?.p99Ms, 2)}`;
  for (const encoding of ENCODINGS) {
    const l = disk?.vadLatency[encoding];
    const u = tmpfs?.vadLatency[encoding];
    rows.push([`silero-vad ${encoding}, p50 / p99 ms`, p(l?.baseline), p(l?.marketplace), `+${num(l?.addedP50Ms, 3)} ms p50`, `${p(u?.marketplace)} (+${num(u?.addedP50Ms, 3)})`]);
  }
  const lines = [
    `${f.quick ? '(--quick: figures are not meaningful) ' : ''}load ${f.loadAverage.start.join(' ')} → ${f.loadAverage.end.join(' ')}`,
    formatTable(['', 'minimal OIP server', 'marketplace', 'marketplace ÷ minimal', 'provider data on tmpfs'], rows),
    'Targets (end to end over loopback):',
  ];
  for (const t of f.targets) lines.push(`  [${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.measured}`, `         ${t.note}`);
  return `${lines.join('\n')}\n`;
}
