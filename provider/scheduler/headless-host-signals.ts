/**
 * Host signals without Electron (`hearth start`): the battery from /sys/class/power_supply where Linux
 * has it, the time since the last input from a command the settings file names (none by default), and
 * no fullscreen signal (there is no display to watch). What cannot be read is "not measurable", with why.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReading, previewText } from '../../worker/devices/reading.js';
import type { CommandRunner } from '../../worker/devices/run-command.js';
import { type Measured, measured, notMeasurable } from '../telemetry/sample.js';
import type { HostSignals, HostState } from './host-signals.js';
import { SleepDetector } from './sleep-detector.js';

export type HeadlessHostOptions = {
  /** argv of a command printing seconds since the last keyboard or mouse input; null: idle not measurable. */
  idleCommand: readonly string[] | null;
  run: CommandRunner;
  platform: NodeJS.Platform;
  /** /sys/class/power_supply, except in tests. */
  powerSupplyDir?: string;
  pollMs?: number;
  /** How often the clocks are compared to notice that the machine slept (default 1 s). */
  sleepCheckMs?: number;
  sleep?: SleepDetector;
};

/** Reads whether this machine runs on battery from the kernel's power-supply folder. */
export async function readBattery(dir: string, platform: NodeJS.Platform): Promise<Measured<boolean>> {
  if (platform !== 'linux') return notMeasurable(`Battery state is not measurable without the desktop app on ${platform}.`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return notMeasurable(`${dir} is not readable, so the power source is unknown.`);
  }
  let battery = false;
  let discharging = false;
  let mainsOnline = false;
  for (const name of names) {
    const read = (file: string) => readFile(join(dir, name, file), 'utf8').then((t) => t.trim(), () => '');
    const type = await read('type');
    if (type === 'Battery') {
      battery = true;
      if ((await read('status')) === 'Discharging') discharging = true;
    } else if (type === 'Mains' && (await read('online')) === '1') mainsOnline = true;
  }
  // No battery at all: a desktop or server, always on mains.
  return measured(battery && discharging && !mainsOnline);
}

/** Runs the idle command and reads the seconds it prints. */
export async function readIdleSeconds(command: readonly string[] | null, run: CommandRunner): Promise<Measured<number>> {
  if (command === null || command.length === 0) return notMeasurable('Headless: no idle command is configured (idleCommand in settings.json), so time since the last input is unknown.');
  const [cmd, ...args] = command;
  const result = await run(cmd!, args, 2000);
  if (result.status === 'missing') return notMeasurable(`The idle command ${cmd} is not installed.`);
  if (result.status === 'failed') return notMeasurable(`The idle command ${cmd} failed: ${result.reason}`);
  const seconds = parseReading(result.stdout.trim());
  if (seconds === null || seconds < 0) return notMeasurable(`The idle command ${cmd} printed "${previewText(result.stdout, 40)}", not a number of seconds.`);
  return measured(seconds);
}

/** Host signals for `hearth start`, polled every `pollMs` (10 s by default). */
export function headlessHostSignals(options: HeadlessHostOptions): HostSignals & { refresh: () => Promise<void> } {
  let state: HostState = {
    onBattery: notMeasurable('Not read yet.'),
    idleSeconds: notMeasurable('Not read yet.'),
    fullscreenApp: notMeasurable('Headless: there is no display to watch for a fullscreen app.'),
    suspended: false,
  };
  const listeners = new Set<() => void>();
  const refresh = async () => {
    const [onBattery, idleSeconds] = await Promise.all([
      readBattery(options.powerSupplyDir ?? '/sys/class/power_supply', options.platform),
      readIdleSeconds(options.idleCommand, options.run),
    ]);
    const changed = JSON.stringify(onBattery) !== JSON.stringify(state.onBattery) || JSON.stringify(idleSeconds) !== JSON.stringify(state.idleSeconds);
    state = { ...state, onBattery, idleSeconds };
    if (changed) for (const listener of listeners) listener();
  };
  const timer = setInterval(() => void refresh(), options.pollMs ?? 10_000);
  timer.unref();
  // A wake is only visible afterwards, as the wall clock's lead over the monotonic one.
  const sleep = options.sleep ?? new SleepDetector();
  const sleepTimer = setInterval(() => {
    const suspended = sleep.check();
    if (suspended === state.suspended) return;
    state = { ...state, suspended };
    for (const listener of listeners) listener();
  }, options.sleepCheckMs ?? 1000);
  sleepTimer.unref();
  return {
    read: () => state,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => {
      clearInterval(timer);
      clearInterval(sleepTimer);
    },
    refresh,
  };
}
