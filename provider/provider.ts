import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ApiEvent, ProviderState, Status } from '../common/api.js';
import { type DetectionReport, detectDevices } from '../worker/devices/detect.js';
import { toApiDevice } from '../worker/devices/device.js';
import { runCommand } from '../worker/devices/run-command.js';
import { type Dispatch, createDispatcher } from './api/dispatch.js';
import { createHandlers } from './api/handlers.js';
import { ensureDataDir } from './data-dir.js';
import { Ledger } from './ledger/ledger.js';
import { type Logger, createLogger } from './logger.js';
import { type MarketplaceConnection, type MarketplaceLinkConfig, connectMarketplace } from './marketplace/provider-link-wiring.js';
import { ModelCache } from './models/model-cache.js';
import { type Settings, loadSettings } from './settings.js';
import type { WorkerLimits } from '../common/worker-protocol.js';
import { HEARTH_VERSION } from './version.js';
import { createChildProcessLauncher } from './worker/child-process-launcher.js';
import type { WorkerLauncher } from './worker/launcher.js';
import { WorkerPool } from './worker/worker-pool.js';
import { planWorkers } from './worker/worker-plan.js';

export type ProviderOptions = {
  dataDir: string;
  mode: Status['mode'];
  /** How often the `status` event is pushed while running (it also fires on every change). */
  statusIntervalMs?: number;
  /**
   * The sandboxed workers, one per device: where the built app lives (what a worker may read) and,
   * in Electron, its utilityProcess launcher. False runs no worker (the API alone).
   */
  workers: { appRoot: string; launcher?: (context: { dataDir: string; logger: Logger }) => WorkerLauncher } | false;
  /** The marketplace to take jobs from (needs workers); none by default. */
  marketplace?: MarketplaceLinkConfig;
};

/** The model cache's folder inside the data folder. */
export function modelCacheDir(dataDir: string): string {
  return join(dataDir, 'models');
}

/**
 * The provider core as a plain-Node object: it owns the data folder, settings and logger, answers the
 * API through `dispatch`, and publishes events. It runs inside Electron main or `hearth start` alike.
 */
export class Provider {
  readonly dispatch: Dispatch;
  /** Things a person should be told about start-up (for example a settings file moved aside). */
  readonly warnings: readonly string[];
  private state: ProviderState = 'stopped';
  private startedAt = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly events = new EventEmitter();
  private detection: DetectionReport | null = null;
  private pool: WorkerPool | null = null;
  private ledger: Ledger | null = null;
  private marketplace: MarketplaceConnection | null = null;

  private constructor(
    readonly dataDir: string,
    readonly settings: Settings,
    readonly logger: Logger,
    private readonly closeLogger: () => Promise<void>,
    private readonly options: ProviderOptions,
    warnings: string[],
  ) {
    this.warnings = warnings;
    this.dispatch = createDispatcher(createHandlers({ status: () => this.status(), ledger: () => this.ledger }), (method, err) =>
      this.logger.error({ err, method }, 'API handler failed'),
    );
  }

  /** Prepares the data folder, settings and logger; does not start work yet. */
  static async open(options: ProviderOptions): Promise<Provider> {
    const dataDir = await ensureDataDir(options.dataDir);
    const { settings, warnings } = await loadSettings(dataDir);
    const { logger, close, rotating } = createLogger(dataDir, settings.logLevel);
    if (!rotating) warnings.push(`Log rotation is off: the data folder's path holds characters the rotating log writer refuses (< > " | ? * :); logs go to one file in ${dataDir}.`);
    for (const warning of warnings) logger.warn(warning);
    return new Provider(dataDir, settings, logger, close, options, warnings);
  }

  /** Starts the provider: detects devices, starts one sandboxed worker per device; resolves once running. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.startedAt = Date.now();
    this.setState('starting');
    this.logger.info({ version: HEARTH_VERSION, mode: this.options.mode, dataDir: this.dataDir }, 'provider starting');
    this.ticker = setInterval(() => this.publishStatus(), this.options.statusIntervalMs ?? 1000);
    this.ticker.unref();
    if (this.options.workers !== false) {
      this.detection = await detectDevices(runCommand, process.platform);
      this.logger.info({ devices: this.detection.devices, sources: this.detection.sources }, 'devices detected');
      const cache = await ModelCache.open({ dir: modelCacheDir(this.dataDir), maxBytes: this.settings.modelCacheMaxBytes });
      const configs = planWorkers(this.detection.devices, cache.dir);
      this.pool = new WorkerPool({
        appRoot: this.options.workers.appRoot,
        configs,
        launcher: await (this.options.workers.launcher ?? createChildProcessLauncher)({ dataDir: this.dataDir, logger: this.logger }),
        logger: this.logger,
        onChange: () => this.publishStatus(),
      });
      await this.pool.start();
      if (this.options.marketplace !== undefined) await this.connectMarketplace(this.options.marketplace, this.pool, cache, configs[0]!.limits);
    }
    this.setState('running');
  }

  /** Opens the ledger and starts the marketplace client; on failure leaves neither open. */
  private async connectMarketplace(config: MarketplaceLinkConfig, pool: WorkerPool, cache: ModelCache, limits: WorkerLimits): Promise<void> {
    try {
      this.ledger = Ledger.openInDataDir(this.dataDir);
      this.marketplace = await connectMarketplace({
        config,
        dataDir: this.dataDir,
        ledger: this.ledger,
        pool,
        cache,
        limits,
        devices: () => this.detection?.devices.map(toApiDevice) ?? null,
        logger: this.logger,
        onChange: () => this.publishStatus(),
      });
    } catch (err) {
      await this.marketplace?.stop(0);
      this.marketplace = null;
      this.ledger?.close();
      this.ledger = null;
      await pool.close();
      this.pool = null;
      clearInterval(this.ticker);
      this.setState('stopped');
      throw err;
    }
  }

  /** The workers, for the features that hand them jobs; null when the provider runs none. */
  workers(): WorkerPool | null {
    return this.pool;
  }

  /** Stops the provider in order and closes the log; safe to call twice. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.setState('stopping');
    clearInterval(this.ticker);
    // Jobs in flight finish and are reported before their workers go; the ledger closes last.
    await this.marketplace?.stop();
    await this.pool?.close();
    this.pool = null;
    this.ledger?.close();
    this.ledger = null;
    this.setState('stopped');
    this.logger.info('provider stopped');
    this.events.removeAllListeners();
    await this.closeLogger();
  }

  /** The current status, as `status.get` returns it. */
  status(): Status {
    return {
      version: HEARTH_VERSION,
      mode: this.options.mode,
      state: this.state,
      startedAt: this.startedAt,
      uptimeMs: this.startedAt === 0 ? 0 : Math.max(0, Date.now() - this.startedAt),
      dataDir: this.dataDir,
      devices: this.detection?.devices.map(toApiDevice) ?? null,
      workers: this.pool?.status() ?? [],
      marketplace: this.marketplace?.status() ?? null,
    };
  }

  /** Calls `listener` for every API event until the returned function is called. */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private setState(state: ProviderState): void {
    this.state = state;
    this.publishStatus();
  }

  private publishStatus(): void {
    this.events.emit('event', { name: 'status', payload: this.status() } satisfies ApiEvent);
  }
}
