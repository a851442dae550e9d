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

/**
 * The best session for the job, or null when none can take it now. One pass over every session, without
 * allocating: it runs for each job with every connected provider (1,000 in the scale bench).
 */
export function chooseProvider(sessions: Iterable<ProviderSession>, context: ChoiceContext): ProviderSession | null {
  let best: ProviderSession | null = null;
  let bestWarm = 0;
  let bestLoad = 0;
  let bestReputation = 0;
  for (const session of sessions) {
    if (context.tried.has(session.id) || context.skip?.(session.id) === true) continue;
    const busy = context.busy(session);
    if (!hasFreeSlot(session, busy)) continue;
    const warm = session.warmModels.has(context.modelSha256) ? 1 : 0;
    if (best !== null && warm < bestWarm) continue;
    const load = busy / session.maxInFlight;
    if (best !== null && warm === bestWarm && load > bestLoad) continue;
    const reputation = context.reputation(session.id);
    if (best !== null && warm === bestWarm && load === bestLoad && reputation <= bestReputation) continue;
    best = session;
    bestWarm = warm;
    bestLoad = load;
    bestReputation = reputation;
  }
  return best;
}
