/**
 * Gaming mode: when another program starts using a GPU (a game, a video editor), or a fullscreen app is
 * in front, Hearth pauses; it resumes only once that has been gone for the grace period, so a game's
 * loading screen or a quick alt-tab does not bounce jobs on and off.
 */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { ForeignProcess, Measured } from '../telemetry/sample.js';
import type { HostState } from './host-signals.js';
import { RUN, type Verdict, holdBack, notice } from './verdict.js';

/** When something was last seen in the way, and what it was. */
export type Sighting = { at: number; what: string };

/** The verdict, and the sighting to remember for the next evaluation (null: nothing seen within grace). */
export type GamingResult = { verdict: Verdict; seen: Sighting | null };

/** Gaming mode for one device, from the programs on it other than Hearth's workers. */
export function gamingDevicePolicy(settings: SchedulerSettings, deviceId: string, foreign: Measured<ForeignProcess[]> | undefined, now: number, last: Sighting | null): GamingResult {
  if (!settings.gamingMode.enabled) return { verdict: RUN, seen: null };
  const present = foreign?.ok === true && foreign.value.length > 0 ? describeProcesses(foreign.value) : null;
  const unknown = foreign === undefined ? 'no reading of this device yet' : foreign.ok ? null : foreign.reason;
  return decide(settings, deviceId, present, unknown, now, last, 'is using this GPU');
}

/** Gaming mode for the whole node, from the host's fullscreen signal. */
export function gamingHostPolicy(settings: SchedulerSettings, host: HostState, now: number, last: Sighting | null): GamingResult {
  if (!settings.gamingMode.enabled) return { verdict: RUN, seen: null };
  const app = host.fullscreenApp;
  // Headless has no fullscreen signal; that is normal there, so it is not a notice on its own.
  return decide(settings, null, app.ok && app.value !== null ? app.value : null, null, now, last, 'is in front, fullscreen');
}

function decide(settings: SchedulerSettings, deviceId: string | null, present: string | null, unknown: string | null, now: number, last: Sighting | null, doing: string): GamingResult {
  const graceMs = settings.gamingMode.graceSeconds * 1000;
  if (present !== null) {
    return { verdict: holdBack('gaming', 'pause', deviceId, `Gaming mode: ${present} ${doing}. Hearth resumes ${settings.gamingMode.graceSeconds} s after it is gone.`), seen: { at: now, what: present } };
  }
  if (last !== null && now - last.at < graceMs) {
    const left = Math.ceil((graceMs - (now - last.at)) / 1000);
    return { verdict: holdBack('gaming', 'pause', deviceId, `Gaming mode: ${last.what} is gone; resuming in ${left} s unless it comes back.`), seen: last };
  }
  if (unknown !== null) return { verdict: notice('gaming', deviceId, `Gaming mode cannot see other programs on ${deviceId ?? 'this machine'}: ${unknown}`), seen: null };
  return { verdict: RUN, seen: null };
}

function describeProcesses(processes: readonly ForeignProcess[]): string {
  const [first] = processes;
  const name = `${first!.name} (pid ${first!.pid})`;
  return processes.length === 1 ? name : `${name} and ${processes.length - 1} more`;
}
