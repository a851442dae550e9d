/**
 * Thermal cap with hysteresis: a device at or above the cap pauses, and resumes only once it has cooled
 * to the cap minus the hysteresis, so it does not flap around the limit. A device that was hot and whose
 * temperature stops being measurable stays paused: never guess that a card has cooled.
 */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { Measured } from '../telemetry/sample.js';
import { RUN, type Verdict, holdBack, notice } from './verdict.js';

/** The verdict, and whether the device counts as hot for the next evaluation. */
export function thermalPolicy(settings: SchedulerSettings, deviceId: string, temperature: Measured<number> | undefined, wasHot: boolean): { verdict: Verdict; hot: boolean } {
  const cap = settings.thermalCapC;
  const resumeAt = cap - settings.thermalHysteresisC;
  if (temperature === undefined || !temperature.ok) {
    const why = temperature === undefined ? 'no reading of this device yet' : temperature.reason;
    if (wasHot) return { verdict: holdBack('thermal', 'pause', deviceId, `It was over the ${cap} °C cap and its temperature is no longer measurable (${why}); staying paused until a reading shows ${resumeAt} °C or less.`), hot: true };
    return { verdict: notice('thermal', deviceId, `Thermal cap not enforced on ${deviceId}: temperature not measurable (${why}).`), hot: false };
  }
  const t = temperature.value;
  if (t >= cap || (wasHot && t > resumeAt)) {
    const message = t >= cap ? `${t} °C is at or over the ${cap} °C cap; resuming at ${resumeAt} °C.` : `Cooling down: ${t} °C, resuming at ${resumeAt} °C (cap ${cap} °C).`;
    return { verdict: holdBack('thermal', 'pause', deviceId, message), hot: true };
  }
  return { verdict: RUN, hot: false };
}
