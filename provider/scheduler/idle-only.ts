/** Idle-only policy: work only after N minutes without keyboard or mouse input. */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { HostState } from './host-signals.js';
import { RUN, type Verdict, holdBack } from './verdict.js';

/** Drains while the person used the machine in the last N minutes; pauses when that cannot be known. */
export function idleOnlyPolicy(settings: SchedulerSettings, host: HostState): Verdict {
  const { enabled, minutes } = settings.idleOnly;
  if (!enabled) return RUN;
  // Unknown idle time with idle-only on: stay off rather than get in the owner's way.
  if (!host.idleSeconds.ok) return holdBack('idle-only', 'pause', null, `Idle-only mode is on, but the time since your last input is not measurable: ${host.idleSeconds.reason}`);
  const idle = host.idleSeconds.value;
  if (idle >= minutes * 60) return RUN;
  const left = Math.ceil((minutes * 60 - idle) / 60);
  return holdBack('idle-only', 'drain', null, `Idle-only mode: you used this machine ${formatAgo(idle)}; Hearth starts after ${minutes} min without input (about ${left} min more).`);
}

function formatAgo(seconds: number): string {
  return seconds < 60 ? 'just now' : `${Math.floor(seconds / 60)} min ago`;
}
