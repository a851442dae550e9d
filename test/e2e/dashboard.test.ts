// The headless dashboard in a real browser against the real `hearth start`: what a person sees (its
// sandboxed CPU worker included), that it stays live, that the token leaves the address bar, that the
// strict CSP holds with zero violations, that a hostile string in the provider's data stays text, and
// that losing the provider is announced.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bubblewrapProblem } from '../../provider/worker/child-process-launcher.js';
import { type HearthProcess, spawnHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { type WatchedPage, launchChromium, openWatchedPage } from './chromium.js';

const root = new URL('../../', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

let browser: Browser;
/** Whether the provider's workers can run under bubblewrap here: installed, and able to start Node. */
let bubblewrapUsable = false;
const cleanups: (() => Promise<unknown>)[] = [];
/** Providers that died without the test killing them, with their stderr, reported after the test. */
const unexpectedExits: string[] = [];

beforeAll(async () => {
  for (const built of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(new URL(built, root))) throw new Error(`${built} is missing; run \`npx electron-vite build\` first.`);
  }
  browser = await launchChromium();
  const bwrap = '/usr/bin/bwrap';
  bubblewrapUsable = process.platform === 'linux' && existsSync(bwrap) && (await bubblewrapProblem(bwrap, process.execPath)) === null;
});

afterEach(async () => {
  // Last registered first: pages close before the provider they talk to goes away.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  const exits = unexpectedExits.splice(0);
  if (exits.length > 0) throw new Error(`The provider exited on its own during the test:\n${exits.join('\n---\n')}`);
});

afterAll(async () => {
  await browser?.close();
});

/** Starts `hearth start` on a free port with `dataDir`; `kill` stops it, else it dies after the test. */
async function startProvider(dataDir: string): Promise<{ proc: HearthProcess; url: string; kill: () => Promise<void> }> {
  const proc = spawnHearth(['start', '--data-dir', dataDir, '--dashboard-port', '0']);
  let killedByTest = false;
  const kill = async () => {
    killedByTest = true;
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  };
  void proc.exited.then((code) => {
    if (!killedByTest) unexpectedExits.push(`exit code ${code}; stderr:\n${proc.stderr()}`);
  });
  cleanups.push(kill);
  const url = await proc.dashboardUrl();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+$/);
  return { proc, url, kill };
}

async function tempDir(): Promise<string> {
  const { dir, remove } = await makeTempDir('hearth-e2e-');
  cleanups.push(remove);
  return dir;
}

async function watchedPage(): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser);
  cleanups.push(() => watched.context.close());
  return watched;
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

