/**
 * The coordinator's verification: it decides which consumer jobs also run on a second provider and when
 * a canary goes out, compares fingerprints with a tolerance, moves reputation, keeps the canary pool
 * filled from results it trusts, and answers the provider link's credit question (`creditFor`): at once
 * for an unchecked run; for a checked one once it is compared, with 0 for a wrong output. Rules:
 * docs/protocol.md, "Verification and reputation".
 */
import type { Logger } from 'pino';
import { type OutputFingerprint, fingerprintOutputs, fingerprintsMatch } from '../../common/fingerprint.js';
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { AttemptRecord, CanaryPlan, DispatchVerifier, JobRole, VerifierHooks } from '../dispatch/dispatch-types.js';
import { type Canary, CanaryPool } from './canary-pool.js';
import { type CheckedJob, CheckedRun, checkedJob } from './checked-job.js';
import { QUARANTINE_THRESHOLD, REPUTATION_MAX, Reputation, type ReputationEvent } from './reputation.js';

export type VerifierOptions = {
  logger: Logger;
  /** Share of consumer jobs that get a canary sent beside them, 0 to 1 (default 0.02). */
  canaryRate?: number;
  /** Share of consumer jobs that also run on a second provider, 0 to 1 (default 0.05). */
  redundancyRate?: number;
  /** Sessions whose results are taken as true (the coordinator's in-process worker). */
  trusted?: (providerId: string) => boolean;
  reputation?: Reputation;
  canaries?: CanaryPool;
  /** Fingerprint tolerance (default 1e-2 relative, 1e-3 absolute: GPU and CPU floats differ). */
  tolerance?: { relative: number; absolute: number };
  random?: () => number;
  now?: () => number;
};

/** Verification and reputation for one coordinator; give it to the Dispatcher, and its creditFor to the ProviderLink. */
export class Verifier implements DispatchVerifier {
  readonly scores: Reputation;
  readonly canaries: CanaryPool;
  /** Checked groups by the id of every job in them (a redundant job's copies have ids of their own). */
  private readonly byJob = new Map<string, CheckedJob>();
  /** Scores as the dispatcher reads them, by provider id as the sessions spell it; refreshed for decay once a second. */
  private readonly standings = new Map<string, number>();
  private standingsAt = 0;
  private quarantinedNow = 0;
  private readonly foldCase: boolean;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly trusted: (providerId: string) => boolean;
  private readonly canaryRate: number;
  private readonly redundancyRate: number;
  private hooks: VerifierHooks = { report: () => undefined, tiebreak: () => Promise.resolve(false) };

  constructor(private readonly options: VerifierOptions) {
    this.log = options.logger.child({ part: 'verifier' });
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.scores = options.reputation ?? new Reputation({ now: this.now });
    this.canaries = options.canaries ?? new CanaryPool({ random: this.random });
    this.trusted = options.trusted ?? (() => false);
    this.canaryRate = rate(options.canaryRate ?? 0.02);
    this.redundancyRate = rate(options.redundancyRate ?? 0.05);
    // Scores kept from before (a persistent store) count from the start.
    for (const id of this.scores.ids()) this.standings.set(id, 0);
    this.foldCase = this.standings.size > 0;
    this.refreshStandings();
  }

  /**
   * What a verified, on-time result earns (the ProviderLink's `creditFor`): the job's price at once for an
   * unchecked run; for a checked one, once it is compared, and 0 when its output was judged wrong or
   * could not be confirmed against the other copy.
   */
  readonly creditFor = (job: JobSpec, _receipt: Receipt, node: string, outputs: readonly Tensor[]): bigint | Promise<bigint> => {
    const price = BigInt(job.price.amount);
    const check = this.byJob.get(job.id);
    const run = check?.runs.get(node.toLowerCase());
    if (check === undefined || run === undefined || run.jobId !== job.id) return price;
    this.reported(check, run, fingerprintOutputs(outputs));
    if (run.credited !== null) return run.credited ? price : 0n;
    return run.decision().then((credited) => (credited ? price : 0n));
  };

  admits(providerId: string): boolean {
    if (this.quarantinedNow === 0) return true;
    return this.standing(providerId) > QUARANTINE_THRESHOLD || this.trusted(providerId);
  }

  anyQuarantined(): boolean {
    return this.quarantinedNow > 0;
  }

  reputation(providerId: string): number {
    return this.trusted(providerId) ? REPUTATION_MAX : this.standing(providerId);
  }

  plan(spec: JobSpec, inputs: Tensor[]): { redundant: boolean; canary: CanaryPlan | null } {
    if (this.standings.size > 0 && this.now() - this.standingsAt >= 1000) this.refreshStandings();
    const redundant = this.redundancyRate > 0 && this.random() < this.redundancyRate;
    if (redundant) {
      const check = checkedJob({ jobId: spec.id, kind: 'redundant', modelSha256: spec.model.sha256, inputs, outputs: spec.outputs, expected: null });
      // Past the deadline no result is credited, so nothing is left to wait for.
      check.timer = setTimeout(() => this.expire(check), Math.min(2 ** 31 - 1, Math.max(0, spec.deadline - this.now())));
      check.timer.unref();
      this.byJob.set(spec.id, check);
    }
    const canary = this.canaryRate > 0 && this.random() < this.canaryRate ? this.canaries.take(spec.model.sha256) : null;
    return { redundant, canary: canary === null ? null : this.canaryPlan(canary) };
  }

