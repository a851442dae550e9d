/** The `worker` section: the inference suite (raw onnxruntime against the sandboxed worker), unchanged. */
import { formatReport } from './report-text.js';
import type { SectionOptions, SectionResult } from './sections.js';
import { runBench } from './suite.js';

/** Runs the worker suite and formats its report. */
export async function runWorkerSection(options: SectionOptions): Promise<SectionResult> {
  const report = await runBench({ appRoot: options.appRoot, benchEntry: options.benchEntry, plan: options.plan, only: options.only, progress: options.progress });
  return { figures: report, text: formatReport(report) };
}
