/**
 * The bench's entry, built to out/main/bench.js (`npm run bench`, `hearth bench`):
 *
 *   node out/main/bench.js [--json] [--quick] [--only-section ids] [--only ids]
 *       the bench: each section's table, then one JSON document with a key per section (--json: the
 *       JSON only; --only-section: some sections, e.g. marketplace,scale (bench/sections.ts lists them);
 *       --only: the worker section's models, e.g. ocr-rec,silero-vad)
 *   node out/main/bench.js --batching [prefix]  the batching study (bench/batching.ts)
 *   node out/main/bench.js --raw-child          the raw baseline process the worker section starts itself
 *   node out/main/bench.js --child <name>       a process the marketplace and scale sections start themselves
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
  if (args[0] === '--child') {
    await (await import('./children.js')).runChild(args[1], args.slice(2), appRoot);
    return -1;
  }
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json' || arg === '--quick') values.set(arg, undefined);
    else if (arg === '--only' || arg === '--only-section') {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) return usage(`${arg} needs a comma-separated list`);
      values.set(arg, value);
      i += 1;
    } else return usage(`unknown option ${arg}`);
  }
  const { pickSections } = await import('./sections.js');
  const picked = pickSections(values.get('--only-section')?.split(','));
  if (!picked.ok) return usage(`unknown section ${picked.unknown}`);
  const { FULL_PLAN, QUICK_PLAN } = await import('./plan.js');
  const json = values.has('--json');
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const document: Record<string, unknown> = {};
  const texts: string[] = [];
  for (const section of picked.sections) {
    progress(`section ${section.id}: ${section.title}`);
    const result = await section.run({
      appRoot,
      benchEntry: entry,
      plan: values.has('--quick') ? QUICK_PLAN : FULL_PLAN,
      only: values.get('--only')?.split(','),
      progress: (line) => progress(`${section.id}: ${line}`),
    });
    document[section.id] = result.figures;
    texts.push(`== ${section.title} (${section.id}) ==\n${result.text}`);
  }
  const text = JSON.stringify(document, null, 2);
  process.stdout.write(json ? `${text}\n` : `${texts.join('\n')}\n${text}\n`);
  return 0;
}

function usage(problem: string): number {
  process.stderr.write(`bench: ${problem} (use --json, --quick, --only-section ids, --only model-ids, or --batching)\n`);
  return 2;
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
