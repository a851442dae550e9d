/**
 * Power cap: when a device draws more than the cap, either pause it or keep it working on small jobs
 * only (models under the configured size). It counts as over the cap until draw falls to 90 % of it,
 * so it does not flap at the limit.
 */
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { Measured } from '../telemetry/sample.js';
import { RUN, type Verdict, fit, holdBack, notice } from './verdict.js';

const RESUME_FRACTION = 0.9;

/** The verdict, and whether the device counts as over the cap for the next evaluation. */
export function powerCapPolicy(settings: SchedulerSettings, deviceId: string, power: Measured<number> | undefined, wasOver: boolean): { verdict: Verdict; over: boolean } {
  const cap = settings.powerCapW;
  if (cap === null) return { verdict: RUN, over: false };
  if (power === undefined || !power.ok) {
    const why = power === undefined ? 'no reading of this device yet' : power.reason;
    return { verdict: notice('power', deviceId, `Power cap of ${cap} W not enforced on ${deviceId}: power draw not measurable (${why}).`), over: wasOver };
  }
  const draw = power.value;
  const over = draw > cap || (wasOver && draw > cap * RESUME_FRACTION);
  if (!over) return { verdict: RUN, over: false };
  if (settings.powerCapMode === 'pause') {
    return { verdict: holdBack('power', 'pause', deviceId, `Drawing ${Math.round(draw)} W against a ${cap} W cap; resuming below ${Math.round(cap * RESUME_FRACTION)} W.`), over };
  }
  const limit = settings.smallJobMaxBytes;
  return {
    verdict: { reasons: [], notices: [{ policy: 'power', deviceId, message: fit(`Drawing ${Math.round(draw)} W against a ${cap} W cap: taking only jobs with models up to ${Math.round(limit / 1024 ** 2)} MiB.`) }], maxModelBytes: limit },
    over,
  };
}
