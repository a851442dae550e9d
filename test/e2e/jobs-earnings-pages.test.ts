// The Jobs and Earnings pages in real Chromium against a real `hearth start` whose ledger was seeded
// before it started: the job history scrolls to its oldest job while only a window of rows is in the
// DOM, the Earnings page shows the totals and breakdowns the API returns, the local demo marketplace
// is labelled, a provider without a marketplace says how to connect one, and the strict CSP (Trusted
// Types included) reports nothing — uPlot's canvas chart included.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EarningsBreakdown } from '../../common/api-earnings.js';
import type { Status } from '../../common/api.js';
import { type HearthProcess, spawnHearth } from '../helpers/hearth-process.js';
import { SEED_COORDINATOR, type SeededLedger, TOKEN, deadMarketplaceUrl, seedLedger } from '../provider/cli/seeded-ledger.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { type WatchedPage, launchChromium, openWatchedPage } from './chromium.js';

const root = new URL('../../', import.meta.url);
const JOBS = 450; // four and a half pages of 100
let browser: Browser;
let seeded: SeededLedger;
let seededUrl: string;
const cleanups: (() => Promise<unknown>)[] = [];
const perTest: (() => Promise<unknown>)[] = [];

async function startProvider(args: string[]): Promise<{ proc: HearthProcess; url: string }> {
  const proc = spawnHearth(['start', '--dashboard-port', '0', ...args]);
  cleanups.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  });
  return { proc, url: await proc.dashboardUrl() };
}

async function tempDir(): Promise<string> {
  const { dir, remove } = await makeTempDir('hearth-e2e-ledger-');
  cleanups.push(remove);
  return dir;
}

beforeAll(async () => {
  for (const built of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(new URL(built, root))) throw new Error(`${built} is missing; run \`npx electron-vite build\` first.`);
  }
  browser = await launchChromium();
  const dataDir = await tempDir();
  // One job every 20 minutes: the newest 48 hours and 30 days hold different subsets.
  seeded = seedLedger(dataDir, JOBS, { stepMs: 20 * 60_000 });
  ({ url: seededUrl } = await startProvider(['--data-dir', dataDir, '--marketplace', await deadMarketplaceUrl(), '--coordinator', SEED_COORDINATOR]));
});

afterEach(async () => {
  for (const cleanup of perTest.splice(0).reverse()) await cleanup().catch(() => undefined);
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await browser?.close();
});

async function watchedPage(): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser);
  perTest.push(() => watched.context.close());
  return watched;
}

/** Calls the provider's API as the dashboard does (the token from the printed address). */
async function api<T>(url: string, method: string, input: unknown = {}): Promise<T> {
  const token = new URL(url).hash.slice('#token='.length);
  const res = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value: T };
  expect(body.ok).toBe(true);
  return body.value;
}

const grouped = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const rowIds = (page: Page) => page.getByTestId('job-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id')));

