/**
 * Energy of one job from a device's power trace: the trapezoid rule over the measured samples inside
 * the job's run, with the power at the run's start and end interpolated between the samples around them.
 * A stretch with no measured sample within `maxGapMs` is filled with the card's typical draw and makes the
 * result an estimate: a missing reading is never taken as 0 W.
 */

/** One measured power reading. */
export type PowerPoint = { at: number; watts: number };

/** How the energy of a run was arrived at. */
export type RunEnergy = {
  /** Joules over the run (not yet divided among jobs sharing it). */
  joules: number;
  /** True when part or all of the run had no measured power and the typical draw stood in. */
  estimated: boolean;
  /** Milliseconds of the run covered by the typical draw instead of measurements. */
  estimatedMs: number;
};

/**
 * Integrates `trace` (measured points, any order) over [from, to]. Between two points at most `maxGapMs`
 * apart the power is linear; up to `maxGapMs` after a point (or before one, across a wider gap) it holds
 * that point's value; the rest of a wider gap is `typicalWatts`, and the result is marked an estimate.
 */
export function integratePower(trace: readonly PowerPoint[], from: number, to: number, typicalWatts: number, maxGapMs: number): RunEnergy {
  if (!(to >= from)) throw new RangeError(`A run cannot end (${to}) before it starts (${from}).`);
  const points = trace.filter((p) => Number.isFinite(p.watts) && p.watts >= 0 && Number.isFinite(p.at)).sort((a, b) => a.at - b.at);
  const knots = [from, ...points.filter((p) => p.at > from && p.at < to).map((p) => p.at), to];
  let joules = 0;
  let estimatedMs = 0;
  for (let i = 0; i + 1 < knots.length; i++) {
    const segment = segmentEnergy(points, knots[i]!, knots[i + 1]!, typicalWatts, maxGapMs);
    joules += segment.joules;
    estimatedMs += segment.estimatedMs;
  }
  return { joules, estimated: estimatedMs > 0, estimatedMs };
}

/** Energy over [a, b], a stretch with no measured point strictly inside it. */
function segmentEnergy(points: readonly PowerPoint[], a: number, b: number, typicalWatts: number, maxGapMs: number): { joules: number; estimatedMs: number } {
  let before: PowerPoint | undefined;
  let after: PowerPoint | undefined;
  for (const p of points) {
    if (p.at <= a) before = p;
    if (p.at >= b && after === undefined) after = p;
  }
  if (before !== undefined && after !== undefined && after.at - before.at <= maxGapMs) {
    const at = (t: number) => (after.at === before.at ? before.watts : before.watts + ((after.watts - before.watts) * (t - before.at)) / (after.at - before.at));
    return { joules: ((at(a) + at(b)) / 2) * ((b - a) / 1000), estimatedMs: 0 };
  }
  // A wide gap: each neighbouring reading holds for maxGapMs, the typical draw fills the middle.
  const clamp = (t: number) => Math.min(b, Math.max(a, t));
  let heldUntil = before === undefined ? a : clamp(before.at + maxGapMs);
  let heldFrom = after === undefined ? b : clamp(after.at - maxGapMs);
  if (heldUntil > heldFrom && before !== undefined && after !== undefined) heldUntil = heldFrom = clamp((before.at + after.at) / 2);
  const joules = ((before?.watts ?? 0) * (heldUntil - a) + typicalWatts * (heldFrom - heldUntil) + (after?.watts ?? 0) * (b - heldFrom)) / 1000;
  return { joules, estimatedMs: heldFrom - heldUntil };
}

/** Joules as whole millijoules (the ledger's unit), rounded to nearest. */
export function toMillijoules(joules: number): bigint {
  if (!Number.isFinite(joules) || joules < 0) throw new RangeError(`Not an energy: ${joules} J.`);
  return BigInt(Math.round(joules * 1000));
}
