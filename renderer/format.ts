/** How the dashboard writes durations, sizes, states and times for a person. */
import type { ProviderState } from '../common/api.js';

/** A duration as whole units, largest first: "42 s", "12 min 5 s", "3 h 12 min 5 s", "2 d 3 h 12 min". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${hours} h ${minutes} min`;
  if (hours > 0) return `${hours} h ${minutes} min ${seconds} s`;
  if (minutes > 0) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

/** Bytes in binary units with one decimal where it helps: "8 GiB", "11.5 GiB", "512 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value >= 100 || Number.isInteger(value) ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}

const stateLabels: Record<ProviderState, string> = {
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
};

/** The provider state as a word for the dashboard. */
export function formatState(state: ProviderState): string {
  return stateLabels[state];
}

/** A moment as local date and time, e.g. "25 Nov 2025, 15:32:10". */
export function formatDateTime(msSinceEpoch: number): string {
  return new Date(msSinceEpoch).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