describe('Jobs page', () => {
  it('lists the history newest first and scrolls to the oldest job, keeping only a window of rows in the DOM', async () => {
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(seededUrl);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await expect.poll(async () => (await rowIds(page))[0]).toBe(seeded.jobs.at(-1)!.id);
    const newest = page.locator(`[data-job-id="${seeded.jobs.at(-1)!.id}"]`);
    expect(await newest.getByTestId('job-state').textContent()).toBe('Credited');
    expect(await newest.getByTestId('job-credited').textContent()).toBe(grouped(seeded.jobs.at(-1)!.price.toString()));

    // Scroll down until the oldest job is there; pages load as the end comes into view.
    const scroller = page.getByTestId('job-scroll');
    const oldest = seeded.jobs[0]!;
    let mostRows = 0;
    await expect
      .poll(
        async () => {
          await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
          const ids = await rowIds(page);
          mostRows = Math.max(mostRows, ids.length);
          return ids.includes(oldest.id);
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);
    await expect.poll(() => page.getByTestId('job-count').textContent()).toBe(`${JOBS} jobs`);
    expect(await page.getByTestId('job-more').count()).toBe(0);
    // Virtualised: never more than a screenful and the overscan in the DOM, out of 450.
    expect(mostRows).toBeGreaterThan(5);
    expect(mostRows).toBeLessThan(40);
    const ids = await rowIds(page);
    expect(ids.at(-1)).toBe(oldest.id);
    // Consecutive, newest first, none repeated at the page seams (rows 100, 200, … came from later pages).
    const indexes = ids.map((id) => Number(id!.slice('seed-'.length)));
    expect(indexes).toEqual(indexes.map((_, i) => indexes[0]! - i));

    // A failed job says what failed and why; a credited one, where it ran and how long it took.
    const failed = page.locator('[data-job-id="seed-00003"]');
    expect(await failed.getByTestId('job-state').textContent()).toBe('Failed');
    expect(await failed.locator('.job-failure').textContent()).toBe('model_error: The model failed to load in the worker.');
    expect(await page.locator('[data-job-id="seed-00000"] [role="cell"]').allTextContents()).toEqual([
      expect.any(String) as unknown as string,
      seeded.modelSha('model-b').slice(0, 12),
      'Credited',
      '1,000',
      '1,000',
      'gpu:0',
      '13 ms',
      '',
    ]);

    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('says there is no marketplace, and how to connect one, on a provider without one', async () => {
    const { url } = await startProvider(['--data-dir', await tempDir(), '--no-marketplace']);
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(url);
    for (const name of ['Jobs', 'Earnings']) {
      await page.getByRole('link', { name }).click();
      const needed = page.getByTestId('marketplace-needed');
      await expect.poll(() => needed.count()).toBe(1);
      expect(await needed.textContent()).toContain('--marketplace URL --coordinator 0xADDRESS');
    }
    expect(await page.getByTestId('local-demo-banner').count()).toBe(0);
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('live', () => {
  it('follows the local demo marketplace: new jobs and credits appear without a reload', async () => {
    // The embedded default: a coordinator, a local chain and a demand generator on this machine.
    const { url } = await startProvider(['--data-dir', await tempDir()]);
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'Jobs' }).click();
    const count = async () => Number(/^(\d+)/.exec((await page.getByTestId('job-count').textContent().catch(() => null)) ?? '')?.[1] ?? 0);
    await expect.poll(count, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await count();
    await expect.poll(count, { timeout: 30_000 }).toBeGreaterThan(first);
    expect(await page.getByTestId('job-state').allTextContents()).toContain('Credited');

    await page.getByRole('link', { name: 'Earnings' }).click();
    const total = page.getByTestId('earnings-total-amount').first();
    await expect.poll(() => total.count(), { timeout: 15_000 }).toBe(1);
    const before = await total.getAttribute('data-amount-total');
    await expect.poll(async () => (await api<{ totals: { credited: string }[] }>(url, 'earnings.summary')).totals[0]?.credited !== before, { timeout: 30_000 }).toBe(true);
    // What the page shows catches up with what the API says, by itself.
    await expect
      .poll(async () => (await total.getAttribute('data-amount-total')) === (await api<{ totals: { credited: string }[] }>(url, 'earnings.summary')).totals[0]!.credited, { timeout: 15_000 })
      .toBe(true);
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('Earnings page', () => {
  it('shows the totals, the chart and the breakdowns the API returns, with a clean CSP', async () => {
    const summary = await api<{ totals: { token: string; credited: string; jobs: number }[] }>(seededUrl, 'earnings.summary');
    expect(summary.totals).toEqual([{ token: TOKEN, credited: seeded.credited.toString(), jobs: seeded.creditedJobs }]);
    const byModel = await api<EarningsBreakdown>(seededUrl, 'earnings.breakdown', { by: 'model' });
    const byDevice = await api<EarningsBreakdown>(seededUrl, 'earnings.breakdown', { by: 'device' });

    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(seededUrl);
    await page.getByRole('link', { name: 'Earnings' }).click();
    const total = page.locator(`[data-testid="earnings-total"][data-token="${TOKEN}"]`);
    await expect.poll(() => total.count()).toBe(1);
    expect(await total.getByTestId('earnings-total-amount').textContent()).toBe(`${grouped(seeded.credited.toString())} base units`);
    expect(await total.textContent()).toContain(`${seeded.creditedJobs} jobs`);

    // The chart is a canvas uPlot drew into; the exact amounts per day are in the table under it.
    const chart = page.getByTestId('earnings-chart');
    await expect.poll(() => chart.locator('canvas').count()).toBe(1);
    expect(await chart.locator('canvas').evaluate((canvas) => (canvas as unknown as { width: number }).width)).toBeGreaterThan(200);
    const byDay = await api<EarningsBreakdown>(seededUrl, 'earnings.breakdown', { by: 'day', utcOffsetMinutes: await page.evaluate(() => -new Date().getTimezoneOffset()) });
    await page.getByText('Exact amounts').click();
    expect(await page.getByTestId('earnings-by-period-amount').allTextContents()).toEqual(byDay.rows.map((row) => grouped(row.amount)).reverse());
    await page.getByRole('button', { name: 'By hour' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Credited per hour, last 48 hours' }).count()).toBe(1);
    await expect.poll(() => chart.locator('canvas').count()).toBe(1);
    const byHour = await api<EarningsBreakdown>(seededUrl, 'earnings.breakdown', { by: 'hour', utcOffsetMinutes: await page.evaluate(() => -new Date().getTimezoneOffset()) });
    expect(byHour.rows.length).toBeGreaterThan(40);
    await expect.poll(() => page.getByTestId('earnings-by-period-amount').allTextContents()).toEqual(byHour.rows.map((row) => grouped(row.amount)).reverse());

    expect(await page.getByTestId('earnings-by-model-amount').allTextContents()).toEqual(byModel.rows.map((row) => grouped(row.amount)));
    expect(await page.getByTestId('earnings-by-model-row').locator('th').allTextContents()).toEqual(byModel.rows.map((row) => row.key!.slice(0, 12)));
    expect(await page.getByTestId('earnings-by-device-row').locator('th').allTextContents()).toEqual(byDevice.rows.map((row) => row.key));
    expect(await page.getByTestId('earnings-by-device-amount').allTextContents()).toEqual(byDevice.rows.map((row) => grouped(row.amount)));

    // For a person judging the design: HEARTH_SCREENSHOT_DIR=/tmp npx vitest run test/e2e/jobs-earnings-pages.test.ts
    const screenshotDir = process.env.HEARTH_SCREENSHOT_DIR;
    if (screenshotDir) {
      await page.screenshot({ path: join(screenshotDir, 'earnings.png'), fullPage: true });
      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByTestId('job-row').first().waitFor();
      await page.screenshot({ path: join(screenshotDir, 'jobs.png'), fullPage: true });
    }

    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('labels the local demo marketplace on every page when the status says so', async () => {
    // The embedded default is what reports kind "local-demo"; here the provider's own status is passed
    // through with only that field changed (status.get and the event stream), everything else real.
    const status = await api<Status>(seededUrl, 'status.get');
    expect(status.marketplace?.kind).toBe('remote');
    const demo = (s: Status): Status => ({ ...s, marketplace: { ...s.marketplace!, kind: 'local-demo' } });
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.route('**/api/status.get', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { ok: true; value: Status };
      await route.fulfill({ response: res, json: { ok: true, value: demo(body.value) } });
    });
    await page.route('**/api/events', (route) =>
      route.fulfill({ status: 200, contentType: 'text/event-stream', body: `event: status\ndata: ${JSON.stringify(demo(status))}\n\n` }),
    );
    await page.goto(seededUrl);
    const banner = page.getByTestId('local-demo-banner');
    await expect.poll(() => banner.count()).toBe(1);
    expect(await banner.textContent()).toBe('Demo Local demo marketplaceJobs come from a demand generator on this machine; payouts go to a local test chain.');
    await page.getByRole('link', { name: 'Earnings' }).click();
    expect(await banner.count()).toBe(1);
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
