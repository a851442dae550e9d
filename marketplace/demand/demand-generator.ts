/**
 * The local demo's consumer: submits real jobs for the npm models to the dispatcher at a modest rate,
 * so a newcomer running `hearth start` with no marketplace sees jobs arrive, run and pay. It never
 * floods: a tick is skipped while `maxInFlight` of its jobs are still out.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { type DemoModel, demoInputs } from './demo-inputs.js';

/** Which models, and how often each relative to the others (OCR recognition and VAD are cheap). */
export const DEFAULT_DEMAND_MIX: readonly { model: DemoModel; weight: number }[] = [
  { model: 'ppocr-rec', weight: 4 },
  { model: 'silero-vad', weight: 4 },
  { model: 'ppocr-cls', weight: 1 },
  { model: 'ppocr-det', weight: 1 },
];

export type DemandOptions = {
  dispatcher: Dispatcher;
  registry: ModelRegistry;
  /** Where providers download a model. */
  modelUrl: (sha256: string) => string;
  /** The token prices are in. */
  token: `0x${string}`;
  logger: Logger;
  /** Time between submissions (default 2 s). */
  intervalMs?: number;
  /** Jobs of the generator's own that may be out at once (default 4). */
  maxInFlight?: number;
  /** How long each job may take (default 30 s). */
  deadlineMs?: number;
  mix?: readonly { model: DemoModel; weight: number }[];
  now?: () => number;
};

/** What the generator has done so far. */
export type DemandStats = { submitted: number; succeeded: number; failed: number; inFlight: number };

/** Submits demo jobs on a timer until stopped. */
export class DemandGenerator {
  private readonly stats_: DemandStats = { submitted: 0, succeeded: 0, failed: 0, inFlight: 0 };
  private readonly outstanding = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private seed = 0;

  constructor(private readonly options: DemandOptions) {}

  /** Starts submitting (the first job goes out at once). */
  start(): void {
    if (this.timer !== undefined) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Stops submitting; resolves once the jobs still out have settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.outstanding]);
  }

  /** Counts so far. */
  stats(): DemandStats {
    return { ...this.stats_ };
  }

  private tick(): void {
    if (this.stats_.inFlight >= (this.options.maxInFlight ?? 4)) return;
    const name = this.pick();
    const model = this.options.registry.byName(name);
    if (model === undefined) return;
    const seed = this.seed++;
    const now = (this.options.now ?? Date.now)();
    this.stats_.submitted += 1;
    this.stats_.inFlight += 1;
    const job = this.options.dispatcher
      .submit({
        model: { sha256: model.sha256, bytes: model.bytes, url: this.options.modelUrl(model.sha256), price: { token: this.options.token, amount: model.price } },
        inputs: demoInputs(name, seed),
        deadlineMs: now + (this.options.deadlineMs ?? 30_000),
      })
      .then((result) => {
        if (result.ok) this.stats_.succeeded += 1;
        else {
          this.stats_.failed += 1;
          this.options.logger.debug({ model: name, code: result.error.code }, 'demo job failed');
        }
      })
      .finally(() => {
        this.stats_.inFlight -= 1;
        this.outstanding.delete(job);
      });
    this.outstanding.add(job);
  }

  /** The next model by weight, round-robin through the weighted list (deterministic, no RNG needed). */
  private pick(): DemoModel {
    const mix = this.options.mix ?? DEFAULT_DEMAND_MIX;
    const total = mix.reduce((sum, m) => sum + m.weight, 0);
    let slot = this.seed % total;
    for (const entry of mix) {
      if (slot < entry.weight) return entry.model;
      slot -= entry.weight;
    }
    return mix[0]!.model;
  }
}
