/**
 * The Settings page's form as data: the settings as the fields show them (numbers as the text typed, in
 * the units a person uses), the patches that save what changed, and which field a provider's error names.
 * Ranges are the provider's to check; the form only refuses text that is not a number at all.
 */
import type { EnergySettings, EnergySettingsPatch } from '../common/api-energy.js';
import { type ScheduleWindow, type SchedulerSettings, type SettingsPatch, WEEKDAYS, type Weekday } from '../common/api-settings.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Every field of the form, as the inputs hold it. */
export type SettingsDraft = {
  thermalCapC: string;
  thermalHysteresisC: string;
  powerCapOn: boolean;
  powerCapW: string;
  powerCapMode: SchedulerSettings['powerCapMode'];
  smallJobMaxMiB: string;
  vramReserveGiB: string;
  gamingModeOn: boolean;
  gamingGraceSeconds: string;
  idleOnlyOn: boolean;
  idleMinutes: string;
  pauseOnBattery: boolean;
  /** '' for the provider machine's own zone. */
  timeZone: string;
  offWindows: ScheduleWindow[];
  electricityPrice: string;
  currency: string;
  tokenPrice: string;
  tokenDecimals: string;
};
export type DraftKey = keyof SettingsDraft;

/** Where an error is shown: a field, one schedule window (`window:2`), or the top of the form. */
export type ErrorTarget = DraftKey | `window:${number}` | 'form';

