/** `hearth jobs [--json] [--limit N] [--cursor C]`: the running provider's job history, newest first. */
import { formatTokenAmount, payoutToken, shortAddress, tokenDecimals } from '../../common/api-earnings.js';
import type { JobItem, Status } from '../../common/api.js';
import { jobStateLabel, shortModel } from '../../common/job-labels.js';
import { callProvider, connectToProvider } from './api-connection.js';
import { formatTable } from './text-table.js';

type JobsOptions = { json: boolean; dataDir: string; limit: number | undefined; cursor: string | undefined };

/** Prints one page of jobs as a table (with how to get the next page), or the page as JSON. */
export async function runJobs(options: JobsOptions, out: NodeJS.WritableStream): Promise<void> {
  const connection = await connectToProvider(options.dataDir);
  const page = await callProvider(connection, 'jobs.list', { cursor: options.cursor ?? null, ...(options.limit === undefined ? {} : { limit: options.limit }) });
  if (options.json) {
    out.write(`${JSON.stringify(page, null, 2)}\n`);
    return;
  }
  const status = await callProvider(connection, 'status.get', {});
  out.write(formatJobs(page.items, status.marketplace));
  if (page.nextCursor !== null) out.write(`\nOlder jobs: hearth jobs --cursor ${page.nextCursor}${options.limit === undefined ? '' : ` --limit ${options.limit}`}\n`);
}

/** The jobs as a table: time, model, state, price, credited, device, run time, and why a job failed. */
export function formatJobs(items: readonly JobItem[], marketplace: Status['marketplace']): string {
  if (items.length === 0) return 'No jobs yet. They appear here as the marketplace sends them.\n';
  const amount = (value: string, token: string) => `${formatTokenAmount(value, tokenDecimals(marketplace, token))}`;
  const tokens = new Set(items.map((job) => job.token));
  const rows = items.map((job) => [
    formatTime(job.offeredAt),
    shortModel(job.modelSha256),
    jobStateLabel(job.state),
    amount(job.price, job.token),
    job.credited === null ? '-' : amount(job.credited, job.token),
    ...(tokens.size > 1 ? [shortAddress(job.token)] : []),
    job.deviceId ?? '-',
    job.runMs === null ? '-' : `${Math.round(job.runMs)} ms`,
    job.failCode === null ? (job.reason ?? '') : `${job.failCode}${job.reason === null ? '' : `: ${job.reason}`}`,
  ]);
  const header = ['TIME', 'MODEL', 'STATE', 'PRICE', 'CREDITED', ...(tokens.size > 1 ? ['TOKEN'] : []), 'DEVICE', 'RUN', 'REASON'];
  const note = tokens.size === 1 ? `Amounts in ${describeToken([...tokens][0]!, marketplace)}.\n` : '';
  return formatTable(header, rows, new Set([3, 4])) + note;
}

/** "base units of token 0x…", or "USDC (0x…)" when the status names the token. */
export function describeToken(token: string, marketplace: Status['marketplace']): string {
  const known = payoutToken(marketplace, token);
  return known === null ? `base units of token ${token}` : `${known.symbol} (${token})`;
}

/** Local date and time to the second, sortable: "2026-11-25 17:57:09". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
