import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EnergySettings } from '../common/api-energy.js';
import { SchedulerSettings, defaultSchedulerSettings } from '../common/api-settings.js';
import { writeFileAtomic } from './atomic-file.js';

/** Default port of the headless dashboard. */
export const DEFAULT_DASHBOARD_PORT = 7457;

/** The settings file's schema; unknown fields are dropped, missing ones take their defaults. */
export const Settings = z.object({
  schemaVersion: z.literal(1).default(1),
  dashboardPort: z.number().int().min(0).max(65535).default(DEFAULT_DASHBOARD_PORT),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Disk the content-addressed model cache may use before the least recently used models go. */
  modelCacheMaxBytes: z.number().int().min(64 * 1024 ** 2).max(2 ** 50).default(20 * 1024 ** 3),
  /** When to work: pauses, schedule, gaming mode, caps (common/api-settings.ts; docs/scheduler.md). */
  scheduler: SchedulerSettings.default(defaultSchedulerSettings),
  /**
   * Headless idle-only mode: a command (argv, no shell) printing seconds since the last keyboard or mouse
   * input, e.g. ["xprintidle-seconds"]. Set in this file only, never over the API: it runs a program.
   */
  idleCommand: z.array(z.string().min(1).max(4096)).min(1).max(32).nullable().default(null),
  /** Electricity price and currency, and the payout token's value in it, for net earnings (docs/energy.md). */
  energy: EnergySettings.prefault({}),
});
export type Settings = z.output<typeof Settings>;

export const SETTINGS_FILE = 'settings.json';

/** Settings as loaded, plus what a person should be told about how they were loaded. */
export type LoadedSettings = { settings: Settings; warnings: string[] };

/**
 * Reads the settings file. A missing file gives the defaults; an unreadable or invalid one is moved
 * aside (never silently overwritten) and the defaults are used, with a warning that says where it went.
 */
export async function loadSettings(dataDir: string, now: () => number = Date.now): Promise<LoadedSettings> {
  const path = join(dataDir, SETTINGS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const settings = Settings.parse({});
    await saveSettings(dataDir, settings);
    return { settings, warnings: [] };
  }
  const problem = describeProblem(text);
  if (problem === null) return { settings: Settings.parse(JSON.parse(text)), warnings: [] };
  const aside = `${path}.corrupt-${now()}`;
  await rename(path, aside);
  const settings = Settings.parse({});
  await saveSettings(dataDir, settings);
  return {
    settings,
    warnings: [`The settings file was unreadable (${problem}); it was moved to ${aside} and the defaults are in use.`],
  };
}

/** Writes the settings atomically, private to the user. */
export async function saveSettings(dataDir: string, settings: z.input<typeof Settings>): Promise<void> {
  await writeFileAtomic(join(dataDir, SETTINGS_FILE), `${JSON.stringify(Settings.parse(settings), null, 2)}\n`);
}

function describeProblem(text: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const result = Settings.safeParse(raw);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return `${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`;
}
