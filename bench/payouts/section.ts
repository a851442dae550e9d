/**
 * The `payouts` section: PayoutVault claim gas (first and later claim, against a plain token transfer
 * in the same run) and claim latency on a local anvil (bench/payouts/claim-gas.ts).
 */
import { loadAverage } from '../machine.js';
import type { TargetResult } from '../report-types.js';
import type { SectionOptions, SectionResult } from '../sections.js';
import { formatTable, num, times } from '../table.js';
import { type ClaimGasFigures, measureClaimGas } from './claim-gas.js';

/** The later-claim gas target (docs/payouts.md). */
export const LATER_CLAIM_GAS_TARGET = 55_000;

/** The section's figures (its key in the bench's JSON). */
export type PayoutsFigures = ClaimGasFigures & { quick: boolean; loadAverage: { start: number[]; end: number[] }; targets: TargetResult[] };

/** Runs the section. */
export async function runPayoutsSection(options: SectionOptions): Promise<SectionResult> {
  const start = loadAverage();
  const measured = await measureClaimGas({ claims: options.plan.quick ? 5 : 50, progress: options.progress });
  const figures: PayoutsFigures = { quick: options.plan.quick, loadAverage: { start, end: loadAverage() }, ...measured, targets: [] };
  figures.targets = [
    {
      id: 'payouts-later-claim-gas',
      target: `a provider's later claim ≤ ${LATER_CLAIM_GAS_TARGET.toLocaleString('en-US')} gas`,
      measured: `${figures.gas.laterClaim} gas (first claim ${figures.gas.firstClaim})`,
      met: figures.gas.laterClaim <= LATER_CLAIM_GAS_TARGET,
      note: `a plain transfer of the same token costs ${figures.gas.tokenTransfer} gas in the same run (the claim is ${times(figures.gas.laterClaimVsTransfer)} that)`,
    },
  ];
  return { figures, text: formatPayouts(figures) };
}

/** The section as text. */
export function formatPayouts(f: PayoutsFigures): string {
  const rows = [
    ['first claim, gas', String(f.gas.firstClaim)],
    ['later claim, gas', String(f.gas.laterClaim)],
    ['baseline: token transfer, gas', String(f.gas.tokenTransfer)],
    ['later claim − transfer, gas', `${f.gas.laterClaimOverTransfer} (${times(f.gas.laterClaimVsTransfer)})`],
    [`claim latency p50 / p99, ms (${f.latency.claims} claims)`, `${num(f.latency.p50Ms, 2)} / ${num(f.latency.p99Ms, 2)}`],
    ['  simulate / send / receipt p50, ms', `${num(f.latency.simulateP50Ms, 2)} / ${num(f.latency.sendP50Ms, 2)} / ${num(f.latency.receiptP50Ms, 2)}`],
  ];
  const lines = [
    `${f.quick ? '(--quick: latency figures are not meaningful) ' : ''}load ${f.loadAverage.start.join(' ')} → ${f.loadAverage.end.join(' ')}; ${f.compiler}, ${f.settings.evmVersion}, optimizer runs ${f.settings.optimizerRuns}, viaIR ${f.settings.viaIR}`,
    formatTable(['', 'PayoutVault on anvil'], rows),
    'Targets (payouts):',
  ];
  for (const t of f.targets) lines.push(`  [${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.measured}`, `         ${t.note}`);
  return `${lines.join('\n')}\n`;
}