/** A number without trailing float noise, as an input shows it: 1 GiB → "1", 1.5 GiB → "1.5". */
function numberText(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** The form's fields for the settings in force (energy undefined while it is not known). */
export function draftFrom(scheduler: SchedulerSettings, energy: EnergySettings | undefined): SettingsDraft {
  return {
    thermalCapC: String(scheduler.thermalCapC),
    thermalHysteresisC: String(scheduler.thermalHysteresisC),
    powerCapOn: scheduler.powerCapW !== null,
    powerCapW: scheduler.powerCapW === null ? '' : String(scheduler.powerCapW),
    powerCapMode: scheduler.powerCapMode,
    smallJobMaxMiB: numberText(scheduler.smallJobMaxBytes / MiB),
    vramReserveGiB: numberText(scheduler.vramReserveBytes / GiB),
    gamingModeOn: scheduler.gamingMode.enabled,
    gamingGraceSeconds: String(scheduler.gamingMode.graceSeconds),
    idleOnlyOn: scheduler.idleOnly.enabled,
    idleMinutes: String(scheduler.idleOnly.minutes),
    pauseOnBattery: scheduler.pauseOnBattery,
    timeZone: scheduler.schedule.timeZone ?? '',
    offWindows: scheduler.schedule.offWindows,
    electricityPrice: energy?.electricityPrice ?? '',
    currency: energy?.currency ?? '',
    tokenPrice: energy?.tokenPrice ?? '',
    tokenDecimals: energy === undefined ? '' : String(energy.tokenDecimals),
  };
}

/** The number typed, or null when the text is not one ("", "abc", "1e3"). */
export function parseNumberText(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : null;
}

type SchedulerPatch = NonNullable<SettingsPatch['scheduler']>;

/** What saving sends: only the settings that differ from those in force; `problems` stop the save. */
export type DraftPatches = { scheduler: SchedulerPatch | null; energy: EnergySettingsPatch | null; problems: Partial<Record<DraftKey, string>> };

/** The patches for `draft` against the settings in force, or the fields whose text is not a number. */
export function patchesFrom(draft: SettingsDraft, scheduler: SchedulerSettings, energy: EnergySettings | undefined): DraftPatches {
  const problems: Partial<Record<DraftKey, string>> = {};
  const num = (key: DraftKey, text: string, scale = 1): number | null => {
    const value = parseNumberText(text);
    if (value === null) problems[key] = 'Enter a number.';
    return value === null ? null : Math.round(value * scale * 1e6) / 1e6;
  };
  const s: SchedulerPatch = {};
  const thermal = num('thermalCapC', draft.thermalCapC);
  if (thermal !== null && thermal !== scheduler.thermalCapC) s.thermalCapC = thermal;
  const hysteresis = num('thermalHysteresisC', draft.thermalHysteresisC);
  if (hysteresis !== null && hysteresis !== scheduler.thermalHysteresisC) s.thermalHysteresisC = hysteresis;
  const powerCap = draft.powerCapOn ? num('powerCapW', draft.powerCapW) : null;
  if ((draft.powerCapOn ? powerCap !== null : true) && powerCap !== scheduler.powerCapW) s.powerCapW = powerCap;
  if (draft.powerCapMode !== scheduler.powerCapMode) s.powerCapMode = draft.powerCapMode;
  const small = num('smallJobMaxMiB', draft.smallJobMaxMiB, MiB);
  if (small !== null && Math.round(small) !== scheduler.smallJobMaxBytes) s.smallJobMaxBytes = Math.round(small);
  const reserve = num('vramReserveGiB', draft.vramReserveGiB, GiB);
  if (reserve !== null && Math.round(reserve) !== scheduler.vramReserveBytes) s.vramReserveBytes = Math.round(reserve);
  const grace = num('gamingGraceSeconds', draft.gamingGraceSeconds);
  const gaming: NonNullable<SchedulerPatch['gamingMode']> = {};
  if (draft.gamingModeOn !== scheduler.gamingMode.enabled) gaming.enabled = draft.gamingModeOn;
  if (grace !== null && grace !== scheduler.gamingMode.graceSeconds) gaming.graceSeconds = grace;
  if (Object.keys(gaming).length > 0) s.gamingMode = gaming;
  const minutes = num('idleMinutes', draft.idleMinutes);
  const idle: NonNullable<SchedulerPatch['idleOnly']> = {};
  if (draft.idleOnlyOn !== scheduler.idleOnly.enabled) idle.enabled = draft.idleOnlyOn;
  if (minutes !== null && minutes !== scheduler.idleOnly.minutes) idle.minutes = minutes;
  if (Object.keys(idle).length > 0) s.idleOnly = idle;
  if (draft.pauseOnBattery !== scheduler.pauseOnBattery) s.pauseOnBattery = draft.pauseOnBattery;
  const schedule: NonNullable<SchedulerPatch['schedule']> = {};
  const zone = draft.timeZone === '' ? null : draft.timeZone;
  if (zone !== scheduler.schedule.timeZone) schedule.timeZone = zone;
  if (JSON.stringify(draft.offWindows) !== JSON.stringify(scheduler.schedule.offWindows)) schedule.offWindows = draft.offWindows;
  if (Object.keys(schedule).length > 0) s.schedule = schedule;

  const e: EnergySettingsPatch = {};
  if (energy !== undefined) {
    if (draft.electricityPrice.trim() !== energy.electricityPrice) e.electricityPrice = draft.electricityPrice.trim();
    if (draft.currency.trim() !== energy.currency) e.currency = draft.currency.trim();
    if (draft.tokenPrice.trim() !== energy.tokenPrice) e.tokenPrice = draft.tokenPrice.trim();
    const decimals = num('tokenDecimals', draft.tokenDecimals);
    if (decimals !== null && decimals !== energy.tokenDecimals) e.tokenDecimals = decimals;
  }
  return { scheduler: Object.keys(s).length > 0 ? s : null, energy: Object.keys(e).length > 0 ? e : null, problems };
}

/** The draft's fields that differ from those in force (unsaved changes). */
export function changedKeys(draft: SettingsDraft, saved: SettingsDraft): DraftKey[] {
  return (Object.keys(draft) as DraftKey[]).filter((key) => JSON.stringify(draft[key]) !== JSON.stringify(saved[key]));
}

// Where each setting's path (after `scheduler.` or `energy.`) is shown.
const fieldOfPath: Record<string, DraftKey> = {
  thermalCapC: 'thermalCapC',
  thermalHysteresisC: 'thermalHysteresisC',
  powerCapW: 'powerCapW',
  powerCapMode: 'powerCapMode',
  smallJobMaxBytes: 'smallJobMaxMiB',
  vramReserveBytes: 'vramReserveGiB',
  'gamingMode.enabled': 'gamingModeOn',
  'gamingMode.graceSeconds': 'gamingGraceSeconds',
  'idleOnly.enabled': 'idleOnlyOn',
  'idleOnly.minutes': 'idleMinutes',
  pauseOnBattery: 'pauseOnBattery',
  'schedule.timeZone': 'timeZone',
  'schedule.offWindows': 'offWindows',
  electricityPrice: 'electricityPrice',
  currency: 'currency',
  tokenPrice: 'tokenPrice',
  tokenDecimals: 'tokenDecimals',
};

// The provider names the setting at the start of its message when the error carries no `path`: the
// dispatcher's "Invalid input for settings.update at scheduler.thermalCapC: …", the settings store's
// "Invalid setting scheduler.schedule.offWindows.1: …" (scheduler) or "Setting energy.currency: …" (energy).
const NAMED_PATH = /^(?:Invalid input for [\w.]+ at |Invalid setting |Setting )([\w.-]+): /;

/** The field or window a provider error names (by its `path`, else by the setting its message names), or 'form'. */
export function errorTarget(error: { message: string; path?: readonly (string | number)[] | undefined }): ErrorTarget {
  let path: string[] = (error.path ?? []).map(String);
  if (path.length === 0) path = NAMED_PATH.exec(error.message)?.[1]?.split('.') ?? [];
  if (path[0] === 'scheduler' || path[0] === 'energy') path = path.slice(1);
  if (path[0] === 'schedule' && path[1] === 'offWindows' && path[2] !== undefined && /^\d+$/.test(path[2])) return `window:${Number(path[2])}`;
  for (let length = path.length; length > 0; length--) {
    const field = fieldOfPath[path.slice(0, length).join('.')];
    if (field !== undefined) return field;
  }
  return 'form';
}

/** The provider's message without the setting's name in front, for showing beside that setting. */
export function fieldMessage(message: string): string {
  // The dispatcher ends its sentence with a full stop even when the schema's message already has one.
  return message.replace(NAMED_PATH, '').replace(/\.\.$/, '.');
}

/** `window` with `day` switched on or off, its days kept in week order. */
export function toggleDay(window: ScheduleWindow, day: Weekday): ScheduleWindow {
  const on = window.days.includes(day);
  return { ...window, days: WEEKDAYS.filter((d) => (d === day ? !on : window.days.includes(d))) };
}

const DAY_NAMES: Record<Weekday, string> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };

/** A window in words, in its time zone: "No jobs on Mon, Tue from 09:00 to 18:00 (Europe/Berlin)". */
export function windowSummary(window: ScheduleWindow, zone: string): string {
  const days = window.days.length === 0 ? 'no day yet' : window.days.map((day) => DAY_NAMES[day]).join(', ');
  return `No jobs on ${days} from ${window.from} to ${window.to} (${zone})`;
}
