/** Schedule policy: no new jobs inside an off-hours window, in the user's time zone. */
import { type SchedulerSettings, WEEKDAYS, type Weekday, clockMinutes, describeWindow } from '../../common/api-settings.js';
import { RUN, type Verdict, holdBack } from './verdict.js';

/** The weekday and minutes since midnight at `now` in `timeZone` (null: this machine's zone). */
export function localTime(now: number, timeZone: string | null): { day: Weekday; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timeZone ?? undefined, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.find((d) => d === part('weekday').toLowerCase()) ?? 'sun';
  return { day, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Drains while `now` falls inside an off window: running jobs finish, no new ones start until it ends. */
export function schedulePolicy(settings: SchedulerSettings, now: number): Verdict {
  const { timeZone, offWindows } = settings.schedule;
  if (offWindows.length === 0) return RUN;
  const { day, minutes } = localTime(now, timeZone);
  const index = offWindows.findIndex((w) => w.days.includes(day) && clockMinutes(w.from) <= minutes && minutes < clockMinutes(w.to));
  if (index < 0) return RUN;
  const window = offWindows[index]!;
  return holdBack('schedule', 'drain', null, `Off hours: ${describeWindow(window, index)}, until ${window.to}${timeZone === null ? '' : ` ${timeZone}`}. Running jobs finish; new ones wait.`);
}
