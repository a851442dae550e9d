/**
 * What the provider-link tests share: a real coordinator (http.Server with the provider endpoint and a
 * model download route), a real sandboxed worker pool with a content-addressed model cache, a real
 * marketplace client over loopback, and signed jobs.
 */
import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import type { Address, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import type { WorkerLimits } from '../../../common/worker-protocol.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { ProviderLink, type ProviderLinkOptions } from '../../../marketplace/provider-link/provider-link.js';
import type { Logger } from '../../../provider/logger.js';
import { MarketplaceClient, type MarketplaceClientOptions } from '../../../provider/marketplace/marketplace-client.js';
import type { JobRunner } from '../../../provider/marketplace/job-journal.js';
import { httpModelSource } from '../../../provider/marketplace/model-source.js';
import { poolJobRunner } from '../../../provider/marketplace/pool-runner.js';
import { ModelCache } from '../../../provider/models/model-cache.js';
import { createChildProcessLauncher } from '../../../provider/worker/child-process-launcher.js';
import { WorkerPool } from '../../../provider/worker/worker-pool.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';
import { APP_ROOT, realConfig } from '../../provider/worker/real-worker.js';
import { type MemoryJournal, memoryJournalForTests } from '../../provider/marketplace/memory-journal.js';

export const CHAIN_ID = 31337;
export const TOKEN: Address = '0x1111111111111111111111111111111111111111';
export const MLP = { inputDim: 4, hidden: 8, outputDim: 2, batch: 'dynamic', seed: 3 } as const;

/** A logger that writes nowhere. */
export const quiet: Logger = pino({ enabled: false });

export type Coordinator = {
  account: LocalAccount;
  link: ProviderLink;
  server: Server;
  /** ws://127.0.0.1:<port>/provider */
  url: string;
  /** Bytes served at /models/<sha256>.onnx (a test may serve wrong ones). */
  models: Map<string, Uint8Array>;
  modelRef(sha256: string, bytes: number): JobSpec['model'];
  /** Signs a job with the coordinator's key. */
  sign(job: JobSpec): Promise<`0x${string}`>;
  close(): Promise<void>;
};

/** Starts a coordinator on a free loopback port. */
export async function startCoordinator(options: Partial<ProviderLinkOptions> = {}): Promise<Coordinator> {
  const account = options.account ?? privateKeyToAccount(generatePrivateKey());
  const models = new Map<string, Uint8Array>();
  const server = createServer((request, response) => {
    const sha = /^\/models\/([0-9a-f]{64})\.onnx$/.exec(request.url ?? '')?.[1];
    const bytes = sha === undefined ? undefined : models.get(sha);
    if (bytes === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const link = ProviderLink.attach(server, { account, chainId: CHAIN_ID, logger: quiet, heartbeatMs: 1000, ...options });
  const signer = eip712JobSigner(account, CHAIN_ID);
  return {
    account,
    link,
    server,
    url: `ws://127.0.0.1:${port}/provider`,
    models,
    modelRef: (sha256, bytes) => ({ sha256, bytes, url: `http://127.0.0.1:${port}/models/${sha256}.onnx` }),
    sign: (job) => signer.sign(job),
    async close() {
      await link.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The sha256 of model bytes, as jobs name it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type Workers = { pool: WorkerPool; cache: ModelCache; limits: WorkerLimits; runner: CountingRunner; close(): Promise<void> };
export type CountingRunner = JobRunner & { calls: string[]; gate: Promise<void> | null };

/** One real sandboxed CPU worker over a fresh model cache in `dataDir`, and a runner that counts its jobs. */
export async function startWorkers(dataDir: string): Promise<Workers> {
  const modelsDir = join(dataDir, 'models');
  const cache = await ModelCache.open({ dir: modelsDir, maxBytes: 256 * 1024 * 1024 });
  const config = realConfig(modelsDir);
  const pool = new WorkerPool({ appRoot: APP_ROOT, configs: [config], launcher: await createChildProcessLauncher({ dataDir, logger: quiet }), logger: quiet });
  await pool.start();
  const inner = poolJobRunner(pool);
  const runner: CountingRunner = {
    calls: [],
    gate: null,
    async run(params, deadlineMs) {
      runner.calls.push(params.jobId);
      // A test may hold jobs here (accepted, not yet run) to drop the connection meanwhile.
      if (runner.gate !== null) await runner.gate;
      return inner.run(params, deadlineMs);
    },
  };
  return { pool, cache, limits: config.limits, runner, close: () => pool.close() };
}

/** A started client for `coordinator`, with a fresh node key and journal unless given. */
export function startClient(
  coordinator: Pick<Coordinator, 'url' | 'account'>,
  workers: Workers,
  overrides: Partial<MarketplaceClientOptions> & { journal?: MemoryJournal } = {},
): { client: MarketplaceClient; journal: MemoryJournal; account: LocalAccount } {
  const journal = overrides.journal ?? memoryJournalForTests();
  const account = overrides.account ?? privateKeyToAccount(generatePrivateKey());
  const client = new MarketplaceClient({
    url: coordinator.url,
    coordinator: coordinator.account.address,
    chainId: CHAIN_ID,
    account,
    runner: workers.runner,
    models: httpModelSource({ cache: workers.cache, maxModelBytes: workers.limits.maxModelBytes }),
    journal,
    seq: journal,
    limits: workers.limits,
    describe: () => ({ app: 'hearth-test', devices: [], warmModels: [], benchmarks: {}, freeVramBytes: null }),
    logger: quiet,
    backoff: { baseMs: 50, factor: 2, maxMs: 1000, jitter: 0.5 },
    ...overrides,
  });
  void client.start();
  return { client, journal, account };
}

/** A job for `model` over `inputs`, due in 20 s, priced 1000 base units. */
export function makeJob(model: JobSpec['model'], inputs: readonly Tensor[], overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    id: `job-${Math.random().toString(36).slice(2, 10)}`,
    deadline: Date.now() + 20_000,
    model,
    inputSha256: outputSha256(inputs),
    price: { token: TOKEN, amount: '1000' },
    verification: 'none',
    ...overrides,
  };
}

/** Polls until `check` is true, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
