/**
 * One telemetry reading of one device. Every field is either measured or "not measurable" with the reason
 * a person can read (tool missing, timed out, printed garbage, not offered on this platform): a missing
 * reading is never a silent 0.
 */

/** A measured value, or why there is none. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A process using the GPU that is not one of Hearth's workers (gaming mode looks at these). */
export type ForeignProcess = { pid: number; name: string; usedVramBytes: number | null };

/** What one sampling pass read of one device, at `at` (epoch ms). */
export type DeviceSample = {
  deviceId: string;
  at: number;
  utilizationPct: Measured<number>;
  vramUsedBytes: Measured<number>;
  vramTotalBytes: Measured<number>;
  temperatureC: Measured<number>;
  powerW: Measured<number>;
  powerLimitW: Measured<number>;
  foreignProcesses: Measured<ForeignProcess[]>;
};

/** A measured value. */
export function measured<T>(value: T): Measured<T> {
  return { ok: true, value };
}

/** A value that could not be measured, and why. */
export function notMeasurable<T>(reason: string): Measured<T> {
  return { ok: false, reason };
}