  tracking(groupId: string, jobId: string, providerId: string): void {
    const check = this.byJob.get(groupId);
    const key = providerId.toLowerCase();
    if (check === undefined || check.runs.has(key)) return;
    check.runs.set(key, new CheckedRun(providerId, jobId));
    this.byJob.set(jobId, check);
  }

  observe(spec: JobSpec, inputs: Tensor[], record: AttemptRecord, role: JobRole): void {
    const { outcome, providerId } = record;
    const check = this.byJob.get(spec.id);
    const found = check?.runs.get(providerId.toLowerCase());
    const run = found?.jobId === spec.id ? found : undefined;
    if (!outcome.ok) {
      if (!this.trusted(providerId) && outcome.code === 'timeout') this.record(providerId, 'timeout');
      else if (!this.trusted(providerId) && outcome.code === 'invalid_result') this.record(providerId, 'invalid_result');
      if (check !== undefined && run?.state === 'running') {
        run.state = 'failed';
        run.decide(false);
        this.evaluate(check);
      }
      return;
    }
    // A session the link does not ask for credit (the in-process one) reports here.
    if (check !== undefined && run !== undefined) this.reported(check, run, fingerprintOutputs(outcome.outputs));
    if (role === 'consumer' && this.trusted(providerId) && this.canaries.wants(spec.model.sha256)) {
      this.canaries.add({ modelSha256: spec.model.sha256, inputs, outputs: spec.outputs, expected: fingerprintOutputs(outcome.outputs), sources: new Set([providerId.toLowerCase()]) });
    }
  }

  rejected(jobId: string, providerId: string): boolean {
    return this.byJob.get(jobId)?.wrong.has(providerId.toLowerCase()) ?? false;
  }

  release(groupId: string): void {
    const check = this.byJob.get(groupId);
    if (check === undefined || check.jobId !== groupId) return;
    this.byJob.delete(groupId);
    for (const run of check.runs.values()) this.byJob.delete(run.jobId);
    clearTimeout(check.timer);
    check.phase = 'done';
    // Every run has ended by now; one still undecided was never confirmed.
    for (const run of check.runs.values()) run.decide(false);
  }

  attach(hooks: VerifierHooks): void {
    this.hooks = hooks;
  }

  close(): void {
    for (const check of new Set(this.byJob.values())) this.release(check.jobId);
  }

  private standing(providerId: string): number {
    const score = this.standings.get(providerId);
    // Scores loaded from a store are keyed in lower case; sessions spell addresses checksummed.
    if (score !== undefined || !this.foldCase) return score ?? 0;
    return this.standings.get(providerId.toLowerCase()) ?? 0;
  }

  private record(providerId: string, event: ReputationEvent): void {
    const score = this.scores.record(providerId, event);
    if ((this.standings.get(providerId) ?? 0) <= QUARANTINE_THRESHOLD) this.quarantinedNow -= 1;
    this.standings.set(providerId, score);
    if (score <= QUARANTINE_THRESHOLD) this.quarantinedNow += 1;
  }

  /**
   * Recomputes every decayed score. The dispatcher reads scores for every candidate of every job, so
   * reads are one Map lookup; decay is slow enough that a second's staleness changes nothing.
   */
  private refreshStandings(): void {
    this.standingsAt = this.now();
    this.quarantinedNow = 0;
    for (const id of this.standings.keys()) {
      const score = this.scores.score(id);
      this.standings.set(id, score);
      if (score <= QUARANTINE_THRESHOLD) this.quarantinedNow += 1;
    }
  }

  /** Checked groups being followed. */
  openChecks(): number {
    return new Set(this.byJob.values()).size;
  }

  private canaryPlan(canary: Canary): CanaryPlan {
    return {
      inputs: canary.inputs,
      inputSha256: canary.inputSha256,
      outputs: canary.outputs,
      excluded: (id) => this.trusted(id) || canary.sources.has(id.toLowerCase()),
      sent: (jobId) => {
        this.byJob.set(jobId, checkedJob({ jobId, kind: 'canary', modelSha256: canary.modelSha256, inputs: canary.inputs, outputs: canary.outputs, expected: canary.expected }));
      },
    };
  }

  private reported(check: CheckedJob, run: CheckedRun, fingerprint: OutputFingerprint): void {
    if (run.state !== 'running') return;
    run.state = 'reported';
    run.fingerprint = fingerprint;
    this.evaluate(check);
  }

