/**
 * The scheduler at run time: evaluates the policies on every telemetry sample, host change, settings
 * change and clock tick, and drives the marketplace client from the decision: run → resume(), drain or
 * pause → drain(reason) (running jobs finish, offers are refused, heartbeats report the reason). It
 * publishes the decision (the `scheduler` API event) and checks each offer against the VRAM reserve and
 * the power cap's job-size limit.
 */
import type { SchedulerState } from '../../common/api-scheduler.js';
import type { SchedulerSettings } from '../../common/api-settings.js';
import type { JobSpec } from '../../common/marketplace-protocol.js';
import type { Logger } from '../logger.js';
import type { OfferRefusal } from '../marketplace/offer-check.js';
import type { DeviceSample } from '../telemetry/sample.js';
import { type Decision, type SchedulerMemory, emptyMemory, evaluate } from './evaluate.js';
import { type HostSignals, unknownHost } from './host-signals.js';
import { vramAdmission } from './vram-reserve.js';

/** What the scheduler drives: the marketplace client's drain and resume, and its offer check. */
export type SchedulerTarget = {
  drain(reason: string): Promise<void>;
  resume(): void;
  setAdmission(check: ((job: JobSpec) => OfferRefusal | null) | null): void;
};

/** Where the scheduler reads telemetry (the TelemetrySampler). */
export type TelemetrySource = { all(): DeviceSample[]; onSample(listener: (sample: DeviceSample) => void): () => void };

export type SchedulerOptions = {
  settings: () => SchedulerSettings;
  deviceIds: () => readonly string[];
  logger: Logger;
  /** Called after every evaluation (each telemetry pass, host or settings change, and tick) with the state. */
  publish: (state: SchedulerState) => void;
  now?: () => number;
  /** Re-evaluates at least this often, for schedule boundaries and grace periods (default 5 s). */
  tickMs?: number;
};

/** Longest reason the protocol's `drain` message carries. */
const DRAIN_REASON_MAX = 200;

/** Evaluates the policies and drives the marketplace client. */
export class Scheduler {
  private memory: SchedulerMemory = emptyMemory();
  private decision: Decision = { action: 'run', reasons: [], notices: [], devices: [] };
  private evaluatedAt = 0;
  private since = 0;
  private telemetry: TelemetrySource | null = null;
  private target: SchedulerTarget | null = null;
  private host: HostSignals | null = null;
  private drivenReason: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts evaluating; the first evaluation (and any drain it calls for) happens before this returns. */
  start(sources: { telemetry: TelemetrySource | null; host: HostSignals; target: SchedulerTarget | null }): void {
    const { telemetry, host, target } = sources;
    this.telemetry = telemetry;
    this.host = host;
    this.target = target;
    target?.setAdmission((job) => this.admit(job));
    if (telemetry !== null) this.unsubscribe.push(telemetry.onSample(() => this.soon()));
    this.unsubscribe.push(host.onChange(() => this.soon()));
    this.timer = setInterval(() => this.evaluateNow(), this.options.tickMs ?? 5000);
    this.timer.unref();
    this.evaluateNow();
  }

  /** Stops evaluating; the client is left as it is (the provider drains it on its way out). */
  stop(): void {
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.target?.setAdmission(null);
    this.target = null;
    this.telemetry = null;
    this.host = null;
  }

  /** The current decision, with the latest telemetry. */
  state(): SchedulerState {
    if (this.evaluatedAt === 0) this.evaluateNow();
    const settings = this.options.settings();
    return {
      ...this.decision,
      evaluatedAt: this.evaluatedAt,
      since: this.since,
      manualPause: { all: settings.manualPause.all, devices: [...settings.manualPause.devices] },
      telemetry: this.telemetry?.all() ?? [],
    };
  }

  /** Evaluates now, drives the client when the decision changed, and publishes. */
  evaluateNow(): void {
    const now = this.now();
    const samples = new Map((this.telemetry?.all() ?? []).map((s) => [s.deviceId, s]));
    const { decision, memory } = evaluate({ settings: this.options.settings(), deviceIds: this.options.deviceIds(), telemetry: samples, now, host: this.host?.read() ?? unknownHost('The provider is not running.') }, this.memory);
    this.memory = memory;
    // Logged when the action or the set of reasons changes, not when a reading inside a message does.
    const key = (d: Decision) => `${d.action}:${d.reasons.map((r) => `${r.policy}@${r.deviceId ?? ''}`).join(',')}`;
    const changed = key(decision) !== key(this.decision);
    if (decision.action !== this.decision.action || this.since === 0) this.since = now;
    this.decision = decision;
    this.evaluatedAt = now;
    this.drive();
    if (changed) this.options.logger.info({ action: decision.action, reasons: decision.reasons.map((r) => `${r.policy}: ${r.message}`) }, 'scheduler decision');
    this.options.publish(this.state());
  }

  /** Why an offer must be refused by the VRAM reserve or the power cap's size limit, or null. */
  admit(job: JobSpec): OfferRefusal | null {
    const settings = this.options.settings();
    const samples = new Map((this.telemetry?.all() ?? []).map((s) => [s.deviceId, s]));
    const running = this.decision.devices.filter((d) => d.action === 'run');
    if (running.length === 0) return null; // the client's pause check already refuses it
    const problems: string[] = [];
    for (const device of running) {
      if (device.maxModelBytes !== null && job.model.bytes > device.maxModelBytes) {
        problems.push(`the power cap allows models up to ${device.maxModelBytes} bytes on ${device.deviceId}`);
        continue;
      }
      const vram = vramAdmission(settings, device.deviceId, samples.get(device.deviceId), job.model.bytes);
      if (vram === null) return null;
      problems.push(vram);
    }
    return { reason: 'busy', message: `Job ${job.id} does not fit: ${problems.join('; ')}.`.slice(0, 2000) };
  }

  /** Coalesces evaluations asked for in one turn (a sampling pass reports each device). */
  private soon(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.evaluateNow();
    });
  }

  private drive(): void {
    const target = this.target;
    if (target === null) return;
    const { action, reasons } = this.decision;
    if (action === 'run') {
      if (this.drivenReason !== null) target.resume();
      this.drivenReason = null;
      return;
    }
    const top = reasons.find((r) => r.action === action) ?? reasons[0];
    const reason = (top?.message ?? action).slice(0, DRAIN_REASON_MAX);
    if (reason === this.drivenReason) return;
    this.drivenReason = reason;
    target.drain(reason).catch((err: unknown) => this.options.logger.error({ err }, 'marketplace drain failed'));
  }
}
