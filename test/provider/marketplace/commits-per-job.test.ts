/**
 * Commits (each an fsync under synchronous=FULL) the provider makes per marketplace job, counted in the
 * ledger's real -wal file, with a real coordinator endpoint, a real sandboxed worker running a real ONNX
 * model, the real ledger journal and the real energy metering: two commits before `job.result` goes out
 * (offer + accept, then result + receipt + the job's energy), and the credit after the ack as a third
 * that the `acked` event waits for. A model that is slow to arrive has its offer stored meanwhile.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnergySettings } from '../../../common/api-energy.js';
import { startEnergyMetering } from '../../../provider/energy/energy-metering.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { ledgerJournal } from '../../../provider/marketplace/ledger-journal.js';
import { MarketplaceClient } from '../../../provider/marketplace/marketplace-client.js';
import { httpModelSource } from '../../../provider/marketplace/model-source.js';
import { poolJobRunner } from '../../../provider/marketplace/pool-runner.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { walCommits } from '../ledger/wal-commits.js';
import { WORKER_BUILT, fp32 } from '../worker/real-worker.js';
import { CHAIN_ID, type Coordinator, MLP, TOKEN, type Workers, makeJob, quiet, sha256Hex, startCoordinator, startWorkers, waitFor } from '../../marketplace/provider-link/link-fixtures.js';

const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);
const inputs = [fp32('x', [1, 4], Float32Array.of(0.5, -1, 2, 0.25))];

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;
let coordinator: Coordinator;
let ledger: Ledger;
let client: MarketplaceClient;
let node: `0x${string}`;
let stopMetering: () => void;
let journal: ReturnType<typeof ledgerJournal>;
/** Commits in the WAL when each job's result was recorded (just before `job.result` is queued). */
const atResult = new Map<string, number>();
/** Model downloads are held here while a test says so. */
let modelGate: Promise<void> | null = null;

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-commits-');
  workers = await startWorkers(temp.dir);
  coordinator = await startCoordinator();
  coordinator.models.set(mlp, mlpBytes);
  ledger = Ledger.openInDataDir(temp.dir);
  journal = ledgerJournal(ledger);
  const recordResult = journal.recordResult.bind(journal);
  journal.recordResult = async (jobId, receipt, signature, atMs) => {
    await recordResult(jobId, receipt, signature, atMs);
    // The pipeline queues job.result right after this resolves, with no commit in between.
    atResult.set(jobId, walCommits(ledger.path));
  };
  // No power sampler on this host: each run's energy is recorded (as the CPU's typical draw) as soon as it ends.
  const metering = startEnergyMetering({
    sampler: { onSample: () => () => undefined, all: () => [] },
    ledger: () => ledger,
    settings: () => EnergySettings.parse({}),
    devices: () => null,
    intervalMs: 5000,
    logger: quiet,
  });
  stopMetering = metering.close;
  const models = httpModelSource({ cache: workers.cache, maxModelBytes: workers.limits.maxModelBytes });
  const account = privateKeyToAccount(generatePrivateKey());
  node = account.address;
  client = new MarketplaceClient({
    url: coordinator.url,
    coordinator: coordinator.account.address,
    chainId: CHAIN_ID,
    account,
    runner: poolJobRunner(workers.pool, metering.onJobRun),
    models: { ensure: async (model, deadline) => (await modelGate, models.ensure(model, deadline)) },
    journal,
    seq: journal,
    limits: workers.limits,
    describe: () => ({ app: 'hearth-test', devices: [], warmModels: [], benchmarks: {}, freeVramBytes: null }),
    logger: quiet,
  });
  await client.start();
  await waitFor(() => coordinator.link.session(account.address)?.connected === true, 10_000, 'the provider to connect');
});

afterAll(async () => {
  await client?.stop();
  stopMetering?.();
  ledger?.close();
  await coordinator?.close();
  await workers?.close();
  await temp?.remove();
});

/** Runs one job through the coordinator; resolves with its id once the provider reported the ack. */
async function runJob(): Promise<string> {
  const session = coordinator.link.session(node)!;
  const job = makeJob(coordinator.modelRef(mlp, mlpBytes.byteLength), inputs);
  const acked = new Promise<void>((resolve) => client.on('acked', (ack) => ack.jobId === job.id && resolve()));
  const outcome = await session.run(job, inputs, await coordinator.sign(job));
  if (!outcome.ok) throw new Error(`the job failed: ${outcome.code} ${outcome.message}`);
  await acked;
  return job.id;
}

/** A job's row as a separate read-only connection sees it: only what is committed. */
function committedRow(jobId: string): { state: string; energy_mj: number | null } | undefined {
  const db = new Database(join(temp.dir, 'ledger.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT state, energy_mj FROM jobs WHERE id = ?').get(jobId) as { state: string; energy_mj: number | null } | undefined;
  } finally {
    db.close();
  }
}

describe.skipIf(!WORKER_BUILT)('provider commits per marketplace job', () => {
  it('makes two commits before job.result goes out, and a third for the credit that the acked event waits for', async () => {
    await runJob(); // The first job downloads the model into the cache.
    // The slow-model path (the next test) is off here, so a loaded machine cannot make the cached model look slow.
    const commitOffered = journal.commitOffered;
    journal.commitOffered = undefined;
    const before = walCommits(ledger.path);
    const jobId = await runJob().finally(() => (journal.commitOffered = commitOffered));
    expect(atResult.get(jobId)! - before).toBe(2);
    // `acked` fired, so the credit is on disk, visible to any reader, and the energy went in with the result.
    expect(walCommits(ledger.path) - before).toBe(3);
    expect(committedRow(jobId)).toMatchObject({ state: 'credited', energy_mj: expect.any(Number) });
    expect(ledger.acceptedCredits(TOKEN)).toBe(2000n);
  });

  it('stores the offer while a slow model is on its way, so the Jobs page shows the job', async () => {
    let open!: () => void;
    modelGate = new Promise((resolve) => (open = resolve));
    const session = coordinator.link.session(node)!;
    const job = makeJob(coordinator.modelRef(mlp, mlpBytes.byteLength), inputs);
    const outcome = session.run(job, inputs, await coordinator.sign(job));
    await waitFor(() => committedRow(job.id)?.state === 'offered', 10_000, 'the offer to be stored while the model is held');
    modelGate = null;
    open();
    expect(await outcome).toMatchObject({ ok: true });
    await waitFor(() => committedRow(job.id)?.state === 'credited', 10_000, 'the credit');
  });
});
