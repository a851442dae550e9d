// The scheduler's settings through the API as the dashboard calls it (the real dispatcher and handlers
// over a real settings file): defaults, partial updates that survive a reload, and bad input rejected
// with the `invalid_input` code and a message that names the range or the window.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchedulerSettings, scheduleProblem } from '../../../common/api-settings.js';
import { createDispatcher } from '../../../provider/api/dispatch.js';
import { createSchedulerHandlers } from '../../../provider/api/scheduler-handlers.js';
import type { ApiHandlers } from '../../../provider/api/dispatch.js';
import { Scheduler } from '../../../provider/scheduler/scheduler.js';
import { SettingsStore } from '../../../provider/scheduler/settings-store.js';
import { SETTINGS_FILE, loadSettings } from '../../../provider/settings.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { sampleHandlers } from '../sample-handlers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await makeTempDir('hearth-sched-settings-')));
afterEach(() => remove());

async function api() {
  const { settings } = await loadSettings(dir);
  const store = new SettingsStore(dir, settings);
  const scheduler = new Scheduler({ settings: () => store.current.scheduler, deviceIds: () => [], logger: pino({ enabled: false }), publish: () => undefined });
  const handlers = sampleHandlers(createSchedulerHandlers({ scheduler, settings: store }) as Partial<ApiHandlers>);
  return createDispatcher(handlers, (method, err) => {
    throw new Error(`${method}: ${String(err)}`);
  });
}

describe('scheduler settings', () => {
  it('has the documented defaults', () => {
    expect(SchedulerSettings.parse({})).toEqual({
      manualPause: { all: false, devices: [] },
      thermalCapC: 83,
      thermalHysteresisC: 5,
      powerCapW: null,
      powerCapMode: 'pause',
      smallJobMaxBytes: 64 * 1024 ** 2,
      vramReserveBytes: 1024 ** 3,
      gamingMode: { enabled: true, graceSeconds: 60 },
      idleOnly: { enabled: false, minutes: 10 },
      schedule: { timeZone: null, offWindows: [] },
      pauseOnBattery: true,
    });
  });

  it('updates part of the settings, keeps the rest, and saves them for the next start', async () => {
    const call = await api();
    const updated = await call('settings.update', { scheduler: { thermalCapC: 78, gamingMode: { graceSeconds: 30 } } });
    expect(updated).toMatchObject({ ok: true, value: { scheduler: { thermalCapC: 78, thermalHysteresisC: 5, gamingMode: { enabled: true, graceSeconds: 30 } } } });
    const onDisk = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')) as { scheduler: SchedulerSettings; dashboardPort: number };
    expect(onDisk.scheduler).toMatchObject({ thermalCapC: 78, gamingMode: { graceSeconds: 30 } });
    expect(onDisk.dashboardPort).toBe(7457);
    expect(await (await api())('settings.get', {})).toMatchObject({ ok: true, value: { scheduler: { thermalCapC: 78 } } });
  });

  it.each([
    [{ thermalCapC: 120 }, /between 50 and 100 °C/],
    [{ thermalCapC: 20 }, /between 50 and 100 °C/],
    [{ thermalHysteresisC: 0 }, /between 1 and 20 °C/],
    [{ powerCapW: 5 }, /between 10 and 3000 W/],
    [{ vramReserveBytes: -1 }, /between 0 and 68719476736 bytes/],
    [{ gamingMode: { graceSeconds: 7200 } }, /between 0 and 3600 seconds/],
    [{ idleOnly: { minutes: 0 } }, /between 1 and 1440 minutes/],
    [{ schedule: { offWindows: [{ days: ['mon'], from: '9:00', to: '18:00' }] } }, /24-hour time such as 09:00/],
  ])('rejects %j with invalid_input and the range', async (scheduler, message) => {
    const result = await (await api())('settings.update', { scheduler });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(message) } });
  });

  it('says what was wrong in one sentence a person can act on', async () => {
    expect(await (await api())('settings.update', { scheduler: { thermalCapC: 120 } })).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Invalid input for settings.update at scheduler.thermalCapC: Must be between 50 and 100 °C.', path: ['scheduler', 'thermalCapC'] },
    });
  });

  it('rejects an inverted window, naming it and how to fix it', async () => {
    const result = await (await api())('settings.update', { scheduler: { schedule: { offWindows: [{ days: ['mon', 'tue'], from: '22:00', to: '07:00' }] } } });
    expect(result).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/window 1 \(mon, tue 22:00–07:00\) ends before it starts; split a window that crosses midnight in two/) },
    });
  });

  it('rejects overlapping windows, naming both and the day they share', async () => {
    const windows = [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
      { days: ['sat', 'wed'], from: '17:00', to: '20:00' },
    ];
    const result = await (await api())('settings.update', { scheduler: { schedule: { offWindows: windows } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/window 2 \(sat, wed 17:00–20:00\) overlaps window 1 \(mon, tue, wed, thu, fri 09:00–18:00\) on wed/) } });
    // Back to back is not an overlap.
    expect(scheduleProblem([{ days: ['mon'], from: '09:00', to: '12:00' }, { days: ['mon'], from: '12:00', to: '24:00' }])).toBeNull();
  });

  it('rejects an unknown time zone and leaves the saved settings as they were', async () => {
    const call = await api();
    const result = await call('settings.update', { scheduler: { thermalCapC: 70, schedule: { timeZone: 'Mars/Olympus_Mons' } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/Unknown time zone/) } });
    expect((await loadSettings(dir)).settings.scheduler.thermalCapC).toBe(83);
  });

  it('keeps the idle command out of the API (it runs a program)', async () => {
    const result = await (await api())('settings.update', { idleCommand: ['sh', '-c', 'echo 0'] });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await (await api())('settings.get', {})).toEqual({ ok: true, value: { scheduler: expect.any(Object) } });
  });

  it('pauses and resumes by hand, per device or for everything, through the API', async () => {
    const call = await api();
    expect(await call('scheduler.pause', { deviceId: 'GPU-1' })).toMatchObject({ ok: true, value: { manualPause: { all: false, devices: ['GPU-1'] } } });
    expect(await call('scheduler.pause', {})).toMatchObject({ ok: true, value: { action: 'pause', manualPause: { all: true, devices: ['GPU-1'] }, reasons: [{ policy: 'manual' }] } });
    expect(await (await api())('scheduler.get', {})).toMatchObject({ ok: true, value: { action: 'pause', manualPause: { all: true } } });
    expect(await call('scheduler.resume', {})).toMatchObject({ ok: true, value: { action: 'run', manualPause: { all: false, devices: [] } } });
  });
});
