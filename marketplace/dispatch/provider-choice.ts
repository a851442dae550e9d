/**
 * Which provider gets a job: among those not paused, with a free slot and not yet tried for this job,
 * one with the model already warm comes first, then the least loaded, then the best reputation.
 */
import type { ProviderSession } from './provider-session.js';

export type ChoiceContext = {
  modelSha256: string;
  /** Providers this job already went to. */
  tried: ReadonlySet<string>;
  /** Jobs in flight on a provider, as the dispatcher counts them (it may know before the session does). */
  busy: (session: ProviderSession) => number;
  reputation: (providerId: string) => number;
  /** Providers this job may not go to at all (quarantined ones, for a consumer job). */
  skip?: (providerId: string) => boolean;
};

/** Whether a session can take one more job now. */
export function hasFreeSlot(session: ProviderSession, busy: number): boolean {
  return !session.paused && busy < session.maxInFlight;
}

/** The best session for the job, or null when none can take it now. */
export function chooseProvider(sessions: Iterable<ProviderSession>, context: ChoiceContext): ProviderSession | null {
  let best: { session: ProviderSession; warm: number; load: number; reputation: number } | null = null;
  for (const session of sessions) {
    if (context.tried.has(session.id) || context.skip?.(session.id) === true) continue;
    const busy = context.busy(session);
    if (!hasFreeSlot(session, busy)) continue;
    const candidate = {
      session,
      warm: session.warmModels.has(context.modelSha256) ? 1 : 0,
      load: busy / session.maxInFlight,
      reputation: context.reputation(session.id),
    };
    if (best === null || better(candidate, best)) best = candidate;
  }
  return best?.session ?? null;
}

type Ranked = { warm: number; load: number; reputation: number };

function better(a: Ranked, b: Ranked): boolean {
  if (a.warm !== b.warm) return a.warm > b.warm;
  if (a.load !== b.load) return a.load < b.load;
  return a.reputation > b.reputation;
}
