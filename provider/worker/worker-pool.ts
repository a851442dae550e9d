/**
 * The provider's workers: one supervised, sandboxed process per enabled device, started together,
 * reported together, closed together. A model that crashes one worker is quarantined for all.
 */
import { totalmem } from 'node:os';
import type { WorkerStatus } from '../../common/api.js';
import type { WorkerConfig } from '../../common/worker-protocol.js';
import type { Logger } from '../logger.js';
import { addressSpaceLimit } from './address-space.js';
import { workerAppPaths } from './app-paths.js';
import type { WorkerLauncher } from './launcher.js';
import { Quarantine } from './quarantine.js';
import { WorkerSupervisor } from './supervisor.js';

export type WorkerPoolOptions = {
  /** The folder holding package.json, out/ and node_modules (what the worker may read). */
  appRoot: string;
  configs: WorkerConfig[];
  launcher: WorkerLauncher;
  logger: Logger;
  /** Called whenever a worker's state changes. */
  onChange?: () => void;
};

export class WorkerPool {
  private readonly supervisors = new Map<string, WorkerSupervisor>();

  constructor(private readonly options: WorkerPoolOptions) {
    const quarantine = new Quarantine();
    const app = workerAppPaths(options.appRoot);
    for (const config of options.configs) {
      const supervisor = new WorkerSupervisor({
        launcher: options.launcher,
        spec: {
          ...app,
          name: config.deviceId,
          modelCacheDir: config.modelCacheDir,
          addressSpaceLimitBytes: addressSpaceLimit(config, totalmem()),
        },
        config,
        logger: options.logger.child({ worker: config.deviceId }),
        quarantine,
      });
      supervisor.on('state', () => options.onChange?.());
      this.supervisors.set(config.deviceId, supervisor);
    }
  }

  /** Starts every worker; resolves when each is ready or has failed its first start. */
  async start(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.start()));
  }

  /** The supervisor of one device, or undefined. */
  worker(deviceId: string): WorkerSupervisor | undefined {
    return this.supervisors.get(deviceId);
  }

  /** Device ids in the order they were planned. */
  deviceIds(): string[] {
    return [...this.supervisors.keys()];
  }

  /** What the dashboard shows about each worker. */
  status(): WorkerStatus[] {
    return [...this.supervisors.entries()].map(([deviceId, supervisor]) => {
      const status = supervisor.status();
      const probes = status.info?.executionProviders ?? [];
      return {
        deviceId,
        state: status.state,
        pid: status.pid,
        executionProvider: probes.find((p) => p.available)?.name ?? null,
        executionProviders: probes,
        sandbox: status.sandbox,
        warmModels: status.info?.warmModels ?? [],
        restarts: status.restarts,
        quarantined: status.quarantined,
      };
    });
  }

  /** Closes every worker in order (stop accepting, shutdown, kill after a grace). */
  async close(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.close()));
  }
}
