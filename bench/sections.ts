/**
 * The bench's sections, in the order `npm run bench` runs them. Each is loaded on demand, so a section
 * that is not picked (`--only-section`) costs nothing, and runs with the shared options below; it returns
 * its figures (one key of the bench's JSON document) and its table text.
 */
import type { BenchPlan } from './plan.js';

/** What every section is given. */
export type SectionOptions = {
  /** The folder holding node_modules and out/ (two levels above out/main/bench.js). */
  appRoot: string;
  /** out/main/bench.js itself, for sections that start their own child processes from it. */
  benchEntry: string;
  /** Budgets: the full bench or `--quick` (a smoke run whose figures are not meaningful). */
  plan: BenchPlan;
  /** `--only ids`: the worker section's models (others may ignore it). */
  only?: readonly string[];
  /** One line of progress (goes to stderr). */
  progress: (line: string) => void;
};

/** A section's output: figures for the JSON document, and the same as a table for a terminal. */
export type SectionResult = { figures: unknown; text: string };

/** One section of the bench. */
export type BenchSection = { id: string; title: string; run: (options: SectionOptions) => Promise<SectionResult> };

/** Every section, in run order. */
export const SECTIONS: readonly BenchSection[] = [
  { id: 'worker', title: 'Inference: raw onnxruntime against the sandboxed worker', run: async (o) => (await import('./worker-section.js')).runWorkerSection(o) },
  { id: 'marketplace', title: 'Marketplace end to end over loopback against a minimal OIP server', run: async (o) => (await import('./marketplace/section.js')).runMarketplaceSection(o) },
  { id: 'scale', title: 'Coordinator at scale: simulated providers under consumer load', run: async (o) => (await import('./scale/section.js')).runScaleSection(o) },
  { id: 'payouts', title: 'Payouts: PayoutVault claim gas and latency on anvil', run: async (o) => (await import('./payouts/section.js')).runPayoutsSection(o) },
];

/** The sections named in `ids` (all when absent), or the unknown id. */
export function pickSections(ids: readonly string[] | undefined): { ok: true; sections: BenchSection[] } | { ok: false; unknown: string } {
  if (ids === undefined) return { ok: true, sections: [...SECTIONS] };
  const unknown = ids.find((id) => !SECTIONS.some((s) => s.id === id));
  if (unknown !== undefined) return { ok: false, unknown };
  return { ok: true, sections: SECTIONS.filter((s) => ids.includes(s.id)) };
}
