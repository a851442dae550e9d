/**
 * Provider reputation: one score per node address, neutral at 0, bounded to [-100, 100], decaying toward
 * neutral with a half-life (so old evidence fades both ways), moved by what verification observes. A
 * provider at or below the quarantine threshold gets no consumer jobs, only canaries, and earns its way
 * back through canaries it passes (or waits for the decay). Rules and numbers: docs/protocol.md,
 * "Verification and reputation".
 */

/** What moved a score. */
export type ReputationEvent = 'canary_pass' | 'agreement' | 'wrong_output' | 'invalid_result' | 'timeout';

/** Points per event; `wrong_output` also drops the score to at least WRONG_OUTPUT_FLOOR. */
export const REPUTATION_POINTS: Readonly<Record<ReputationEvent, number>> = {
  canary_pass: 4,
  agreement: 2,
  wrong_output: -40,
  invalid_result: -15,
  timeout: -5,
};

export const REPUTATION_MIN = -100;
export const REPUTATION_MAX = 100;
/** Where one wrong output leaves a score at best: below the threshold, whatever it was before. */
export const WRONG_OUTPUT_FLOOR = -50;
/** At or below this, a provider is quarantined. */
export const QUARANTINE_THRESHOLD = -25;
/**
 * How low timeouts alone can take a score: they say a provider is unreliable (a crash, a pause, a slow
 * card), not that its outputs are wrong, so they rank it last but never quarantine it by themselves.
 */
export const UNRELIABLE_FLOOR = QUARANTINE_THRESHOLD + 5;

/** A score as stored: its value at `at` (epoch ms); decay is applied when it is read. */
export type ReputationEntry = { score: number; at: number };

/** Where scores persist; the in-memory one by default (a coordinator store can implement it). */
export interface ReputationStore {
  get(providerId: string): ReputationEntry | undefined;
  set(providerId: string, entry: ReputationEntry): void;
  /** Every stored provider. */
  ids(): Iterable<string>;
}

/** A ReputationStore in a Map: scores last as long as the process. */
export function memoryReputationStore(): ReputationStore {
  const map = new Map<string, ReputationEntry>();
  return { get: (id) => map.get(id), set: (id, entry) => void map.set(id, entry), ids: () => map.keys() };
}

export type ReputationOptions = {
  store?: ReputationStore;
  /** Half-life of a score's distance from neutral (default 30 minutes). */
  halfLifeMs?: number;
  now?: () => number;
};

/** The reputation book of one coordinator. */
export class Reputation {
  private readonly store: ReputationStore;
  private readonly halfLifeMs: number;
  private readonly now: () => number;

  constructor(options: ReputationOptions = {}) {
    this.store = options.store ?? memoryReputationStore();
    this.halfLifeMs = options.halfLifeMs ?? 30 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The provider's current score (0 for one never seen). */
  score(providerId: string): number {
    const entry = this.store.get(providerId.toLowerCase());
    if (entry === undefined) return 0;
    const elapsed = Math.max(0, this.now() - entry.at);
    return entry.score * 0.5 ** (elapsed / this.halfLifeMs);
  }

  /** True while the provider may get only canaries. */
  quarantined(providerId: string): boolean {
    return this.score(providerId) <= QUARANTINE_THRESHOLD;
  }

  /** Applies one event; returns the new score. */
  record(providerId: string, event: ReputationEvent): number {
    const current = this.score(providerId);
    let score = current + REPUTATION_POINTS[event];
    if (event === 'wrong_output') score = Math.min(score, WRONG_OUTPUT_FLOOR);
    if (event === 'timeout') score = Math.max(score, Math.min(current, UNRELIABLE_FLOOR));
    score = Math.min(REPUTATION_MAX, Math.max(REPUTATION_MIN, score));
    this.store.set(providerId.toLowerCase(), { score, at: this.now() });
    return score;
  }

  /** Every provider with a score. */
  ids(): Iterable<string> {
    return this.store.ids();
  }

  /** How many known providers are quarantined now. */
  quarantinedCount(): number {
    let count = 0;
    for (const id of this.store.ids()) if (this.quarantined(id)) count += 1;
    return count;
  }
}
