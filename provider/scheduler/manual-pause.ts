/** Manual pause policy: the person paused everything, or one device, until they resume it. */
import type { SchedulerSettings } from '../../common/api-settings.js';
import { RUN, type Verdict, holdBack } from './verdict.js';

/** Pauses the node (deviceId null) when paused as a whole, or a device when it was paused on its own. */
export function manualPausePolicy(settings: SchedulerSettings, deviceId: string | null): Verdict {
  if (deviceId === null) return settings.manualPause.all ? holdBack('manual', 'pause', null, 'Paused by you. Resume it from the dashboard when you want Hearth to earn again.') : RUN;
  return settings.manualPause.devices.includes(deviceId) ? holdBack('manual', 'pause', deviceId, `Device ${deviceId} is paused by you until you resume it.`) : RUN;
}