  private evaluate(check: CheckedJob): void {
    if (check.kind === 'canary') return this.judgeCanary(check);
    if (check.phase === 'done' || check.awaitingThird || [...check.runs.values()].some((r) => r.state === 'running')) return;
    const oks = [...check.runs.values()].filter((r) => r.fingerprint !== null);
    if (check.phase === 'tiebreak') return this.judgeTiebreak(check, oks);
    const open = oks.filter((r) => r.credited === null);
    if (open.length === 2) return this.compare(check, open[0]!, open[1]!);
    // One result (the other copy failed): it counts like an unchecked job's.
    for (const run of open) run.decide(true);
  }

  private judgeCanary(check: CheckedJob): void {
    for (const run of check.runs.values()) {
      if (run.state !== 'reported' || run.credited !== null) continue;
      const pass = this.match(check.expected!, run.fingerprint!);
      if (!pass) check.wrong.add(run.providerId.toLowerCase());
      run.decide(pass);
      this.record(run.providerId, pass ? 'canary_pass' : 'wrong_output');
      this.hooks.report(pass ? 'canary_pass' : 'canary_fail');
      if (!pass) this.log.warn({ jobId: check.jobId, provider: run.providerId }, 'a provider failed a canary: not credited');
    }
  }

  private compare(check: CheckedJob, a: CheckedRun, b: CheckedRun): void {
    if (this.match(a.fingerprint!, b.fingerprint!)) {
      check.phase = 'done';
      this.agree([a, b]);
      this.hooks.report('agreement');
      if (this.canaries.wants(check.modelSha256)) {
        const sources = new Set([a.providerId.toLowerCase(), b.providerId.toLowerCase()]);
        this.canaries.add({ modelSha256: check.modelSha256, inputs: check.inputs, outputs: check.outputs, expected: a.fingerprint!, sources });
      }
      return;
    }
    this.hooks.report('disagreement');
    this.log.warn({ jobId: check.jobId, providers: [a.providerId, b.providerId] }, 'two providers returned different outputs for one job');
    if (this.trusted(a.providerId) !== this.trusted(b.providerId)) {
      check.phase = 'done';
      return this.trusted(a.providerId) ? this.resolve(check, [a], b) : this.resolve(check, [b], a);
    }
    check.pair = [a, b];
    check.phase = 'tiebreak';
    check.awaitingThird = true;
    this.hooks.tiebreak(check.jobId).then(
      (started) => {
        check.awaitingThird = false;
        // Started: the third run is tracked, and may even have reported already.
        if (started) this.evaluate(check);
        else this.unresolved(check);
      },
      (err: unknown) => {
        check.awaitingThird = false;
        this.log.error({ err, jobId: check.jobId }, 'a tiebreak could not start');
        this.unresolved(check);
      },
    );
  }

  private judgeTiebreak(check: CheckedJob, oks: CheckedRun[]): void {
    const [a, b] = check.pair!;
    const third = oks.find((r) => r !== a && r !== b);
    const withA = third !== undefined && this.match(third.fingerprint!, a.fingerprint!);
    const withB = third !== undefined && this.match(third.fingerprint!, b.fingerprint!);
    if (withA === withB) return this.unresolved(check);
    check.phase = 'done';
    if (withA) this.resolve(check, [a, third!], b);
    else this.resolve(check, [b, third!], a);
  }

  private agree(runs: CheckedRun[]): void {
    for (const run of runs) {
      run.decide(true);
      if (!this.trusted(run.providerId)) this.record(run.providerId, 'agreement');
    }
  }

  /** The majority is credited and gains; the one that disagreed with it is not, and loses heavily. */
  private resolve(check: CheckedJob, majority: CheckedRun[], wrong: CheckedRun): void {
    check.wrong.add(wrong.providerId.toLowerCase());
    wrong.decide(false);
    this.agree(majority);
    this.record(wrong.providerId, 'wrong_output');
    this.hooks.report('tiebreak_resolved');
    this.log.warn({ jobId: check.jobId, provider: wrong.providerId }, 'a provider disagreed with the majority: not credited');
  }

  /** No majority: no copy is credited, and nobody's reputation moves (who was wrong is unknown). */
  private unresolved(check: CheckedJob): void {
    if (check.phase === 'done') return;
    check.phase = 'done';
    for (const run of check.runs.values()) run.decide(false);
    this.hooks.report('unresolved');
    this.log.warn({ jobId: check.jobId, providers: [...check.runs.values()].map((r) => r.providerId) }, 'redundant results disagree and no majority formed: none credited');
  }

  /** The job's deadline passed: runs still out count as failed, and what is in gets decided. */
  private expire(check: CheckedJob): void {
    check.awaitingThird = false;
    for (const run of check.runs.values()) {
      if (run.state !== 'running') continue;
      run.state = 'failed';
      run.decide(false);
    }
    this.evaluate(check);
  }

  private match(a: OutputFingerprint, b: OutputFingerprint): boolean {
    const tolerance = this.options.tolerance;
    return tolerance === undefined ? fingerprintsMatch(a, b) : fingerprintsMatch(a, b, tolerance.relative, tolerance.absolute);
  }
}

function rate(value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`A verification rate must be between 0 and 1, not ${value}.`);
  return value;
}
