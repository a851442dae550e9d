/**
 * Drives the real Scheduler (with the real policies, the real nvidia-smi parsers and a real settings
 * file) through a trace: at each step the clock, the tool output and the host change, and the test reads
 * the decision and what the scheduler told the marketplace client. The client here records drain and
 * resume the way MarketplaceClient treats them (drain sets the pause reason, resume clears it); the
 * real client is driven in test/e2e/gaming-mode.test.ts.
 */
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import pino from 'pino';
import type { OfferRefusal } from '../../../provider/marketplace/offer-check.js';
import type { HostSignals, HostState } from '../../../provider/scheduler/host-signals.js';
import { Scheduler, type SchedulerTarget, type TelemetrySource } from '../../../provider/scheduler/scheduler.js';
import { SettingsStore } from '../../../provider/scheduler/settings-store.js';
import { loadSettings } from '../../../provider/settings.js';
import { nvidiaSamples, parseNvidiaComputeApps, parseNvidiaGpuQuery } from '../../../provider/telemetry/nvidia-smi-telemetry.js';
import type { DeviceSample } from '../../../provider/telemetry/sample.js';

/** The marketplace client as the scheduler sees it, remembering what it was told. */
export class RecordingClient implements SchedulerTarget {
  paused: string | null = null;
  calls: ('drain' | 'resume')[] = [];
  admission: ((job: JobSpec) => OfferRefusal | null) | null = null;
  drain(reason: string): Promise<void> {
    this.paused = reason;
    this.calls.push('drain');
    return Promise.resolve();
  }
  resume(): void {
    if (this.paused === null) return;
    this.paused = null;
    this.calls.push('resume');
  }
  setAdmission(check: ((job: JobSpec) => OfferRefusal | null) | null): void {
    this.admission = check;
  }
}

/** Host signals a test sets directly (on a real machine they come from powerMonitor or /sys). */
export class ScriptedHost implements HostSignals {
  state: HostState = { onBattery: { ok: true, value: false }, idleSeconds: { ok: true, value: 3600 }, fullscreenApp: { ok: true, value: null }, suspended: false };
  read(): HostState {
    return this.state;
  }
  onChange(): () => void {
    return () => undefined;
  }
  close(): void {}
}

/** Telemetry parsed from nvidia-smi output lines, as the sampler would produce it. */
export class LineTelemetry implements TelemetrySource {
  samples: DeviceSample[] = [];
  set(gpu: string, apps: string, at: number): void {
    this.samples = nvidiaSamples(parseNvidiaGpuQuery(gpu).gpus, parseNvidiaComputeApps(apps), (pid) => pid === 48213, at);
  }
  all(): DeviceSample[] {
    return this.samples;
  }
  onSample(): () => void {
    return () => undefined;
  }
}

/** A scheduler over a real settings file in `dataDir`, started on the given sources. */
export async function openScheduler(dataDir: string, deviceIds: readonly string[], sources: { telemetry: TelemetrySource; host: HostSignals; clock: { now: number } }) {
  const { settings } = await loadSettings(dataDir);
  const store = new SettingsStore(dataDir, settings);
  const client = new RecordingClient();
  const logger = pino({ enabled: false });
  const scheduler = new Scheduler({ settings: () => store.current.scheduler, deviceIds: () => deviceIds, logger, publish: () => undefined, now: () => sources.clock.now, tickMs: 3_600_000 });
  store.onChange(() => scheduler.evaluateNow());
  scheduler.start({ telemetry: sources.telemetry, host: sources.host, target: client });
  return {
    scheduler,
    store,
    client,
    close: () => scheduler.stop(),
  };
}
