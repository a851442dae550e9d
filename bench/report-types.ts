/** The bench's JSON report: figures per model and provider, the machine they came from, the targets. */
import type { ExecutionProviderName, ProviderProbe, SandboxReport, WorkerConfig } from '../common/worker-protocol.js';
import type { Overhead } from './overhead.js';
import type { ColdStart } from './worker-path.js';

/** Latency of single-row jobs run one after another. */
export type Latency = { p50Ms: number; p99Ms: number; runs: number };

/** Throughput at one batch size, raw and through the worker with batching off and on (jobs per second). */
export type ThroughputPoint = {
  batch: number;
  /** Raw at this batch: one row per run at batch 1, else `batch` rows stacked in one tensor per run. */
  raw: number;
  /** Raw with one row per run (the batch-1 figure): what `batch` jobs cost when nothing merges them. */
  rawOneRow: number;
  /** The worker with `batch` single-row jobs in flight, batching off and on. */
  workerOff: number;
  workerOn: number;
  /** Rows per onnxruntime run the batching-on worker's jobs were part of, on average. */
  workerOnMeanBatch: number;
  /** Milliseconds of onnxruntime per job: raw's whole time per row, the workers' runMs ÷ rows merged. */
  ortMsPerJob: { raw: number; workerOff: number; workerOn: number };
  /** workerOff ÷ rawOneRow: the path's cost when neither side merges rows. */
  offVsRawOneRow: number | null;
  /** workerOn ÷ raw: batching worker against raw's stacked runs (against one row per run at batch 1). */
  onVsRaw: number | null;
  /** workerOn ÷ workerOff. */
  batchingGain: number | null;
  /** Each round's figure, to see the spread the medians above hide. */
  rounds: { raw: number[]; workerOff: number[]; workerOn: number[] };
};

/** Peak resident set sizes in bytes: after the batch-1 work, and at the end (after batches of 32). */
export type PeakRss = {
  rawBatch1: number;
  raw: number;
  workerOffBatch1: number | null;
  workerOff: number | null;
  workerOn: number | null;
  /** workerOffBatch1 ÷ rawBatch1 (both have run single rows only). */
  batch1Ratio: number | null;
  /** workerOn ÷ raw (both have run merged or stacked batches). */
  peakRatio: number | null;
};

/** Every figure for one model on one execution provider. */
export type CaseReport = {
  id: string;
  label: string;
  source: string;
  provider: ExecutionProviderName;
  /** Why the worker never merges this model's jobs, or null. */
  unbatchable: string | null;
  /** The sandbox layers around this case's workers. */
  sandbox: SandboxReport | null;
  sessionCreate: { rawFirstMs: number; rawMedianMs: number; rawSamplesMs: number[] };
  /**
   * `vsRawCreate`: spawn → first result ÷ raw session create (the target); `readyToFirstResultVsRawCreate`:
   * the part after the worker was ready (model admission, session, first run) ÷ the same.
   */
  coldStart: {
    workerOff: ColdStart;
    workerOn: ColdStart;
    meanToFirstResultMs: number;
    vsRawCreate: number | null;
    meanReadyToFirstResultMs: number;
    readyToFirstResultVsRawCreate: number | null;
  };
  /**
   * `worker`: batching off (the figure the targets use); `workerOn`: the batching worker; `workerOrt`: the
   * batching-off jobs' time inside onnxruntime (the worker's runMs); `channel`: one call message out and
   * its reply back over a bare advanced-serialization IPC channel.
   */
  latency: { raw: Latency; worker: Latency; workerOn: Latency; workerOrt: Latency; channel: Latency; addedP50Ms: number; addedP99Ms: number; p50Ratio: number | null };
  throughput: ThroughputPoint[];
  peakRss: PeakRss;
  overhead: Overhead;
};

/** Where the figures came from. */
export type Machine = {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  arch: string;
  kernel: string;
  node: string;
  onnxruntime: string;
  /** GPUs the device detection found (names), empty for none. */
  gpus: string[];
  loadAverageStart: number[];
  loadAverageEnd: number[];
};

/** One issue target, judged on this run. */
export type TargetResult = { id: string; target: string; measured: string; met: boolean | null; note: string };

/** The whole report. */
export type BenchReport = {
  startedAt: string;
  durationS: number;
  quick: boolean;
  machine: Machine;
  providers: ProviderProbe[];
  worker: { sandbox: SandboxReport | null; intraOpNumThreads: number; batchingOn: WorkerConfig['batching'] };
  method: Record<string, string>;
  cases: CaseReport[];
  targets: TargetResult[];
};
