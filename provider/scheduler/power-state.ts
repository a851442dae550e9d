/** Battery and suspend policies: a laptop on battery pauses, and nothing starts while the system sleeps. */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { HostState } from './host-signals.js';
import { RUN, type Verdict, holdBack, notice } from './verdict.js';

/** Pauses on battery (when the setting is on); says so when the power source is not measurable. */
export function batteryPolicy(settings: SchedulerSettings, host: HostState): Verdict {
  if (!settings.pauseOnBattery) return RUN;
  if (!host.onBattery.ok) return notice('battery', null, `Pause on battery cannot tell the power source: ${host.onBattery.reason}`);
  return host.onBattery.value ? holdBack('battery', 'pause', null, 'Running on battery: Hearth pauses until the charger is plugged in.') : RUN;
}

/** Pauses from the system's suspend until shortly after it wakes. */
export function suspendPolicy(host: HostState): Verdict {
  return host.suspended ? holdBack('suspend', 'pause', null, 'The system is asleep or has just woken; Hearth resumes once it has settled.') : RUN;
}
