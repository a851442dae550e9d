/**
 * The scheduler's settings (when Hearth may work, and how hard) and the `settings.get` / `settings.update`
 * methods. Every range is checked here, once, and an out-of-range value is rejected with the range in
 * the message; a schedule with an inverted or overlapping window is rejected naming the window.
 */
import { z } from 'zod';

const GiB = 1024 ** 3;

/** Days of the week, in the order `Date.getDay()` numbers them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** `HH:MM` on a 24-hour clock; `24:00` ends a window at midnight. */
const ClockTime = z.string().regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'Use a 24-hour time such as 09:00 (24:00 for midnight at the end of a day)');

/** A window of time, repeated on the given days, during which Hearth takes no jobs. */
export const ScheduleWindow = z.object({
  days: z.array(Weekday).min(1, 'A window needs at least one day').max(7),
  from: ClockTime,
  to: ClockTime,
});
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

/** Minutes since midnight of `HH:MM`. */
export function clockMinutes(time: string): number {
  const [h = '0', m = '0'] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/** How a window is named in messages: "window 2 (mon, tue 09:00–18:00)". */
export function describeWindow(window: ScheduleWindow, index: number): string {
  return `window ${index + 1} (${window.days.join(', ')} ${window.from}–${window.to})`;
}

/** Why a list of windows is not a valid schedule (an inverted or overlapping window), or null. */
export function scheduleProblem(windows: readonly ScheduleWindow[]): { index: number; message: string } | null {
  for (const [index, window] of windows.entries()) {
    if (clockMinutes(window.from) >= clockMinutes(window.to)) {
      return {
        index,
        message: `${describeWindow(window, index)} ends before it starts; split a window that crosses midnight in two (e.g. 22:00–24:00 and 00:00–07:00 the next day)`,
      };
    }
    if (new Set(window.days).size !== window.days.length) return { index, message: `${describeWindow(window, index)} names a day twice` };
  }
  for (const [i, a] of windows.entries()) {
    for (const [j, b] of windows.entries()) {
      if (j <= i) continue;
      const sharedDay = a.days.find((day) => b.days.includes(day));
      if (sharedDay !== undefined && clockMinutes(a.from) < clockMinutes(b.to) && clockMinutes(b.from) < clockMinutes(a.to)) {
        return { index: j, message: `${describeWindow(b, j)} overlaps ${describeWindow(a, i)} on ${sharedDay}; merge them into one window` };
      }
    }
  }
  return null;
}

/** True when `zone` is an IANA time zone this runtime knows (e.g. Europe/Berlin). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The off-hours schedule: windows in the user's time zone (null: this machine's zone). */
export const Schedule = z
  .object({
    timeZone: z.string().max(100).refine(isKnownTimeZone, 'Unknown time zone; use an IANA name such as Europe/Berlin').nullable().default(null),
    offWindows: z.array(ScheduleWindow).max(50, 'At most 50 windows').default([]),
  })
  .superRefine((schedule, ctx) => {
    const problem = scheduleProblem(schedule.offWindows);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['offWindows', problem.index], message: problem.message });
  });

/** A number setting with its range named in the message when it is out of range. */
function ranged(min: number, max: number, unit: string, integer = true) {
  const message = `Must be between ${min} and ${max} ${unit}`;
  const base = integer ? z.number().int(`Must be a whole number of ${unit}`) : z.number();
  return base.min(min, message).max(max, message);
}

/** Everything the scheduler's policies read from the settings, with their defaults. */
export const SchedulerSettings = z.object({
  /** Manual pause: everything, or only the listed devices. Kept in the settings so it survives restarts. */
  manualPause: z
    .object({ all: z.boolean().default(false), devices: z.array(z.string().min(1).max(200)).max(64).default([]) })
    .default({ all: false, devices: [] }),
  /** Pause a device hotter than this. */
  thermalCapC: ranged(50, 100, '°C').default(83),
  /** Resume only once it has cooled this far below the cap. */
  thermalHysteresisC: ranged(1, 20, '°C').default(5),
  /** Most a device may draw while working; null: no cap. */
  powerCapW: ranged(10, 3000, 'W').nullable().default(null),
  /** Over the power cap: pause, or keep running and take only jobs with models under smallJobMaxBytes. */
  powerCapMode: z.enum(['pause', 'smaller-jobs']).default('pause'),
  smallJobMaxBytes: ranged(1024 ** 2, 16 * GiB, 'bytes').default(64 * 1024 ** 2),
  /** Device memory always left free for the owner: a job whose model would leave less is refused. */
  vramReserveBytes: ranged(0, 64 * GiB, 'bytes').default(GiB),
  /** Gaming mode: another program on the GPU or a fullscreen app pauses; resume this long after it is gone. */
  gamingMode: z
    .object({ enabled: z.boolean().default(true), graceSeconds: ranged(0, 3600, 'seconds').default(60) })
    .default({ enabled: true, graceSeconds: 60 }),
  /** Idle-only: work only after this many minutes without keyboard or mouse input. */
  idleOnly: z.object({ enabled: z.boolean().default(false), minutes: ranged(1, 1440, 'minutes').default(10) }).default({ enabled: false, minutes: 10 }),
  schedule: Schedule.default({ timeZone: null, offWindows: [] }),
  /** Pause while the machine runs on battery. */
  pauseOnBattery: z.boolean().default(true),
});
export type SchedulerSettings = z.output<typeof SchedulerSettings>;

/** The scheduler settings' defaults. */
export function defaultSchedulerSettings(): SchedulerSettings {
  return SchedulerSettings.parse({});
}

/** The settings a person can read and change through the API. */
export const ApiSettings = z.object({
  scheduler: SchedulerSettings,
});
export type ApiSettings = z.output<typeof ApiSettings>;

/** A partial change: each section given replaces only the fields it names (objects one level deep). */
export const SettingsPatch = z
  .object({
    scheduler: z
      .object({
        manualPause: z.object({ all: z.boolean(), devices: z.array(z.string().min(1).max(200)).max(64) }).partial().strict(),
        thermalCapC: SchedulerSettings.shape.thermalCapC.unwrap(),
        thermalHysteresisC: SchedulerSettings.shape.thermalHysteresisC.unwrap(),
        powerCapW: SchedulerSettings.shape.powerCapW.unwrap(),
        powerCapMode: SchedulerSettings.shape.powerCapMode.unwrap(),
        smallJobMaxBytes: SchedulerSettings.shape.smallJobMaxBytes.unwrap(),
        vramReserveBytes: SchedulerSettings.shape.vramReserveBytes.unwrap(),
        gamingMode: z.object({ enabled: z.boolean(), graceSeconds: ranged(0, 3600, 'seconds') }).partial().strict(),
        idleOnly: z.object({ enabled: z.boolean(), minutes: ranged(1, 1440, 'minutes') }).partial().strict(),
        schedule: z.object({ timeZone: z.string().max(100).nullable(), offWindows: z.array(ScheduleWindow).max(50) }).partial().strict(),
        pauseOnBattery: z.boolean(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.input<typeof SettingsPatch>;

export const settingsMethods = {
  /** The settings in force. */
  'settings.get': { input: z.object({}).strict(), output: ApiSettings },
  /** Changes some settings (validated as a whole after merging), saves them, and returns the result. */
  'settings.update': { input: SettingsPatch, output: ApiSettings },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
