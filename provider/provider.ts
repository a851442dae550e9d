import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ApiEvent, ProviderState, Status } from '../common/api.js';
import { type DetectionReport, detectDevices } from '../worker/devices/detect.js';
import { toApiDevice } from '../worker/devices/device.js';
import { runCommand } from '../worker/devices/run-command.js';
import { type Dispatch, createDispatcher } from './api/dispatch.js';
import { createHandlers } from './api/handlers.js';
import { ensureDataDir } from './data-dir.js';
import { type EnergyMetering, startEnergyMetering } from './energy/energy-metering.js';
import type { EnergySettingsPatch } from '../common/api-energy.js';
import { Ledger } from './ledger/ledger.js';
import { type Logger, createLogger } from './logger.js';
import { type MarketplaceConnection, type MarketplaceLinkConfig, connectMarketplace } from './marketplace/provider-link-wiring.js';
import type { LocalDemo, LocalDemoInfo } from '../marketplace/embedded/local-demo.js';
import { ModelCache } from './models/model-cache.js';
import { Scheduler } from './scheduler/scheduler.js';
import { type HostSignalsFactory, type Sensing, startSensing } from './scheduler/scheduling.js';
import { SettingsStore } from './scheduler/settings-store.js';
import { type Settings, loadSettings } from './settings.js';
import { DEFAULT_TELEMETRY_INTERVAL_MS } from './telemetry/sampler.js';
import type { WorkerLimits } from '../common/worker-protocol.js';
import { HEARTH_VERSION } from './version.js';
import type { KeyWrapper } from './wallet/key-wrapper.js';
import { Wallet } from './wallet/wallet.js';
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
  /**
   * Where jobs come from (needs workers): a coordinator to connect to, or `'local-demo'` — the embedded
   * default, a whole marketplace with a local chain started in this process; none by default.
   */
  marketplace?: MarketplaceLinkConfig | 'local-demo';
  /** Host signals for the scheduler (Electron's powerMonitor); the headless ones by default. */
  hostSignals?: HostSignalsFactory;
  /** The wallet key's second layer (Electron safeStorage where real); none under plain Node. */
  keyWrapper?: KeyWrapper;
  /** An RPC URL for the payout chain that replaces the marketplace's. */
  payoutRpcUrl?: string;
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
  /** The settings in force (changed through the API and the manual pause); `settings` is what was loaded. */
  readonly settingsStore: SettingsStore;
  readonly scheduler: Scheduler;
  private sensing: Sensing | null = null;
  private energy: EnergyMetering | null = null;
  private demo: LocalDemo | null = null;

  private constructor(
    readonly dataDir: string,
    readonly settings: Settings,
    readonly logger: Logger,
    private readonly closeLogger: () => Promise<void>,
    private readonly options: ProviderOptions,
    warnings: string[],
    /** The built-in wallet: its key lives in this process only. */
    readonly wallet: Wallet,
  ) {
    this.warnings = warnings;
    this.settingsStore = new SettingsStore(dataDir, settings);
    this.scheduler = new Scheduler({
      settings: () => this.settingsStore.current.scheduler,
      deviceIds: () => this.pool?.deviceIds() ?? [],
      logger: logger.child({ part: 'scheduler' }),
      publish: (payload) => this.events.emit('event', { name: 'scheduler', payload } satisfies ApiEvent),
    });
    this.settingsStore.onChange(() => this.scheduler.evaluateNow());
    const energy = {
      settings: () => this.settingsStore.current.energy,
      timeZone: () => this.settingsStore.current.scheduler.schedule.timeZone,
      update: async (patch: EnergySettingsPatch) => (await this.settingsStore.update({ energy: patch })).energy,
      payoutDecimals: () => this.marketplace?.status().payout?.tokenDecimals ?? null,
    };
    this.dispatch = createDispatcher(createHandlers({ status: () => this.status(), ledger: () => this.ledger, scheduler: { scheduler: this.scheduler, settings: this.settingsStore }, wallet, energy }), (method, err) =>
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
    let self: Provider | null = null;
    const wallet = await Wallet.open({
      dataDir,
      ...(options.keyWrapper ? { wrapper: options.keyWrapper } : {}),
      ...(options.payoutRpcUrl ? { rpcUrl: options.payoutRpcUrl } : {}),
      ledger: () => self?.ledger ?? null,
      marketplace: () => self?.marketplace?.status() ?? null,
      logger: logger.child({ part: 'wallet' }),
      onClaim: (payload) => self?.events.emit('event', { name: 'claim', payload } satisfies ApiEvent),
      // On the local demo chain the test token has a made-up price and the wallet gets gas from the demo's faucet.
      nativePriceInToken: () => self?.demo?.nativePriceInToken,
      onChanged: () => self?.walletChanged(),
    });
    self = new Provider(dataDir, settings, logger, close, options, warnings, wallet);
    return self;
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
      // Telemetry's first reading comes before the marketplace link, so the first decision sees it.
      this.sensing = await startSensing({ pool: this.pool, settings: this.settingsStore, logger: this.logger, hostSignals: this.options.hostSignals });
      this.energy = startEnergyMetering({
        sampler: this.sensing.sampler,
        ledger: () => this.ledger,
        settings: () => this.settingsStore.current.energy,
        devices: () => this.detection?.devices.map(toApiDevice) ?? null,
        intervalMs: DEFAULT_TELEMETRY_INTERVAL_MS,
        logger: this.logger,
      });
      if (this.options.marketplace !== undefined) {
        await this.connectMarketplace(this.options.marketplace, this.pool, cache, configs[0]!.limits).catch(async (err: unknown) => {
          await this.sensing?.close();
          this.sensing = null;
          throw err;
        });
      }
      this.scheduler.start({ telemetry: this.sensing.sampler, host: this.sensing.host, target: this.marketplace?.client ?? null });
    }
    this.setState('running');
  }

  /** Opens the ledger and starts the marketplace client (after the local demo, when that is the source); on failure leaves none open. */
  private async connectMarketplace(source: MarketplaceLinkConfig | 'local-demo', pool: WorkerPool, cache: ModelCache, limits: WorkerLimits): Promise<void> {
    try {
      let config: MarketplaceLinkConfig;
      if (source === 'local-demo') {
        const { startLocalDemo } = await import('../marketplace/embedded/local-demo.js');
        this.demo = await startLocalDemo({ dataDir: this.dataDir, logger: this.logger });
        if (this.wallet.address !== null) await this.demo.fundGas(this.wallet.address);
        config = { url: this.demo.info.providerUrl, coordinator: this.demo.info.coordinator, chainId: this.demo.info.chainId, kind: 'local-demo' };
      } else {
        config = source;
      }
      // `hello` names where vouchers should pay: the recipient the user chose, else the built-in wallet.
      const { recipient } = await this.wallet.payoutRecipient();
      if (recipient !== null && config.recipient === undefined) config = { ...config, recipient };
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
        onJobRun: (run) => this.energy?.onJobRun(run),
      });
    } catch (err) {
      await this.marketplace?.stop(0);
      this.marketplace = null;
      this.ledger?.close();
      this.ledger = null;
      await this.demo?.close();
      this.demo = null;
      await pool.close();
      this.pool = null;
      clearInterval(this.ticker);
      this.setState('stopped');
      throw err;
    }
  }

  /** After the wallet was made, unlocked or pointed elsewhere: vouchers pay the new recipient, and on the local demo the wallet gets gas. */
  private async walletChanged(): Promise<void> {
    const { recipient } = await this.wallet.payoutRecipient();
    if (recipient !== null) this.marketplace?.client.setRecipient(recipient);
    if (this.wallet.address !== null) await this.demo?.fundGas(this.wallet.address);
  }

  /** The local demo marketplace's addresses and consumer key while it runs (the embedded default); null otherwise. */
  localDemo(): LocalDemoInfo | null {
    return this.demo?.info ?? null;
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
    // The scheduler stops first so nothing resumes the drain; telemetry runs until the last job is done.
    this.scheduler.stop();
    // Jobs in flight finish and are reported before their workers go; the ledger closes last.
    await this.marketplace?.stop();
    await this.sensing?.close();
    this.sensing = null;
    await this.pool?.close();
    this.pool = null;
    // Runs still waiting for a power reading are recorded with what there is, while the ledger is open.
    this.energy?.close();
    this.energy = null;
    this.ledger?.close();
    this.ledger = null;
    // The local demo's coordinator and chain go after the provider has said bye to them.
    await this.demo?.close();
    this.demo = null;
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
