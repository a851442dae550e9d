/**
 * The job state machine. A job is `offered` when the coordinator's offer is stored, then:
 *
 *   offered → accepted → running → result_sent → credited
 *      │          │          │            └────→ rejected   (the coordinator refused or dropped the result)
 *      │          └──────────┴──→ failed                     (we reported job.fail, or it was cancelled)
 *      ├──→ rejected                                         (we declined the offer: job.reject)
 *      └──→ failed                                           (cancelled before we answered)
 *
 * `failed`, `credited` and `rejected` are final. Moving a job to the state it is already in is a no-op,
 * so a step replayed after a crash or a duplicate message changes nothing.
 */
import { z } from 'zod';

/** Every state, in the order a job meets them. */
export const JOB_STATES = ['offered', 'accepted', 'running', 'result_sent', 'failed', 'credited', 'rejected'] as const;
/** A job's state (the schema, for rows read back and for callers' input). */
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** States a job can still leave: what the provider resumes after a restart. */
export const UNFINISHED_STATES = ['offered', 'accepted', 'running', 'result_sent'] as const satisfies readonly JobState[];

/** For each state, the states a job may enter it from. */
export const ENTERED_FROM: Readonly<Record<JobState, readonly JobState[]>> = {
  offered: [],
  accepted: ['offered'],
  running: ['accepted'],
  result_sent: ['running'],
  failed: ['offered', 'accepted', 'running'],
  credited: ['result_sent'],
  rejected: ['offered', 'result_sent'],
};

/** True when the state machine allows `from` → `to` (not counting the no-op `to` → `to`). */
export function canTransition(from: JobState, to: JobState): boolean {
  return ENTERED_FROM[to].includes(from);
}

/** True for a state the job never leaves. */
export function isFinal(state: JobState): boolean {
  return !(UNFINISHED_STATES as readonly JobState[]).includes(state);
}
