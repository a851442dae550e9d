// The scheduler card on the dashboard and the Settings page, in real Chromium against a real
// `hearth start --no-marketplace` (no coordinator: light, and the scheduler runs all the same on the
// CPU worker): the card says in words what the node does and why, the CPU's readings say they are not
// measurable (never 0), a manual pause outlives a provider restart on the same data folder and Resume
// lifts it; the Settings page shows the defaults, shows the provider's range or window message beside
// what it names and saves nothing then, keeps a valid change across a reload, and the strict CSP
// reports nothing.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HearthProcess, spawnHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { type WatchedPage, launchChromium, openWatchedPage } from './chromium.js';

const root = new URL('../../', import.meta.url);
let browser: Browser;
const cleanups: (() => Promise<unknown>)[] = [];
const perTest: (() => Promise<unknown>)[] = [];

/** Starts the provider on `dataDir`; `stop` ends it with SIGTERM, as a person's Ctrl-C would. */
async function startProvider(dataDir: string): Promise<{ proc: HearthProcess; url: string; stop: () => Promise<void> }> {
  const proc = spawnHearth(['start', '--no-marketplace', '--data-dir', dataDir, '--dashboard-port', '0']);
  const stop = async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    await proc.exited;
  };
  cleanups.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  });
  return { proc, url: await proc.dashboardUrl(), stop };
}

async function tempDir(): Promise<string> {
  const { dir, remove } = await makeTempDir('hearth-e2e-settings-');
  cleanups.push(remove);
  return dir;
}

beforeAll(async () => {
  for (const built of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(new URL(built, root))) throw new Error(`${built} is missing; run \`npx electron-vite build\` first.`);
  }
  browser = await launchChromium();
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

// A refused update is an HTTP 400, which Chromium logs as a failed resource load; that one is expected.
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 400/.test(e));

const action = (page: Page) => page.getByTestId('scheduler-action');
const reasons = (page: Page) => page.getByTestId('scheduler-reasons').allTextContents();

/** The settings file as the provider saved it. */
async function savedSettings(dataDir: string): Promise<{ scheduler?: Record<string, unknown> }> {
  const path = join(dataDir, 'settings.json');
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as { scheduler?: Record<string, unknown> }) : {};
}

