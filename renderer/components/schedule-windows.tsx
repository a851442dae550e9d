/** The off-hours editor: windows of days and a from–to time, in the schedule's time zone, added and removed. */
import type { ScheduleWindow, Weekday } from '../../common/api-settings.js';
import { fieldMessage, toggleDay, windowSummary } from '../settings-draft.js';

// Monday first, as most calendars a person reads show the week.
const DAY_ORDER: { day: Weekday; label: string }[] = [
  { day: 'mon', label: 'Mon' },
  { day: 'tue', label: 'Tue' },
  { day: 'wed', label: 'Wed' },
  { day: 'thu', label: 'Thu' },
  { day: 'fri', label: 'Fri' },
  { day: 'sat', label: 'Sat' },
  { day: 'sun', label: 'Sun' },
];

/** What "Add a window" starts with: office hours. */
const NEW_WINDOW: ScheduleWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };

/** The list of windows; `errors` holds the provider's message for the window it names, by index. */
export function ScheduleWindows({ windows, zone, errors, onChange }: { windows: ScheduleWindow[]; zone: string; errors: ReadonlyMap<number, string>; onChange: (windows: ScheduleWindow[]) => void }) {
  const replace = (index: number, window: ScheduleWindow) => onChange(windows.map((w, i) => (i === index ? window : w)));
  return (
    <div className="schedule-windows" data-testid="schedule-windows">
      {windows.length === 0 ? (
        <p className="muted small">No off hours: Hearth may work at any time of day.</p>
      ) : (
        <ol className="window-list">
          {windows.map((window, index) => {
            const error = errors.get(index);
            const name = `Window ${index + 1}`;
            return (
              <li key={index} className={`window${error === undefined ? '' : ' field-invalid'}`} data-testid="schedule-window" aria-label={name}>
                <span className="window-name">{name}</span>
                <span className="window-days" role="group" aria-label={`${name} days`}>
                  {DAY_ORDER.map(({ day, label }) => (
                    <label key={day} className="day-toggle">
                      <input type="checkbox" checked={window.days.includes(day)} onChange={() => replace(index, toggleDay(window, day))} />
                      {label}
                    </label>
                  ))}
                </span>
                <label className="window-time">
                  from{' '}
                  <input type="text" inputMode="numeric" placeholder="09:00" aria-label={`${name} from`} value={window.from} onChange={(e) => replace(index, { ...window, from: e.target.value })} />
                </label>
                <label className="window-time">
                  to <input type="text" inputMode="numeric" placeholder="18:00" aria-label={`${name} to`} value={window.to} onChange={(e) => replace(index, { ...window, to: e.target.value })} />
                </label>
                <button type="button" className="button button-small" onClick={() => onChange(windows.filter((_, i) => i !== index))}>
                  Remove
                </button>
                <span className="muted small window-summary">
                  {windowSummary(window, zone)}
                </span>
                {error !== undefined && (
                  <p className="field-error window-error" role="alert" data-testid="window-error">
                    {fieldMessage(error)}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button" onClick={() => onChange([...windows, NEW_WINDOW])}>
        Add a window
      </button>
    </div>
  );
}
