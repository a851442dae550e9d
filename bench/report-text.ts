/** The bench report as text for a terminal: the machine, one table per model and provider, the targets. */
import type { SandboxReport } from '../common/worker-protocol.js';
import type { BenchReport, CaseReport } from './report-types.js';
import { formatTable, mib, num, times } from './table.js';

function sandboxText(sandbox: SandboxReport | null): string {
  if (sandbox === null) return 'unknown sandbox';
  const layers = [
    sandbox.bubblewrap && 'bubblewrap',
    sandbox.nodePermissions && 'Node permissions',
    sandbox.addressSpaceLimitBytes !== null && `prlimit --as ${(sandbox.addressSpaceLimitBytes / 1024 ** 3).toFixed(1)} GiB`,
    sandbox.envAllowlist && 'env allowlist',
    sandbox.privateWorkDir && 'private dir',
  ];
  return layers.filter((l): l is string => typeof l === 'string').join(', ');
}

function caseTable(c: CaseReport): string {
  const rows: string[][] = [];
  const { sessionCreate: s, coldStart: cold, latency: l, peakRss: rss } = c;
  rows.push([
    'create / cold start, ms',
    `${num(s.rawMedianMs)} (1st ${num(s.rawFirstMs)})`,
    `${num(cold.workerOff.toFirstResultMs)} (ready ${num(cold.workerOff.toReadyMs)})`,
    `${num(cold.workerOn.toFirstResultMs)} (ready ${num(cold.workerOn.toReadyMs)})`,
    `${times(cold.vsRawCreate)} create`,
  ]);
  rows.push(['  ready → first result, ms', '', num(cold.workerOff.toFirstResultMs - cold.workerOff.toReadyMs), num(cold.workerOn.toFirstResultMs - cold.workerOn.toReadyMs), `${times(cold.readyToFirstResultVsRawCreate)} create`]);
  const p50p99 = (x: { p50Ms: number; p99Ms: number }) => `${num(x.p50Ms, 3)} / ${num(x.p99Ms, 3)}`;
  rows.push(['latency p50 / p99, ms', p50p99(l.raw), p50p99(l.worker), p50p99(l.workerOn), `+${num(l.addedP50Ms, 3)} ms p50`]);
  rows.push(['  of it onnxruntime, ms', '', p50p99(l.workerOrt), '', "the worker's runMs"]);
  rows.push(['  bare IPC round trip, ms', '', p50p99(l.channel), '', 'same call and reply']);
  for (const p of c.throughput) {
    const rawMode = p.batch === 1 ? '' : ' stk';
    rows.push([
      `batch ${p.batch}, jobs/s`,
      `${num(p.raw)}${rawMode}`,
      num(p.workerOff),
      `${num(p.workerOn)} (×${num(p.workerOnMeanBatch)})`,
      p.batch === 1 ? `off ${times(p.offVsRawOneRow)}` : `off ${times(p.offVsRawOneRow)} 1-row, on ${times(p.onVsRaw)} stk`,
    ]);
  }
  rows.push([
    '  onnxruntime ms per job',
    c.throughput.map((p) => num(p.ortMsPerJob.raw, 2)).join(' / '),
    c.throughput.map((p) => num(p.ortMsPerJob.workerOff, 2)).join(' / '),
    c.throughput.map((p) => num(p.ortMsPerJob.workerOn, 2)).join(' / '),
    `batch ${c.throughput.map((p) => p.batch).join(' / ')}`,
  ]);
  rows.push(['peak RSS MiB, b1 / end', `${mib(rss.rawBatch1)} / ${mib(rss.raw)}`, `${mib(rss.workerOffBatch1)} / ${mib(rss.workerOff)}`, mib(rss.workerOn), `b1 ${times(rss.batch1Ratio)}, end ${times(rss.peakRatio)}`]);
  const o = c.overhead;
  const steps = `clone call ${num(o.msPerJob.cloneCall, 3)}, clone reply ${num(o.msPerJob.cloneReply, 3)}, zod ${num(o.msPerJob.validate, 3)}, copy in ${num(o.msPerJob.copyInputs, 3)}, sha256 ${num(o.msPerJob.outputSha256, 3)}, fingerprint ${num(o.msPerJob.fingerprint, 3)}`;
  return [
    `${c.label} · ${c.provider}${c.unbatchable ? ` (not batchable: ${c.unbatchable})` : ''}`,
    formatTable(['', 'raw', 'worker, batching off', 'batching on', 'worker ÷ raw'], rows),
    `  per-job CPU outside onnxruntime ≈ ${num(o.msPerJob.total, 3)} ms: ${steps}; in ${num(o.inputBytes / 1024, 0)} KiB, out ${num(o.outputBytes / 1024, 0)} KiB`,
  ].join('\n');
}

/** The whole report as text. */
export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Hearth bench, ${report.startedAt}, ${report.durationS.toFixed(0)} s${report.quick ? ' (--quick: figures are not meaningful)' : ''}`,
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB, ${m.platform} ${m.arch} ${m.kernel}, GPUs: ${m.gpus.length > 0 ? m.gpus.join(', ') : 'none'}; Node ${m.node}, onnxruntime-node ${m.onnxruntime}; load ${m.loadAverageStart.join(' ')} → ${m.loadAverageEnd.join(' ')}`,
    `Providers: ${report.providers.map((p) => `${p.name} ${p.available ? 'yes' : 'no'}`).join(', ')}`,
    `Worker: ${sandboxText(report.worker.sandbox)}; ${report.worker.intraOpNumThreads} intra-op threads; batching on = up to ${report.worker.batchingOn.maxBatch} rows, ${report.worker.batchingOn.maxDelayMs} ms`,
    `Raw: onnxruntime-node in one plain process, same session options; "stk" = batch rows stacked in one tensor per run; (×n) = mean rows per run`,
    '',
  ];
  for (const c of report.cases) lines.push(caseTable(c), '');
  lines.push('Targets (full supervisor + sandboxed worker path):');
  for (const t of report.targets) {
    const mark = t.met === null ? '?' : t.met ? 'met' : 'MISSED';
    lines.push(`  [${mark}] ${t.target}: ${t.measured}`, `         ${t.note}`);
  }
  return `${lines.join('\n')}\n`;
}
