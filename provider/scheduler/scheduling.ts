/**
 * Wires telemetry and host signals for the provider: a sampler over the worker pool's devices (our
 * workers' pids, and their children, are never foreign) and the host signals (Electron's when given,
 * else headless). Both have taken their first reading before this resolves, so the scheduler's first
 * decision, made before the marketplace client can take an offer, already sees a game or a hot card.
 */
import { runCommand } from '../../worker/devices/run-command.js';
import type { Logger } from '../logger.js';
import { ownProcessCheck } from '../telemetry/own-processes.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import type { WorkerPool } from '../worker/worker-pool.js';
import { headlessHostSignals } from './headless-host-signals.js';
import type { HostSignals } from './host-signals.js';
import type { SettingsStore } from './settings-store.js';

/** Builds the host signals (the desktop passes Electron's; `hearth start` uses the headless ones). */
export type HostSignalsFactory = (context: { logger: Logger }) => HostSignals;

/** The running telemetry and host signals, and how to stop them. */
export type Sensing = { sampler: TelemetrySampler; host: HostSignals; close: () => Promise<void> };

/** Starts the sampler and the host signals; resolves after their first readings. */
export async function startSensing(options: { pool: WorkerPool; settings: SettingsStore; logger: Logger; hostSignals?: HostSignalsFactory; telemetryIntervalMs?: number }): Promise<Sensing> {
  const logger = options.logger.child({ part: 'telemetry' });
  const sampler = new TelemetrySampler({
    run: runCommand,
    platform: process.platform,
    deviceIds: () => options.pool.deviceIds(),
    isOurs: ownProcessCheck(() => options.pool.status().flatMap((w) => (w.pid === null ? [] : [w.pid]))),
    intervalMs: options.telemetryIntervalMs,
    logger,
  });
  let host: HostSignals;
  if (options.hostSignals !== undefined) host = options.hostSignals({ logger });
  else {
    const headless = headlessHostSignals({ idleCommand: options.settings.current.idleCommand, run: runCommand, platform: process.platform });
    await headless.refresh();
    host = headless;
  }
  const first = await sampler.sampleOnce();
  logger.info({ devices: first.map((s) => s.deviceId) }, 'telemetry started');
  sampler.start();
  return {
    sampler,
    host,
    close: async () => {
      host.close();
      await sampler.stop();
    },
  };
}
