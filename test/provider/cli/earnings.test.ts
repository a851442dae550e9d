// `hearth earnings` against a real `hearth start` whose ledger holds seeded credits: the totals per token,
// the breakdowns by period, model and device, in text and as JSON, matching what was credited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningsBreakdown } from '../../../common/api-earnings.js';
import { EarningsSummary } from '../../../common/api.js';
import { type HearthProcess, runHearth, spawnHearth } from '../../helpers/hearth-process.js';
import { SEED_COORDINATOR, type SeededLedger, TOKEN, deadMarketplaceUrl, seedLedger } from './seeded-ledger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const HOUR = 3_600_000;
let dataDir: string;
let seeded: SeededLedger;
let proc: HearthProcess;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir: dataDir, remove } = await makeTempDir('hearth-earnings-'));
  // 80 jobs an hour apart: the newest 48 hours hold only some of them.
  seeded = seedLedger(dataDir, 80);
  proc = spawnHearth(['start', '--data-dir', dataDir, '--dashboard-port', '0', '--marketplace', await deadMarketplaceUrl(), '--coordinator', SEED_COORDINATOR]);
  await proc.dashboardUrl();
});

afterAll(async () => {
  if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  await proc.exited;
  await remove();
});

const Output = EarningsSummary.extend({ breakdown: EarningsBreakdown });

async function earningsJson(by?: string) {
  const { code, stdout, stderr } = await runHearth(['earnings', '--json', ...(by === undefined ? [] : ['--by', by]), '--data-dir', dataDir]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return Output.parse(JSON.parse(stdout));
}

const sum = (amounts: readonly string[]) => amounts.reduce((total, amount) => total + BigInt(amount), 0n);
const group = (thousands: bigint) => thousands.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

describe('hearth earnings', () => {
  it('prints the total per token and the credits by day, in base units while the token has no known decimals', async () => {
    const { code, stdout } = await runHearth(['earnings', '--data-dir', dataDir]);
    expect(code).toBe(0);
    expect(stdout).toContain('Credited in total, per token:\n');
    expect(stdout).toMatch(new RegExp(`^${TOKEN} +${group(seeded.credited)} +base units +${seeded.creditedJobs}$`, 'm'));
    expect(stdout).toContain('Credited by day, last 30 days:');
    expect(stdout).toMatch(/^DAY +TOKEN +CREDITED +JOBS$/m);
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\d +0x0000…00aa +[\d,]+ +\d+$/m);
  });

  it('gives totals and a day breakdown as JSON that add up to exactly what was credited', async () => {
    const { totals, breakdown } = await earningsJson();
    expect(totals).toEqual([{ token: TOKEN, credited: seeded.credited.toString(), jobs: seeded.creditedJobs }]);
    expect(breakdown.by).toBe('day');
    expect(sum(breakdown.rows.map((row) => row.amount))).toBe(seeded.credited);
    expect(breakdown.rows.reduce((jobs, row) => jobs + row.jobs, 0)).toBe(seeded.creditedJobs);
    const starts = breakdown.rows.map((row) => row.start!);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('by hour covers the last 48 hours only, one bucket per credited job here', async () => {
    const { breakdown } = await earningsJson('hour');
    const inRange = seeded.jobs.filter((job) => job.state === 'credited' && job.offeredAt >= breakdown.from);
    expect(breakdown.to - breakdown.from).toBeGreaterThanOrEqual(48 * HOUR);
    expect(breakdown.rows.map((row) => row.amount)).toEqual(inRange.map((job) => job.price.toString()));
    expect(inRange.length).toBeLessThan(seeded.creditedJobs);
  });

  it('by model and by device match the seeded jobs, largest first', async () => {
    const credited = seeded.jobs.filter((job) => job.state === 'credited');
    const expected = (key: (job: (typeof credited)[number]) => string) => {
      const totals = new Map<string, { amount: bigint; jobs: number }>();
      for (const job of credited) {
        const entry = totals.get(key(job)) ?? { amount: 0n, jobs: 0 };
        totals.set(key(job), { amount: entry.amount + job.price, jobs: entry.jobs + 1 });
      }
      return [...totals]
        .sort((a, b) => (a[1].amount > b[1].amount ? -1 : 1))
        .map(([k, v]) => ({ start: null, key: k, token: TOKEN, amount: v.amount.toString(), jobs: v.jobs }));
    };
    expect((await earningsJson('model')).breakdown.rows).toEqual(expected((job) => seeded.modelSha(job.model)));
    expect((await earningsJson('device')).breakdown.rows).toEqual(expected((job) => job.deviceId));
    const { stdout } = await runHearth(['earnings', '--by', 'device', '--data-dir', dataDir]);
    expect(stdout).toMatch(/^DEVICE +TOKEN +CREDITED +JOBS\ncpu +0x0000…00aa/m);
  });
});
