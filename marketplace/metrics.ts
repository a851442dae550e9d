/**
 * The coordinator's /metrics in Prometheus text format (version 0.0.4): jobs by outcome, dispatch
 * latency as a histogram, retries and ignored results, providers connected, queue depth, and HTTP
 * responses by status. Fed by the dispatcher's events and the server.
 */
import type { DispatchErrorCode, Dispatcher } from './dispatch/dispatcher.js';

/** Content-Type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of the dispatch latency buckets. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const OUTCOMES: ('ok' | DispatchErrorCode)[] = ['ok', 'failed', 'timeout', 'no_provider', 'overloaded', 'queue_full', 'closed', 'internal'];

/** Counters and gauges of one marketplace. */
export class MarketplaceMetrics {
  private readonly jobs = new Map<string, number>(OUTCOMES.map((o) => [o, 0]));
  private readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private latencySum = 0;
  private latencyCount = 0;
  private retries = 0;
  private ignored = 0;
  private readonly http = new Map<string, number>();
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
    dispatcher.on('settled', onSettled);
    dispatcher.on('retry', onRetry);
    dispatcher.on('ignored', onIgnored);
    this.unsubscribe = () => {
      dispatcher.off('settled', onSettled);
      dispatcher.off('retry', onRetry);
      dispatcher.off('ignored', onIgnored);
    };
  }

  /** Counts one HTTP response. */
  httpResponse(status: number): void {
    const code = String(status);
    this.http.set(code, (this.http.get(code) ?? 0) + 1);
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
    return `${lines.join('\n')}\n`;
  }
}
