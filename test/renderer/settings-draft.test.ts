import { describe, expect, it } from 'vitest';
import { EnergySettings } from '../../common/api-energy.js';
import { defaultSchedulerSettings } from '../../common/api-settings.js';
import { changedKeys, draftFrom, errorTarget, fieldMessage, parseNumberText, patchesFrom, toggleDay, windowSummary } from '../../renderer/settings-draft.js';

const scheduler = defaultSchedulerSettings();
const energy = EnergySettings.parse({});
const inForce = draftFrom(scheduler, energy);

describe('draftFrom', () => {
  it('shows the defaults in the units a person uses', () => {
    expect(inForce).toMatchObject({ thermalCapC: '83', thermalHysteresisC: '5', vramReserveGiB: '1', smallJobMaxMiB: '64', gamingModeOn: true, gamingGraceSeconds: '60', idleOnlyOn: false, powerCapOn: false, powerCapW: '', timeZone: '', electricityPrice: '0.30', currency: 'EUR' });
  });
});

describe('patchesFrom', () => {
  it('sends nothing when nothing changed', () => {
    expect(patchesFrom(inForce, scheduler, energy)).toEqual({ scheduler: null, energy: null, problems: {} });
  });

  it('sends only what changed, converted back to the API units', () => {
    const draft = { ...inForce, thermalCapC: '80', vramReserveGiB: '1.5', gamingGraceSeconds: '30', powerCapOn: true, powerCapW: '250', electricityPrice: '0.25' };
    expect(patchesFrom(draft, scheduler, energy)).toEqual({
      scheduler: { thermalCapC: 80, vramReserveBytes: 1.5 * 1024 ** 3, gamingMode: { graceSeconds: 30 }, powerCapW: 250 },
      energy: { electricityPrice: '0.25' },
      problems: {},
    });
  });

  it('passes an out-of-range number on for the provider to refuse with its range', () => {
    expect(patchesFrom({ ...inForce, thermalCapC: '150' }, scheduler, energy).scheduler).toEqual({ thermalCapC: 150 });
  });

  it('refuses text that is not a number without sending anything', () => {
    const patches = patchesFrom({ ...inForce, thermalCapC: 'hot', idleMinutes: '' }, scheduler, energy);
    expect(patches.problems).toEqual({ thermalCapC: 'Enter a number.', idleMinutes: 'Enter a number.' });
  });

  it('switches the power cap off as null and the schedule as a whole', () => {
    const capped = { ...scheduler, powerCapW: 300 };
    const windows = [{ days: ['mon' as const], from: '09:00', to: '12:00' }];
    expect(patchesFrom({ ...draftFrom(capped, energy), powerCapOn: false, offWindows: windows, timeZone: 'Europe/Berlin' }, capped, energy).scheduler).toEqual({
      powerCapW: null,
      schedule: { timeZone: 'Europe/Berlin', offWindows: windows },
    });
  });
});

describe('changedKeys', () => {
  it('names the fields that differ from those in force', () => {
    expect(changedKeys({ ...inForce, thermalCapC: '80', offWindows: [] }, inForce)).toEqual(['thermalCapC']);
  });
});

describe('errorTarget', () => {
  it('maps the error path to the field', () => {
    expect(errorTarget({ message: 'Invalid input for settings.update at scheduler.thermalCapC: Must be between 50 and 100 °C.', path: ['scheduler', 'thermalCapC'] })).toBe('thermalCapC');
    expect(errorTarget({ message: 'x', path: ['scheduler', 'gamingMode', 'graceSeconds'] })).toBe('gamingGraceSeconds');
    expect(errorTarget({ message: 'x', path: ['scheduler', 'schedule', 'offWindows', 2, 'from'] })).toBe('window:2');
    expect(errorTarget({ message: 'x', path: ['currency'] })).toBe('currency');
  });

  it('falls back to the setting the message names, then to the form', () => {
    expect(errorTarget({ message: 'Invalid setting scheduler.schedule.offWindows.1: window 2 (mon 10:00–12:00) overlaps window 1 (mon 09:00–11:00) on mon; merge them into one window.' })).toBe('window:1');
    expect(errorTarget({ message: 'Setting energy.electricityPrice: Must be between 0 and 100 per kWh.' })).toBe('electricityPrice');
    expect(errorTarget({ message: 'The settings file could not be written.' })).toBe('form');
    expect(errorTarget({ message: 'x', path: ['scheduler', 'somethingNew'] })).toBe('form');
  });
});

describe('fieldMessage', () => {
  it('drops the setting name the field already shows', () => {
    expect(fieldMessage('Invalid input for settings.update at scheduler.thermalCapC: Must be between 50 and 100 °C.')).toBe('Must be between 50 and 100 °C.');
    expect(fieldMessage('Something else.')).toBe('Something else.');
    expect(fieldMessage('Invalid input for energy.settings.update at electricityPrice: Must be between 0 and 100 per kWh..')).toBe('Must be between 0 and 100 per kWh.');
  });
});

describe('parseNumberText and toggleDay', () => {
  it('reads plain decimals only', () => {
    expect([parseNumberText(' 83 '), parseNumberText('1.5'), parseNumberText('-3'), parseNumberText('1e3'), parseNumberText('')]).toEqual([83, 1.5, -3, null, null]);
  });

  it('words a window in its time zone', () => {
    expect(windowSummary({ days: ['mon', 'tue'], from: '09:00', to: '18:00' }, 'Europe/Berlin')).toBe('No jobs on Mon, Tue from 09:00 to 18:00 (Europe/Berlin)');
    expect(windowSummary({ days: [], from: '09:00', to: '18:00' }, 'UTC')).toBe('No jobs on no day yet from 09:00 to 18:00 (UTC)');
  });

  it('keeps days in week order', () => {
    expect(toggleDay({ days: ['wed', 'mon'], from: '09:00', to: '10:00' }, 'sun').days).toEqual(['sun', 'mon', 'wed']);
    expect(toggleDay({ days: ['mon', 'wed'], from: '09:00', to: '10:00' }, 'mon').days).toEqual(['wed']);
  });
});
