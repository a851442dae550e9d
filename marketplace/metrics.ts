/**
 * The coordinator's /metrics in Prometheus text format (version 0.0.4): jobs by outcome, dispatch
 * latency as a histogram, retries and ignored results, providers connected, queue depth, and HTTP
 * responses by status, credits by token and vouchers issued. Fed by the dispatcher's events, the
 * server and the provider link.
 */
import type { DispatchErrorCode, Dispatcher, VerificationOutcome } from './dispatch/dispatcher.js';

/** Content-Type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of the dispatch latency buckets. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const OUTCOMES: ('ok' | DispatchErrorCode)[] = ['ok', 'failed', 'timeout', 'no_provider', 'overloaded', 'queue_full', 'closed', 'internal'];
const VERDICTS: VerificationOutcome[] = ['canary_pass', 'canary_fail', 'agreement', 'disagreement', 'tiebreak_resolved', 'unresolved'];

/** Counters and gauges of one marketplace. */
export class MarketplaceMetrics {
  private readonly jobs = new Map<string, number>(OUTCOMES.map((o) => [o, 0]));
  private readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private latencySum = 0;
  private latencyCount = 0;
  private retries = 0;
  private ignored = 0;
  private readonly http = new Map<string, number>();
  private readonly credits = new Map<string, { count: number; amount: bigint }>();
  private vouchers = 0;
  private readonly verdicts = new Map<VerificationOutcome, number>(VERDICTS.map((v) => [v, 0]));
  private readonly unsubscribe: () => void;

  constructor(private readonly dispatcher: Dispatcher) {
    const onSettled = (result: { ok: boolean; latencyMs: number; error?: { code: string } }) => {
      const outcome = result.ok ? 'ok' : (result.error?.code ?? 'internal');
      this.jobs.set(outcome, (this.jobs.get(outcome) ?? 0) + 1);
      const seconds = result.latencyMs / 1000;
      this.latencySum += seconds;
      this.latencyCount += 1;
      LATENCY_BUCKETS.forEach((bound, i) => {
        if (seconds <= bound) this.buckets[i]! += 1;
      });
    };
    const onRetry = () => (this.retries += 1);
    const onIgnored = () => (this.ignored += 1);
    const onVerified = (verdict: VerificationOutcome) => this.verdicts.set(verdict, (this.verdicts.get(verdict) ?? 0) + 1);
    dispatcher.on('verified', onVerified);
    dispatcher.on('settled', onSettled);
    dispatcher.on('retry', onRetry);
    dispatcher.on('ignored', onIgnored);
    this.unsubscribe = () => {
      dispatcher.off('settled', onSettled);
      dispatcher.off('retry', onRetry);
      dispatcher.off('ignored', onIgnored);
      dispatcher.off('verified', onVerified);
    };
  }

  /** Counts one HTTP response. */
  httpResponse(status: number): void {
    const code = String(status);
    this.http.set(code, (this.http.get(code) ?? 0) + 1);
  }

  /** Counts one committed non-zero credit of `amount` base units of `token`. */
  credit(token: string, amount: bigint): void {
    const key = token.toLowerCase();
    const entry = this.credits.get(key) ?? { count: 0, amount: 0n };
    this.credits.set(key, { count: entry.count + 1, amount: entry.amount + amount });
  }

  /** Counts one voucher signed and stored. */
  voucherIssued(): void {
    this.vouchers += 1;
  }

  /** Stops listening to the dispatcher. */
  close(): void {
    this.unsubscribe();
  }

  /** The metrics as Prometheus text. */
  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('hearth_jobs_total', 'counter', 'Inference jobs settled, by outcome.');
    for (const [outcome, count] of this.jobs) lines.push(`hearth_jobs_total{outcome="${outcome}"} ${count}`);
    family('hearth_dispatch_duration_seconds', 'histogram', 'Time from a job being submitted to it settling.');
    LATENCY_BUCKETS.forEach((bound, i) => lines.push(`hearth_dispatch_duration_seconds_bucket{le="${bound}"} ${this.buckets[i]}`));
    lines.push(`hearth_dispatch_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`hearth_dispatch_duration_seconds_sum ${this.latencySum}`, `hearth_dispatch_duration_seconds_count ${this.latencyCount}`);
    family('hearth_job_retries_total', 'counter', 'Attempts that failed retryably and moved the job to another provider.');
    lines.push(`hearth_job_retries_total ${this.retries}`);
    family('hearth_ignored_results_total', 'counter', 'Provider results that came after their job had settled or moved on.');
    lines.push(`hearth_ignored_results_total ${this.ignored}`);
    family('hearth_providers_connected', 'gauge', 'Provider sessions connected to the dispatcher.');
    lines.push(`hearth_providers_connected ${this.dispatcher.sessionCount()}`);
    family('hearth_queue_depth', 'gauge', 'Jobs waiting for a provider.');
    lines.push(`hearth_queue_depth ${this.dispatcher.queueDepth()}`);
    family('hearth_http_responses_total', 'counter', 'HTTP responses, by status code.');
    for (const [code, count] of [...this.http].sort()) lines.push(`hearth_http_responses_total{code="${code}"} ${count}`);
    family('hearth_credits_total', 'counter', 'Results credited to providers (a non-zero credit, committed with its ack), by token.');
    for (const [token, entry] of [...this.credits].sort()) lines.push(`hearth_credits_total{token="${token}"} ${entry.count}`);
    family('hearth_credited_base_units_total', 'counter', 'Amount credited to providers, in the token\'s base units, by token.');
    for (const [token, entry] of [...this.credits].sort()) lines.push(`hearth_credited_base_units_total{token="${token}"} ${entry.amount}`);
    family('hearth_vouchers_issued_total', 'counter', 'Cumulative payout vouchers signed and stored.');
    lines.push(`hearth_vouchers_issued_total ${this.vouchers}`);
    family('hearth_verifications_total', 'counter', 'Verification verdicts: canaries passed or failed, redundant runs that agreed or disagreed, and how disagreements ended.');
    for (const [verdict, count] of this.verdicts) lines.push(`hearth_verifications_total{verdict="${verdict}"} ${count}`);
    family('hearth_providers_quarantined', 'gauge', 'Connected providers in quarantine (reputation too low: canaries only).');
    lines.push(`hearth_providers_quarantined ${this.dispatcher.quarantinedCount()}`);
    return `${lines.join('\n')}\n`;
  }
}
