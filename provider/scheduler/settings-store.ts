/**
 * The settings in force while the provider runs: read at start, changed through `settings.update` and
 * the manual pause, validated as a whole after every change and saved atomically before anyone is told.
 */
import type { SettingsPatch } from '../../common/api-settings.js';
import { type Settings, saveSettings, Settings as SettingsSchema } from '../settings.js';

/** A change that does not validate: where, and what is wrong (with the allowed range where there is one). */
export class SettingsRejected extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path === '' ? message : `${path}: ${message}`);
    this.name = 'SettingsRejected';
  }
}

/** Holds the current settings; changes are merged, validated, saved, then announced. */
export class SettingsStore {
  private value: Settings;
  private saving: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(settings: Settings) => void>();

  constructor(
    private readonly dataDir: string,
    initial: Settings,
  ) {
    this.value = initial;
  }

  /** The settings in force. */
  get current(): Settings {
    return this.value;
  }

  /** Applies a partial change (sections merged one object level deep), or throws SettingsRejected. */
  update(patch: SettingsPatch | Record<string, unknown>): Promise<Settings> {
    const run = this.saving.then(async () => {
      const merged = mergeDeep(this.value, patch);
      const parsed = SettingsSchema.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new SettingsRejected((issue?.path ?? []).map(String).join('.'), issue?.message ?? 'invalid');
      }
      await saveSettings(this.dataDir, parsed.data);
      this.value = parsed.data;
      for (const listener of this.listeners) listener(this.value);
      return this.value;
    });
    this.saving = run.catch(() => undefined);
    return run;
  }

  /** Calls `listener` after every saved change until the returned function is called. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base` with `patch` laid over it: objects merge key by key, anything else (arrays included) replaces. */
function mergeDeep(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) out[key] = mergeDeep(base[key], value);
  return out;
}
