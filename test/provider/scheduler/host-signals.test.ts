// Host signals: the headless ones read a real power-supply folder laid out as Linux does and run a real
// idle command; Electron's powerMonitor mapping (electron/power-monitor.ts) runs on an object of its
// shape (there is no Electron binary here), suspend and resume included.
import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { powerMonitorHostSignals } from '../../../electron/power-monitor.js';
import { headlessHostSignals, readBattery, readIdleSeconds } from '../../../provider/scheduler/headless-host-signals.js';
import { runCommand } from '../../../worker/devices/run-command.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await makeTempDir('hearth-host-')));
afterEach(() => remove());

async function supply(name: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, name, file), `${text}\n`);
}

describe('headless host signals', () => {
  it('reads a laptop on battery, then on its charger', async () => {
    await supply('BAT0', { type: 'Battery', status: 'Discharging', capacity: '64' });
    await supply('AC', { type: 'Mains', online: '0' });
    expect(await readBattery(dir, 'linux')).toEqual({ ok: true, value: true });
    await supply('AC', { type: 'Mains', online: '1' });
    await supply('BAT0', { type: 'Battery', status: 'Charging' });
    expect(await readBattery(dir, 'linux')).toEqual({ ok: true, value: false });
  });

  it('takes a machine without a battery as on mains, and says when the folder is unreadable', async () => {
    await supply('ACAD', { type: 'Mains', online: '1' });
    expect(await readBattery(dir, 'linux')).toEqual({ ok: true, value: false });
    expect(await readBattery(join(dir, 'nope'), 'linux')).toEqual({ ok: false, reason: expect.stringMatching(/not readable/) });
    expect(await readBattery(dir, 'darwin')).toEqual({ ok: false, reason: expect.stringMatching(/without the desktop app on darwin/) });
  });

  it('runs the configured idle command, and says plainly when there is none or it prints junk', async () => {
    expect(await readIdleSeconds(['sh', '-c', 'echo 754'], runCommand)).toEqual({ ok: true, value: 754 });
    expect(await readIdleSeconds(null, runCommand)).toEqual({ ok: false, reason: expect.stringMatching(/no idle command is configured/) });
    expect(await readIdleSeconds(['sh', '-c', 'echo soon'], runCommand)).toEqual({ ok: false, reason: expect.stringMatching(/printed "soon", not a number of seconds/) });
    expect(await readIdleSeconds(['hearth-no-such-idle-tool'], runCommand)).toEqual({ ok: false, reason: 'The idle command hearth-no-such-idle-tool is not installed.' });
  });

  it('tells listeners when the battery state changes', async () => {
    await supply('BAT0', { type: 'Battery', status: 'Charging' });
    const host = headlessHostSignals({ idleCommand: null, run: runCommand, platform: 'linux', powerSupplyDir: dir, pollMs: 3_600_000 });
    let changes = 0;
    host.onChange(() => (changes += 1));
    await host.refresh();
    expect(host.read().onBattery).toEqual({ ok: true, value: false });
    await supply('BAT0', { type: 'Battery', status: 'Discharging' });
    await host.refresh();
    expect(host.read()).toMatchObject({ onBattery: { ok: true, value: true }, fullscreenApp: { ok: false }, suspended: false });
    expect(changes).toBe(2);
    host.close();
  });
});

describe("Electron's powerMonitor host signals", () => {
  it('maps battery, idle time and suspend/resume; a fullscreen app is not measurable', () => {
    const monitor = Object.assign(new EventEmitter(), { battery: false, idle: 12, isOnBatteryPower: () => monitor.battery, getSystemIdleTime: () => monitor.idle });
    const host = powerMonitorHostSignals(monitor, 3_600_000);
    let changes = 0;
    host.onChange(() => (changes += 1));
    expect(host.read()).toEqual({ onBattery: { ok: true, value: false }, idleSeconds: { ok: true, value: 12 }, fullscreenApp: { ok: false, reason: expect.stringMatching(/cannot see other applications/) }, suspended: false });
    monitor.emit('suspend');
    expect(host.read().suspended).toBe(true);
    monitor.emit('resume');
    monitor.battery = true;
    monitor.emit('on-battery');
    expect(host.read()).toMatchObject({ suspended: false, onBattery: { ok: true, value: true } });
    expect(changes).toBe(3);
    host.close();
    expect(monitor.listenerCount('suspend')).toBe(0);
  });
});
