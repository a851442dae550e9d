/**
 * The issue's targets for the full supervisor + sandboxed worker path, judged on one run's figures.
 * They are benchmark goals, never test assertions: a miss is reported with its size, not thrown.
 */
import type { CaseReport, TargetResult } from './report-types.js';

const x = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(2)}×`);
const NPM_MODELS = ['ocr-rec', 'ocr-det', 'silero-vad'];

function ocrThroughput(c: CaseReport): TargetResult {
  const ratios = c.throughput.map((p) => p.offVsRawOneRow);
  const known = ratios.filter((r): r is number => r !== null);
  const worst = known.length === ratios.length ? Math.min(...known) : null;
  return {
    id: `ocr-rec-throughput/${c.provider}`,
    target: '≥ 0.95× raw throughput on OCR recognition',
    measured: c.throughput.map((p) => `batch ${p.batch}: ${x(p.offVsRawOneRow)}`).join(', '),
    met: worst === null ? null : worst >= 0.95,
    note: 'worker with batching off (jobs in flight = batch) ÷ raw one row per run; batching on and raw stacked rows are in the table',
  };
}

function vadLatency(c: CaseReport): TargetResult {
  return {
    id: `vad-added-p50/${c.provider}`,
    target: 'added p50 latency ≤ 0.5 ms on Silero VAD',
    measured: `+${c.latency.addedP50Ms.toFixed(3)} ms (raw ${c.latency.raw.p50Ms.toFixed(3)} ms, worker ${c.latency.worker.p50Ms.toFixed(3)} ms)`,
    met: c.latency.addedP50Ms <= 0.5,
    note: 'single-row jobs one after another, as the provider sees them (supervisor call to result)',
  };
}

function coldStart(cases: CaseReport[], provider: string): TargetResult {
  const ratios = cases.map((c) => c.coldStart.vsRawCreate);
  return {
    id: `cold-start/${provider}`,
    target: 'worker cold start to first result ≤ 2× raw session create',
    measured: cases.map((c) => `${c.id} ${c.coldStart.meanToFirstResultMs.toFixed(0)} ms = ${x(c.coldStart.vsRawCreate)} of ${c.sessionCreate.rawMedianMs.toFixed(0)} ms`).join('; '),
    met: ratios.some((r) => r === null) ? null : ratios.every((r) => r! <= 2),
    note:
      'spawn of the sandbox, engine thread, provider probe, model admission, session create and first run, against one raw InferenceSession.create of the same bytes; ' +
      `a ready worker's first job of a new model: ${cases.map((c) => `${c.id} ${x(c.coldStart.readyToFirstResultVsRawCreate)}`).join(', ')}`,
  };
}

function batching(c: CaseReport): TargetResult {
  const merged = c.throughput.filter((p) => p.batch > 1);
  return {
    id: `batching/${c.provider}`,
    target: 'with batching on a batchable model, throughput above unbatched',
    measured: merged
      .map((p) => `batch ${p.batch}: ${x(p.batchingGain)} (mean batch ${p.workerOnMeanBatch.toFixed(1)}${p.workerOnMeanBatch < 1.05 ? ', the worker stopped merging' : ''})`)
      .join(', '),
    met: merged.length === 0 || merged.some((p) => p.batchingGain === null) ? null : merged.every((p) => p.batchingGain! > 1),
    note: `${c.label}: worker batching on ÷ batching off, same jobs in flight; a fresh batching worker per batch size`,
  };
}

/** Judges every target for every provider the run covered. */
export function judgeTargets(cases: CaseReport[]): TargetResult[] {
  const results: TargetResult[] = [];
  for (const provider of [...new Set(cases.map((c) => c.provider))]) {
    const mine = cases.filter((c) => c.provider === provider);
    const rec = mine.find((c) => c.id === 'ocr-rec');
    const vad = mine.find((c) => c.id === 'silero-vad');
    const mlp = mine.find((c) => c.id === 'mlp');
    const npm = mine.filter((c) => NPM_MODELS.includes(c.id));
    if (rec) results.push(ocrThroughput(rec));
    if (vad) results.push(vadLatency(vad));
    if (npm.length > 0) results.push(coldStart(npm, provider));
    if (mlp) results.push(batching(mlp));
  }
  return results;
}
