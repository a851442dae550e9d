/**
 * What one policy says about one device (or the whole node): nothing to object to, a reason to hold
 * back (drain or pause), a notice (it could not measure what it needs, or it only limits jobs), or a
 * limit on the size of the jobs taken.
 */
import type { PolicyName, SchedulerNotice, SchedulerReason } from '../../common/api-scheduler.js';

export type Verdict = {
  reasons: SchedulerReason[];
  notices: SchedulerNotice[];
  /** Largest model a job may have; null: no limit from this policy. */
  maxModelBytes?: number | null;
};

/** No objection. */
export const RUN: Verdict = { reasons: [], notices: [] };

/** Hold back: `drain` (finish running jobs, take no new ones) or `pause` (the same, reported as paused). */
export function holdBack(policy: PolicyName, action: 'drain' | 'pause', deviceId: string | null, message: string): Verdict {
  return { reasons: [{ policy, action, deviceId, message: fit(message) }], notices: [] };
}

/** Run, with a notice the UI shows (e.g. the reading this policy needs is not measurable). */
export function notice(policy: PolicyName, deviceId: string | null, message: string): Verdict {
  return { reasons: [], notices: [{ policy, deviceId, message: fit(message) }] };
}

/** Bytes as GiB with one decimal, for messages. */
export function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** The API carries reasons of at most 500 characters (common/api-scheduler.ts); a tool's long error is cut. */
export function fit(message: string): string {
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}
