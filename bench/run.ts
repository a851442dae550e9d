/**
 * The bench's entry, built to out/main/bench.js (`npm run bench`, `hearth bench`):
 *
 *   node out/main/bench.js [--json] [--quick] [--only id,…]   the bench: a table and the JSON (--json:
 *                                               JSON only; --only: some models, e.g. ocr-rec,silero-vad)
 *   node out/main/bench.js --batching [prefix]  the batching study (bench/batching.ts)
 *   node out/main/bench.js --raw-child          the raw baseline process the bench starts itself
 *
 * Each mode is imported on demand, so the raw child loads onnxruntime and little else.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Before anything loads onnxruntime: it sends telemetry on Linux unless told not to.
process.env.ORT_DISABLE_TELEMETRY = '1';

const args = process.argv.slice(2);
/** This file once built (out/main/bench.js), and the app folder two levels up. */
const entry = fileURLToPath(import.meta.url);
const appRoot = join(import.meta.dirname, '..', '..');

async function main(): Promise<number> {
  if (args[0] === '--raw-child') {
    (await import('./raw-child.js')).serveRawChild();
    return -1;
  }
  if (args[0] === '--batching') {
    await (await import('./batching.js')).runBatchingStudy(appRoot, args[1], (line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1]?.split(',') : undefined;
  const unknown = args.find((a, i) => a !== '--json' && a !== '--quick' && a !== '--only' && !(onlyAt >= 0 && i === onlyAt + 1));
  if (unknown !== undefined || (onlyAt >= 0 && only === undefined)) {
    process.stderr.write(`bench: unknown option ${unknown ?? '--only without model ids'} (use --json, --quick, --only ids, or --batching)\n`);
    return 2;
  }
  const { runBench } = await import('./suite.js');
  const { FULL_PLAN, QUICK_PLAN } = await import('./plan.js');
  const { formatReport } = await import('./report-text.js');
  const json = args.includes('--json');
  const report = await runBench({
    appRoot,
    benchEntry: entry,
    plan: args.includes('--quick') ? QUICK_PLAN : FULL_PLAN,
    only,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  const text = JSON.stringify(report, null, 2);
  process.stdout.write(json ? `${text}\n` : `${formatReport(report)}\n${text}\n`);
  return 0;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
