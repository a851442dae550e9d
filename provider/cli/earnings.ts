/** `hearth earnings [--json] [--by hour|day|week|model|device]`: what the coordinator credited, per token and broken down. */
import { type EarningsBreakdown, type EarningsBy, formatTokenAmount, payoutToken, shortAddress, tokenDecimals } from '../../common/api-earnings.js';
import type { MethodOutput, Status } from '../../common/api.js';
import { shortModel } from '../../common/job-labels.js';
import { callProvider, connectToProvider } from './api-connection.js';
import { formatTime } from './jobs.js';
import { formatTable } from './text-table.js';

type EarningsOptions = { json: boolean; dataDir: string; by: EarningsBy };

/** Prints the totals per token and the breakdown as tables, or both as one JSON object. */
export async function runEarnings(options: EarningsOptions, out: NodeJS.WritableStream): Promise<void> {
  const connection = await connectToProvider(options.dataDir);
  const summary = await callProvider(connection, 'earnings.summary', {});
  const breakdown = await callProvider(connection, 'earnings.breakdown', { by: options.by, utcOffsetMinutes: -new Date().getTimezoneOffset() });
  if (options.json) {
    out.write(`${JSON.stringify({ totals: summary.totals, breakdown }, null, 2)}\n`);
    return;
  }
  const status = await callProvider(connection, 'status.get', {});
  out.write(formatEarnings(summary, breakdown, status.marketplace));
}

const GROUP_TITLES: Record<EarningsBy, string> = { hour: 'HOUR', day: 'DAY', week: 'WEEK OF', model: 'MODEL', device: 'DEVICE' };
const RANGE_WORDS: Record<EarningsBy, string> = {
  hour: 'by hour, last 48 hours',
  day: 'by day, last 30 days',
  week: 'by week (from Monday), last 26 weeks',
  model: 'by model, all time',
  device: 'by device, all time',
};

/** The totals table, then the breakdown table, amounts with the token's decimals when known. */
export function formatEarnings(summary: MethodOutput<'earnings.summary'>, breakdown: EarningsBreakdown, marketplace: Status['marketplace']): string {
  if (summary.totals.length === 0) return 'Nothing credited yet. Credits appear here once the coordinator acknowledges a job’s result.\n';
  const amount = (value: string, token: string) => formatTokenAmount(value, tokenDecimals(marketplace, token));
  const unit = (token: string) => payoutToken(marketplace, token)?.symbol ?? 'base units';
  const totals = formatTable(
    ['TOKEN', 'CREDITED', 'UNIT', 'JOBS'],
    summary.totals.map((t) => [t.token, amount(t.credited, t.token), unit(t.token), String(t.jobs)]),
    new Set([1, 3]),
  );
  const title = `Credited ${RANGE_WORDS[breakdown.by]}:`;
  const rows = breakdown.rows.map((row) => [group(breakdown.by, row.start, row.key), shortAddress(row.token), amount(row.amount, row.token), String(row.jobs)]);
  const table = rows.length === 0 ? ' nothing in this range.\n' : `\n${formatTable([GROUP_TITLES[breakdown.by], 'TOKEN', 'CREDITED', 'JOBS'], rows, new Set([2, 3]))}`;
  return `Credited in total, per token:\n${totals}\n${title}${table}${breakdown.truncated ? `Only the first ${rows.length} rows are shown.\n` : ''}`;
}

function group(by: EarningsBy, start: number | null, key: string | null): string {
  if (start !== null) {
    const time = formatTime(start);
    return by === 'hour' ? time.slice(0, 16) : time.slice(0, 10);
  }
  if (by === 'model' && key !== null) return shortModel(key);
  return key ?? '-';
}
