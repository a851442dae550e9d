/** How a person reads a job's ledger state, the same words in the CLI and on the dashboard. */
import type { z } from 'zod';
import type { JobState } from './api.js';

const LABELS: Record<z.infer<typeof JobState>, string> = {
  offered: 'Offered',
  accepted: 'Accepted',
  running: 'Running',
  result_sent: 'Awaiting credit',
  failed: 'Failed',
  credited: 'Credited',
  rejected: 'Rejected',
};

/** The state in words: "Awaiting credit" for result_sent, "Rejected" when either side declined it. */
export function jobStateLabel(state: z.infer<typeof JobState>): string {
  return LABELS[state];
}

/** A model's sha256 shortened for a table row. */
export function shortModel(sha256: string): string {
  return sha256.slice(0, 12);
}
