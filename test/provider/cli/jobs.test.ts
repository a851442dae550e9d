// `hearth jobs` against a real `hearth start` whose ledger holds seeded jobs: the table a person reads,
// newest first, paging with the cursor it prints, and the JSON page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPage } from '../../../common/api.js';
import { type HearthProcess, runHearth, spawnHearth } from '../../helpers/hearth-process.js';
import { SEED_COORDINATOR, type SeededLedger, deadMarketplaceUrl, seedLedger } from './seeded-ledger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let dataDir: string;
let seeded: SeededLedger;
let proc: HearthProcess;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir: dataDir, remove } = await makeTempDir('hearth-jobs-'));
  seeded = seedLedger(dataDir, 30);
  proc = spawnHearth(['start', '--data-dir', dataDir, '--dashboard-port', '0', '--marketplace', await deadMarketplaceUrl(), '--coordinator', SEED_COORDINATOR]);
  await proc.dashboardUrl();
});

afterAll(async () => {
  if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  await proc.exited;
  await remove();
});

/** The data rows of a printed table (everything between the header and the first blank line). */
function tableRows(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('TIME'));
  const end = lines.findIndex((line, i) => i > header && line === '');
  return lines.slice(header + 1, end === -1 ? undefined : end).filter((line) => !line.startsWith('Amounts in'));
}

describe('hearth jobs', () => {
  it('prints every job newest first: time, model, state in words, price, credit, device, run time, failure', async () => {
    const { code, stdout, stderr } = await runHearth(['jobs', '--data-dir', dataDir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TIME +MODEL +STATE +PRICE +CREDITED +DEVICE +RUN +REASON$/m);
    const rows = tableRows(stdout);
    expect(rows).toHaveLength(30);
    const times = rows.map((row) => row.slice(0, 19));
    expect([...times].sort().reverse()).toEqual(times);
    const newest = seeded.jobs.at(-1)!;
    expect(rows[0]).toContain(seeded.modelSha(newest.model).slice(0, 12));
    // seed-00029 is credited on the CPU; seed-00023 failed before running.
    expect(rows[0]).toMatch(/ Credited +1,250 +1,250 +cpu +13 ms$/);
    expect(rows[6]).toMatch(/ Failed +1,500 +- +- +- +model_error: The model failed to load in the worker\.$/);
    expect(stdout).toContain('Amounts in base units of token 0x00000000000000000000000000000000000000aa.');
    expect(stdout).not.toContain('Older jobs');
  });

  it('pages with --limit and the cursor it prints, without repeating or skipping a job', async () => {
    const first = await runHearth(['jobs', '--limit', '12', '--data-dir', dataDir]);
    expect(tableRows(first.stdout)).toHaveLength(12);
    const next = /Older jobs: hearth jobs --cursor (j\d+) --limit 12/.exec(first.stdout);
    expect(next).not.toBeNull();
    const pages = [JobPage.parse(JSON.parse((await runHearth(['jobs', '--json', '--limit', '12', '--data-dir', dataDir])).stdout))];
    while (pages.at(-1)!.nextCursor !== null) {
      const { stdout } = await runHearth(['jobs', '--json', '--limit', '12', '--cursor', pages.at(-1)!.nextCursor!, '--data-dir', dataDir]);
      pages.push(JobPage.parse(JSON.parse(stdout)));
    }
    expect(pages[0]!.nextCursor).toBe(next![1]);
    expect(pages.map((page) => page.items.length)).toEqual([12, 12, 6]);
    expect(pages.flatMap((page) => page.items.map((job) => job.id))).toEqual(seeded.jobs.map((job) => job.id).reverse());
  });

  it('prints the page as JSON the contract accepts, with exact amounts and what failed and why', async () => {
    const { code, stdout } = await runHearth(['jobs', '--json', '--data-dir', dataDir]);
    expect(code).toBe(0);
    const page = JobPage.parse(JSON.parse(stdout));
    expect(page.nextCursor).toBeNull();
    const failed = page.items.find((job) => job.id === 'seed-00003')!;
    expect(failed).toMatchObject({ state: 'failed', failCode: 'model_error', credited: null, price: '1750' });
    const rejected = page.items.find((job) => job.id === 'seed-00007')!;
    expect(rejected).toMatchObject({ state: 'rejected', reason: 'Every worker was busy.' });
    expect(page.items.find((job) => job.id === 'seed-00008')).toMatchObject({ state: 'credited', credited: '1250', deviceId: 'gpu:0' });
  });

  it('refuses a cursor it never gave with the provider\'s own sentence', async () => {
    const { code, stderr } = await runHearth(['jobs', '--cursor', 'bogus', '--data-dir', dataDir]);
    expect(code).toBe(1);
    expect(stderr).toBe('hearth: That page link is not valid any more; start again from the first page.\n');
  });
});