describe('Scheduler on the dashboard', () => {
  it('says the node is working, pauses by hand across a restart, and resumes', async () => {
    const dataDir = await tempDir();
    const first = await startProvider(dataDir);
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(first.url);

    await expect.poll(() => action(page).textContent()).toBe('Working');
    // The CPU worker's readings are not measurable, and say why, rather than showing 0 °C or 0 W.
    const cpu = page.locator('[data-testid="scheduler-device"][data-device-id="cpu"]');
    expect(await cpu.getByTestId('scheduler-unmeasurable').textContent()).toBe(
      'Temperature, power, utilization and VRAM: not measurable — This worker runs on the CPU; GPU readings do not apply to it.',
    );
    expect(await cpu.textContent()).not.toMatch(/\b0 (°C|W)\b/);

    await page.getByTestId('scheduler-toggle').click();
    await expect.poll(() => action(page).textContent()).toBe('Paused');
    await expect.poll(() => reasons(page)).toEqual(['Paused by you Paused by you. Resume it from the dashboard when you want Hearth to earn again.']);
    expect(await page.getByTestId('scheduler-toggle').textContent()).toBe('Resume');

    // Stop the provider and start it again on the same data folder: still paused, for the same reason.
    await first.stop();
    const second = await startProvider(dataDir);
    await page.goto(second.url);
    // The old page's event stream broke and its reconnects were refused while the provider was down.
    consoleErrors.splice(0);
    await expect.poll(() => action(page).textContent()).toBe('Paused');
    expect(await reasons(page)).toEqual(['Paused by you Paused by you. Resume it from the dashboard when you want Hearth to earn again.']);

    await page.getByTestId('scheduler-toggle').click();
    await expect.poll(() => action(page).textContent()).toBe('Working');
    expect(await page.getByTestId('scheduler-reasons').count()).toBe(0);
    expect(await page.getByTestId('scheduler-toggle').textContent()).toBe('Pause');

    // One device on its own: the device says paused and why; the node holds back every job for it.
    await cpu.getByTestId('scheduler-device-toggle').click();
    await expect.poll(() => cpu.getByTestId('scheduler-device-action').textContent()).toBe('Paused');
    await expect.poll(() => action(page).textContent()).toBe('Paused');
    expect(await reasons(page)).toEqual(['Paused by you (cpu) Device cpu is paused by you until you resume it.']);
    expect(await cpu.getByTestId('scheduler-device-toggle').textContent()).toBe('Resume cpu');
    await cpu.getByTestId('scheduler-device-toggle').click();
    await expect.poll(() => action(page).textContent()).toBe('Working');

    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('Settings page', () => {
  it('shows the defaults, refuses an out-of-range thermal cap with its range, and keeps a valid change across a reload', async () => {
    const dataDir = await tempDir();
    const { url } = await startProvider(dataDir);
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'Settings' }).click();

    const thermal = page.getByLabel('Thermal cap');
    await expect.poll(() => thermal.inputValue()).toBe('83');
    expect(await page.getByLabel('VRAM kept free for you').inputValue()).toBe('1');
    expect(await page.getByRole('checkbox', { name: 'Gaming mode' }).isChecked()).toBe(true);
    expect(await page.getByTestId('field-thermalCapC').textContent()).toContain('50–100 °C, default 83 °C');

    await thermal.fill('150');
    expect(await page.getByTestId('settings-unsaved').textContent()).toBe('1 unsaved change');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('error-thermalCapC').textContent()).toBe('Must be between 50 and 100 °C.');
    // Nothing saved: the provider still has the default, and the typed value stays for the person to fix.
    expect((await savedSettings(dataDir)).scheduler?.thermalCapC ?? 83).toBe(83);
    expect(await thermal.inputValue()).toBe('150');

    // Unsaved changes survive a trip to another page.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => thermal.inputValue()).toBe('150');

    await thermal.fill('78');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('settings-unsaved').textContent()).toBe('Saved.');
    expect(await page.getByTestId('error-thermalCapC').count()).toBe(0);
    expect((await savedSettings(dataDir)).scheduler?.thermalCapC).toBe(78);

    await page.reload();
    await expect.poll(() => page.getByLabel('Thermal cap').inputValue()).toBe('78');

    // The electricity price is checked by the provider too; Revert puts back what is in force.
    const price = page.getByLabel('Price per kWh');
    await price.fill('200');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('error-electricityPrice').textContent()).toBe('Must be between 0 and 100 per kWh.');
    await page.getByRole('button', { name: 'Revert' }).click();
    expect(await price.inputValue()).toBe('0.30');
    expect(await page.getByTestId('error-electricityPrice').count()).toBe(0);
    expect(await page.getByTestId('settings-unsaved').textContent()).toBe('No unsaved changes.');

    expect(await cspViolations()).toEqual([]);
    expect(unexpected(consoleErrors)).toEqual([]);
  });

  it('refuses an overlapping schedule window with a message naming it, and saves a valid schedule', async () => {
    const dataDir = await tempDir();
    const { url } = await startProvider(dataDir);
    const { page, consoleErrors, cspViolations } = await watchedPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'Settings' }).click();

    const windows = page.getByTestId('schedule-window');
    await page.getByRole('button', { name: 'Add a window' }).click();
    await page.getByRole('button', { name: 'Add a window' }).click();
    expect(await windows.count()).toBe(2);
    // Window 2: weekdays 17:00–20:00, overlapping window 1's 09:00–18:00.
    await page.getByLabel('Window 2 from').fill('17:00');
    await page.getByLabel('Window 2 to').fill('20:00');
    await page.getByRole('button', { name: 'Save' }).click();

    const error = windows.nth(1).getByTestId('window-error');
    await expect.poll(() => error.textContent()).toBe('window 2 (mon, tue, wed, thu, fri 17:00–20:00) overlaps window 1 (mon, tue, wed, thu, fri 09:00–18:00) on mon; merge them into one window.');
    expect(await windows.nth(0).getByTestId('window-error').count()).toBe(0);
    const refused = (await savedSettings(dataDir)).scheduler?.schedule as { offWindows?: unknown[] } | undefined;
    expect(refused?.offWindows ?? []).toEqual([]);

    // Move window 2 past the first one's end and drop Monday: accepted, and there after a reload.
    await page.getByLabel('Window 2 from').fill('18:00');
    await windows.nth(1).getByLabel('Mon').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('settings-unsaved').textContent()).toBe('Saved.');
    expect((await savedSettings(dataDir)).scheduler?.schedule).toEqual({
      timeZone: null,
      offWindows: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
        { days: ['tue', 'wed', 'thu', 'fri'], from: '18:00', to: '20:00' },
      ],
    });
    await page.reload();
    await expect.poll(() => windows.count()).toBe(2);
    expect(await page.getByLabel('Window 2 from').inputValue()).toBe('18:00');
    expect(await page.getByTestId('schedule-windows').textContent()).toContain(`No jobs on Tue, Wed, Thu, Fri from 18:00 to 20:00 (${await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)})`);

    expect(await cspViolations()).toEqual([]);
    expect(unexpected(consoleErrors)).toEqual([]);
  });
});
