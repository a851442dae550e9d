/**
 * The engine: everything that touches onnxruntime, run one request at a time in the engine thread.
 * Sessions are created from admitted bytes in memory with allowlisted options, falling through the
 * available providers in preference order; jobs are validated against the session's signature before
 * any onnxruntime tensor exists, and outputs come back as OIP tensors over onnxruntime's own buffers.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { ExecutionProviderName, WorkerConfig } from '../../common/worker-protocol.js';
import { type ModelSignature, signatureOf } from '../inference/model-signature.js';
import { fromOrtTensor, toOrtTensor } from '../inference/ort-tensors.js';
import { totalBytes } from '../inference/tensor-bytes.js';
import { validateRunInputs } from '../inference/validate-inputs.js';
import { WorkerFailure, messageOf } from '../inference/worker-error.js';
import { classifyOrtError } from '../inference/ort-errors.js';
import { type EngineLoadValue, type EngineRunJob, type EngineRunValue, clockMs } from './engine-protocol.js';
import type { AdmittedBytes } from './model-loader.js';
import { SessionCache, estimateSessionBytes } from './session-cache.js';
import { sessionOptionsFor } from './session-options.js';
import { ThreadFit } from './thread-fit.js';

type Session = Pick<InferenceSession, 'run' | 'release' | 'inputMetadata' | 'outputMetadata' | 'outputNames'>;

export type EngineDeps = {
  /** The admitted bytes of a model, or a WorkerFailure (model_missing, model_rejected…). */
  readModel: (sha256: string) => Promise<AdmittedBytes>;
  createSession: (bytes: Uint8Array, options: InferenceSession.SessionOptions) => Promise<Session>;
  /** Told whenever the warm set changes. */
  onCacheChange?: (warmModels: string[], sessionBytes: number) => void;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
};

type Warm = {
  session: Session;
  provider: ExecutionProviderName;
  signature: ModelSignature;
  /** Measures a multi-threaded CPU session's first runs (thread-fit.ts); null once fitted or not CPU. */
  fit: ThreadFit | null;
  /** A one-thread session made in the background, swapped in before the model's next run. */
  refitted: Session | null;
  release(): Promise<void>;
};

/** Releases a warm entry's session and any one-thread session made for it and not yet swapped in. */
async function releaseWarm(this: Warm): Promise<void> {
  const refitted = this.refitted;
  this.refitted = null;
  await Promise.all([this.session.release(), refitted?.release()]);
}

/** Sessions and runs for one worker; one request at a time (the engine thread serializes them). */
export class Engine {
  private providers: ExecutionProviderName[] = ['cpu'];
  private readonly cache: SessionCache<Warm>;

  constructor(
    private readonly config: WorkerConfig,
    private readonly deps: EngineDeps,
  ) {
    this.cache = new SessionCache<Warm>(config.sessionBudgetBytes, (sha256, error) =>
      deps.log?.('warn', 'releasing a session failed', { sha256, error: messageOf(error) }),
    );
  }

  /** Sets the providers sessions may use, best first (the available ones from the probe). */
  useProviders(providers: readonly ExecutionProviderName[]): void {
    this.providers = providers.length > 0 ? [...providers] : ['cpu'];
  }

  /** Makes model `sha256` warm; loadMs is 0 when it already was. */
  async load(sha256: string): Promise<EngineLoadValue> {
    const warm = this.cache.get(sha256);
    if (warm !== undefined) return { loadMs: 0, provider: warm.provider, signature: warm.signature };
    const started = clockMs();
    const admitted = await this.deps.readModel(sha256);
    const bytes = admitted.bytes;
    const { session, provider } = await this.createWithFallback(sha256, bytes);
    const fit = provider === 'cpu' && this.config.intraOpNumThreads > 1 ? new ThreadFit() : null;
    const entry: Warm = { session, provider, signature: signatureOf(session, admitted), fit, refitted: null, release: releaseWarm };
    const evicted = this.cache.add(sha256, entry, estimateSessionBytes(bytes.byteLength));
    if (evicted.length > 0) this.deps.log?.('info', 'evicted warm models to stay under the session budget', { evicted });
    this.cacheChanged();
    return { loadMs: clockMs() - started, provider, signature: entry.signature };
  }

