import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARD_PORT, SETTINGS_FILE, loadSettings, saveSettings } from '../../provider/settings.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await makeTempDir()));
afterEach(() => remove());

describe('settings', () => {
  it('creates the file with defaults on first run, private to the user', async () => {
    const { settings, warnings } = await loadSettings(dir);
    expect(settings.dashboardPort).toBe(DEFAULT_DASHBOARD_PORT);
    expect(warnings).toEqual([]);
    const file = join(dir, SETTINGS_FILE);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(settings);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps what was saved and drops unknown fields', async () => {
    await writeFile(join(dir, SETTINGS_FILE), JSON.stringify({ schemaVersion: 1, dashboardPort: 8000, surprise: true }));
    const { settings } = await loadSettings(dir);
    expect(settings).toMatchObject({ schemaVersion: 1, dashboardPort: 8000, logLevel: 'info' });
    expect(settings).not.toHaveProperty('surprise');
  });

  it.each([
    ['not JSON', '{"dashboardPort": 80', /not valid JSON/],
    ['out of range', '{"dashboardPort": 70000}', /dashboardPort/],
    ['wrong type', '{"logLevel": 5}', /logLevel/],
  ])('moves a corrupt file (%s) aside with a warning instead of resetting it silently', async (_label, text, reason) => {
    await writeFile(join(dir, SETTINGS_FILE), text);
    const { settings, warnings } = await loadSettings(dir, () => 1234);
    expect(settings.dashboardPort).toBe(DEFAULT_DASHBOARD_PORT);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toContain(`${SETTINGS_FILE}.corrupt-1234`);
    expect(await readFile(join(dir, `${SETTINGS_FILE}.corrupt-1234`), 'utf8')).toBe(text);
    expect(JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')).dashboardPort).toBe(DEFAULT_DASHBOARD_PORT);
  });

  it('writes atomically: no temp files are left behind after many saves', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => saveSettings(dir, { schemaVersion: 1, dashboardPort: 9000 + i, logLevel: 'info', modelCacheMaxBytes: 2 ** 30 })));
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    const saved = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'));
    expect(saved.dashboardPort).toBeGreaterThanOrEqual(9000);
  });
});