describe('headless dashboard', () => {
  it('shows the live provider status, hides the token, keeps the CSP clean, and reports a dead provider', async () => {
    const dataDir = await tempDir();
    const { url, kill } = await startProvider(dataDir);
    const { page, consoleErrors, cspViolations } = await watchedPage();

    await page.goto(url);
    await expect.poll(() => text(page, 'status-state')).toBe('Running');
    expect(await text(page, 'status-version')).toBe(version);
    expect(await text(page, 'status-datadir')).toBe(dataDir);
    expect(await text(page, 'status-mode')).toMatch(/^Headless/);
    expect(await page.getByTestId('devices-empty').or(page.getByTestId('devices')).count()).toBe(1);
    if ((await page.getByTestId('devices').count()) === 0) {
      expect(await text(page, 'devices-empty')).toBe('No GPU found on this machine — jobs run on the CPU.');
    }

    // With no GPU, one sandboxed CPU worker starts (about 0.5–2 s) and runs jobs on onnxruntime's CPU provider.
    const worker = page.locator('[data-testid="worker"][data-device-id="cpu"]');
    await expect.poll(() => worker.getByTestId('worker-state').textContent(), { timeout: 15_000 }).toBe('Ready');
    expect(await worker.getByTestId('worker-device').textContent()).toBe('CPU');
    expect(await worker.getByTestId('worker-provider').textContent()).toBe('CPU');
    expect(await worker.locator('[data-provider="cpu"]').textContent()).toContain('in use');
    expect(await worker.getByTestId('worker-restarts').textContent()).toBe('0');
    expect(await worker.getByTestId('worker-warm').textContent()).toBe('0');
    expect(await worker.getByTestId('worker-quarantined').textContent()).toBe('0');
    expect(Number(await worker.getByTestId('worker-pid').textContent())).toBeGreaterThan(0);

    // The sandbox says what is in force, layer by layer, and sums it up in one line.
    const summary = worker.getByTestId('sandbox-summary');
    const bubblewrapLayer = worker.getByTestId('sandbox-layer-bubblewrap');
    expect(await bubblewrapLayer.getAttribute('data-on')).toBe(String(bubblewrapUsable));
    expect(await bubblewrapLayer.locator('.visually-hidden').textContent()).toBe(bubblewrapUsable ? 'on' : 'off');
    expect(await summary.textContent()).toMatch(bubblewrapUsable ? /^Strong: bubblewrap, Node permissions, environment allowlist, private folder/ : /^Weak: no bubblewrap/);
    for (const layer of ['node-permissions', 'env-allowlist', 'private-folder']) {
      expect(await worker.getByTestId(`sandbox-layer-${layer}`).getAttribute('data-on')).toBe('true');
    }

    // The token left the address bar (and history) but the page still holds it.
    expect(page.url()).not.toContain('token');
    expect(new URL(page.url()).hash).toBe('');

    // Live: the uptime the provider pushes every second changes on screen without a reload.
    const firstUptime = await text(page, 'status-uptime');
    await expect.poll(() => text(page, 'status-uptime'), { timeout: 5_000 }).not.toBe(firstUptime);

    // A reload keeps working: the token lives in this tab's sessionStorage.
    await page.reload();
    await expect.poll(() => text(page, 'status-state')).toBe('Running');
    expect(page.url()).not.toContain('token');

    // Another page opens, and navigation comes back to the live dashboard.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Jobs');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => text(page, 'status-state')).toBe('Running');

    // For a person judging the design: HEARTH_SCREENSHOT_DIR=/tmp npx vitest run test/e2e
    const screenshotDir = process.env.HEARTH_SCREENSHOT_DIR;
    if (screenshotDir) {
      await page.screenshot({ path: join(screenshotDir, 'dashboard.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(screenshotDir, 'dashboard-dark.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: null });
    }
    expect(await page.getByTestId('connection-banner').count()).toBe(0);
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);

    // The provider dies without a goodbye: the page says so, and keeps showing the last known state.
    await kill();
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toContain("Can't reach the Hearth provider");
    expect(await text(page, 'status-state')).toBe('Running');
    expect(await worker.getByTestId('worker-state').textContent()).toBe('Ready');
    expect(await cspViolations()).toEqual([]);
  }, 60_000);

  it('shows a hostile data-folder name as text and never runs it', async () => {
    const base = await tempDir();
    const dataDir = join(base, '<img src=x onerror="window.__pwned=1">');
    await mkdir(dataDir);
    const { url } = await startProvider(dataDir);
    const { page, consoleErrors, cspViolations } = await watchedPage();

    await page.goto(url);
    await expect.poll(() => text(page, 'status-datadir')).toBe(dataDir);
    expect(await page.getByTestId('status-datadir').locator('img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 30_000);

  it('tells a person who opened the page without its token how to get in', async () => {
    const dataDir = await tempDir();
    const { url } = await startProvider(dataDir);
    const { page, cspViolations } = await watchedPage();

    await page.goto(new URL('/', url).href);
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toContain('hearth start');
    expect(await page.getByTestId('error-panel').textContent()).toContain('no access token');
    expect(await page.getByTestId('status-state').count()).toBe(0);
    expect(await cspViolations()).toEqual([]);
  }, 30_000);
});