  /** Runs one job (or merged batch): validate, build tensors, run, convert and cap the outputs. */
  async run(job: EngineRunJob): Promise<EngineRunValue> {
    const startedAt = clockMs();
    const { loadMs, provider, signature } = await this.load(job.sha256);
    const warm = this.swapRefitted(job.sha256, this.cache.get(job.sha256)!);
    const problem = validateRunInputs(job.inputs, job.outputs, signature, this.config.limits);
    if (problem !== null) throw new WorkerFailure(problem.code, problem.message);
    const feeds: Record<string, OrtTensor> = {};
    for (const input of job.inputs) feeds[input.name] = toOrtTensor(input);
    const names = job.outputs ?? [...warm.session.outputNames];
    const runStarted = clockMs();
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await warm.session.run(feeds, names);
    } catch (thrown) {
      throw new WorkerFailure(classifyOrtError(thrown).code, classifyOrtError(thrown).message);
    }
    const runMs = clockMs() - runStarted;
    if (warm.fit?.record(runMs) === true) this.refit(job.sha256, warm);
    const outputs = names.map((name) => fromOrtTensor(name, results[name] as OrtTensor));
    const bytes = totalBytes(outputs);
    if (bytes > job.maxOutputBytes) {
      throw new WorkerFailure('output_too_large', `The outputs are ${bytes} bytes; the limit is ${job.maxOutputBytes}.`);
    }
    return { outputs, startedAt, loadMs, runMs, provider, signature };
  }

  /** Releases model `sha256`'s session; false when it was not warm. */
  evict(sha256: string): { evicted: boolean } {
    const evicted = this.cache.remove(sha256);
    if (evicted) this.cacheChanged();
    return { evicted };
  }

  /** Warm model hashes (most recently used first) and their estimated bytes. */
  cacheState(): { warmModels: string[]; sessionBytes: number } {
    return { warmModels: this.cache.keys(), sessionBytes: this.cache.totalBytes };
  }

  private async createWithFallback(sha256: string, bytes: Uint8Array): Promise<{ session: Session; provider: ExecutionProviderName }> {
    let lastError: unknown = null;
    for (const provider of this.providers) {
      try {
        return { session: await this.deps.createSession(bytes, sessionOptionsFor(provider, this.config.intraOpNumThreads)), provider };
      } catch (thrown) {
        lastError = thrown;
        this.deps.log?.('warn', `creating a session on ${provider} failed`, { sha256, error: messageOf(thrown) });
      }
    }
    const error = classifyOrtError(lastError);
    if (error.code === 'out_of_memory') throw new WorkerFailure('out_of_memory', error.message);
    throw new WorkerFailure('model_invalid', `onnxruntime could not load model ${sha256.slice(0, 12)}…: ${messageOf(lastError)}`);
  }

  /** Makes a one-thread session for a small model in the background (thread-fit.ts). */
  private refit(sha256: string, warm: Warm): void {
    warm.fit = null;
    const make = async () => {
      const admitted = await this.deps.readModel(sha256);
      const session = await this.deps.createSession(admitted.bytes, sessionOptionsFor(warm.provider, 1));
      if (this.cache.peek(sha256) === warm) warm.refitted = session;
      else await session.release();
    };
    make().then(
      () => this.deps.log?.('info', 'a small model now runs on one intra-op thread', { sha256 }),
      (error: unknown) => this.deps.log?.('warn', 're-making a small model\'s session with one thread failed; it keeps its threads', { sha256, error: messageOf(error) }),
    );
  }

  /** The warm entry with its background one-thread session swapped in, if one is ready. */
  private swapRefitted(sha256: string, warm: Warm): Warm {
    if (warm.refitted === null) return warm;
    const fitted: Warm = { ...warm, session: warm.refitted, fit: null, refitted: null };
    warm.refitted = null;
    this.cache.replace(sha256, fitted);
    return fitted;
  }

  private cacheChanged(): void {
    const state = this.cacheState();
    this.deps.onCacheChange?.(state.warmModels, state.sessionBytes);
  }
}
