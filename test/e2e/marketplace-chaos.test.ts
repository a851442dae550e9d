// The chaos test: real processes — `hearth marketplace` on a fixed port with its store in a data folder,
// `hearth start --marketplace …` connected to it — and a consumer sending Silero VAD and PP-OCR jobs
// over the OIP REST API with plain fetch. Each round SIGKILLs, at a random moment, the provider, its
// worker or the coordinator, restarts what died, and goes on. Afterwards, with everything up and quiet:
// every job the consumer got a 200 for is credited on the coordinator, no job is credited twice (the
// credits table's key, and totals equal to the sum of their rows), the provider's ledger holds exactly
// the coordinator's credits for its node, and every provider job ended in a terminal state.
// HEARTH_CHAOS_SEED=N replays a run; HEARTH_CHAOS_ROUNDS=N changes its length.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_BUILT } from '../provider/worker/real-worker.js';
import { type HearthProcess, spawnHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONSUMER_KEY = 'chaos-consumer-key-0123456789';
const ROUNDS = Number(process.env.HEARTH_CHAOS_ROUNDS ?? 30);
const SEED = Number(process.env.HEARTH_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CLI_BUILT = existsSync(new URL('../../out/main/cli.js', import.meta.url));

const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  if (!CLI_BUILT || !WORKER_BUILT) throw new Error('out/ is missing; run `npm run build` first.');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function alive(proc: HearthProcess | null): proc is HearthProcess {
  return proc !== null && proc.child.exitCode === null && proc.child.signalCode === null;
}

/** Starts `hearth` and makes sure it is gone after the test. */
function spawn(args: string[]): HearthProcess {
  const proc = spawnHearth(args);
  cleanups.push(async () => {
    if (alive(proc)) proc.child.kill('SIGKILL');
    await proc.exited;
  });
  return proc;
}

/** Polls `read` (a throw counts as not yet) until it gives a value; `dead` names a process that exited meanwhile. */
async function waitFor<T>(read: () => T | null | Promise<T | null>, what: string, timeoutMs = 60_000, dead: () => string | null = () => null): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(read)
      .catch(() => null);
    const gone = dead();
    if (gone !== null) throw new Error(`${gone} exited while waiting for ${what}.`);
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(100);
  }
}

type Job = { model: 'silero-vad' | 'ppocr-cls'; binary: boolean };
type Reply = { status: number; jobId: string | null; error: string | null };

/** The inputs of one job as OIP JSON (small) or binary tensors. */
function requestBody(job: Job, seed: number): { headers: Record<string, string>; body: Buffer | string } {
  const tensors =
    job.model === 'silero-vad'
      ? [
          { name: 'input', datatype: 'FP32', shape: [1, 512], data: Float32Array.from({ length: 512 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * (200 + seed) * i) / 16000)) },
          { name: 'state', datatype: 'FP32', shape: [2, 1, 128], data: new Float32Array(256) },
          { name: 'sr', datatype: 'INT64', shape: [], data: BigInt64Array.of(16000n) },
        ]
      : [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192], data: Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => (((i + seed) % 97) / 97) * 2 - 1) }];
  if (!job.binary) {
    const inputs = tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data, Number) }));
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ inputs }) };
  }
  const bytes = tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  const header = Buffer.from(
    JSON.stringify({
      inputs: tensors.map((t, i) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: bytes[i]!.byteLength } })),
      parameters: { binary_data_output: true },
    }),
  );
  return { headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.byteLength) }, body: Buffer.concat([header, ...bytes]) };
}

async function infer(base: string, job: Job, seed: number): Promise<Reply> {
  const { headers, body } = requestBody(job, seed);
  try {
    const res = await fetch(`${base}/v2/models/${job.model}/infer`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CONSUMER_KEY}`, ...headers },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const headerLength = Number(res.headers.get('inference-header-content-length') ?? bytes.byteLength);
    const reply = JSON.parse(bytes.toString('utf8', 0, headerLength)) as { parameters?: { job_id?: string }; error?: string };
    return { status: res.status, jobId: res.status === 200 ? (reply.parameters?.job_id ?? null) : null, error: reply.error ?? null };
  } catch (err) {
    // The coordinator was killed under the request.
    return { status: 0, jobId: null, error: (err as Error).message };
  }
}

type ApiJob = { id: string; state: string; token: string; credited: string | null };

async function api<T>(dashboardUrl: string, token: string, method: string, input: object = {}): Promise<T> {
  const res = await fetch(`${new URL(dashboardUrl).origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(10_000),
  });
  const envelope = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${method} failed: ${JSON.stringify(envelope.error)}`);
  return envelope.value!;
}

async function allJobs(dashboardUrl: string, token: string): Promise<ApiJob[]> {
  const jobs: ApiJob[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ApiJob[]; nextCursor: string | null } = await api(dashboardUrl, token, 'jobs.list', { cursor, limit: 200 });
    jobs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return jobs;
}

describe.skipIf(!CLI_BUILT || !WORKER_BUILT)('marketplace chaos', () => {
  it(`survives ${ROUNDS} rounds of SIGKILL to the provider, its worker and the coordinator without losing or double-crediting a job`, { timeout: 600_000 }, async () => {
    console.log(`marketplace chaos seed ${SEED} (HEARTH_CHAOS_SEED=${SEED} replays it)`);
    const random = seededRandom(SEED);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const [marketTemp, providerTemp] = [await makeTempDir('hearth-chaos-market-'), await makeTempDir('hearth-chaos-provider-')];
    cleanups.push(marketTemp.remove, providerTemp.remove);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const keyFile = join(marketTemp.dir, 'chaos-coordinator-key.json');
    const key = generatePrivateKey();
    const pinned = privateKeyToAccount(key).address;
    writeFileSync(keyFile, JSON.stringify({ version: 1, privateKey: key }), { mode: 0o600 });

    // Held in an object: the closures below replace them as processes die and restart.
    const procs: { market: HearthProcess | null; provider: HearthProcess | null } = { market: null, provider: null };
    let dashboardUrl = '';
    const startMarket = async () => {
      procs.market = spawn(['marketplace', '--port', String(port), '--data-dir', marketTemp.dir, '--no-local-worker', '--consumer-key', CONSUMER_KEY, '--coordinator-key-file', keyFile]);
      const proc = procs.market;
      await waitFor(() => (proc.stdout().includes('Press Ctrl+C') ? true : null), 'the marketplace to start', 60_000, () => (proc.child.exitCode === null && proc.child.signalCode === null ? null : `hearth marketplace (${proc.stderr().slice(-2000)})`));
    };
    const startProvider = async () => {
      procs.provider = spawn(['start', '--marketplace', base, '--coordinator', pinned, '--data-dir', providerTemp.dir, '--dashboard-port', '0']);
      dashboardUrl = await procs.provider.dashboardUrl();
    };
    const token = () => readFileSync(join(providerTemp.dir, 'dashboard-token'), 'utf8').trim();
    const ready = () => waitFor(async () => ((await fetch(`${base}/v2/health/ready`)).status === 200 ? true : null), 'the provider to be connected');
    const workerPid = async () => (await api<{ workers: { pid: number | null; state: string }[] }>(dashboardUrl, token(), 'status.get')).workers.find((w) => w.state === 'ready')?.pid ?? null;

    const ok = new Set<string>();
    const outcomes = new Map<number, number>();
    const kills = { provider: 0, worker: 0, coordinator: 0 };
    try {
      await startMarket();
      await startProvider();
      await ready();
      for (let round = 0; round < ROUNDS; round++) {
        const jobs = Array.from({ length: 2 + Math.floor(random() * 3) }, (): Job => ({ model: pick(['silero-vad', 'silero-vad', 'ppocr-cls'] as const), binary: random() < 0.7 }));
        const requests = jobs.map(async (job, i) => {
          // Spread over the round, so the kill lands before, during or after each.
          await sleep(random() * 300);
          return infer(base, job, round * 10 + i);
        });
        const target = pick(['provider', 'worker', 'coordinator'] as const);
        await sleep(random() * 500);
        if (target === 'worker') {
          const pid = await workerPid().catch(() => null);
          if (pid !== null) {
            process.kill(pid, 'SIGKILL');
            kills.worker += 1;
          }
        } else {
          const proc = target === 'provider' ? procs.provider : procs.market;
          if (alive(proc)) {
            proc.child.kill('SIGKILL');
            await proc.exited;
            kills[target] += 1;
          }
        }
        if (target === 'coordinator') await startMarket();
        if (target === 'provider') await startProvider();
        for (const reply of await Promise.all(requests)) {
          outcomes.set(reply.status, (outcomes.get(reply.status) ?? 0) + 1);
          if (reply.status === 200) ok.add(reply.jobId!);
        }
        await ready();
        // A killed worker is restarted by the provider's supervisor; after five crashes within a minute its
        // circuit breaker holds it down for a minute first (provider/worker/restart-policy.ts).
        await waitFor(workerPid, 'a ready worker', 150_000).catch(async (err: unknown) => {
          const workers = await api<{ workers: unknown[] }>(dashboardUrl, token(), 'status.get').then((s) => s.workers, (e: unknown) => String(e));
          throw new Error(`${(err as Error).message} Workers: ${JSON.stringify(workers)}; kills so far ${JSON.stringify(kills)}`);
        });
      }

      // Quiet: one last job goes through, and every job the provider holds settles (a result whose job the
      // coordinator still held when the provider restarted waits for that job's deadline).
      const last = await infer(base, { model: 'silero-vad', binary: true }, 999_999);
      expect(last.status, last.error ?? '').toBe(200);
      ok.add(last.jobId!);
      const terminal = new Set(['credited', 'failed', 'rejected']);
      const providerJobs = await waitFor(
        async () => {
          const jobs = await allJobs(dashboardUrl, token());
          return jobs.every((j) => terminal.has(j.state)) ? jobs : null;
        },
        'every provider job to settle',
        90_000,
      );
      const node = (await api<{ marketplace: { node: string } | null }>(dashboardUrl, token(), 'status.get')).marketplace!.node.toLowerCase();
      const earnings = await api<{ totals: { token: string; credited: string; jobs: number }[] }>(dashboardUrl, token(), 'earnings.summary');

      const db = new Database(join(marketTemp.dir, 'marketplace.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const credits = db.prepare('SELECT job_id, node, token, amount FROM credits').all() as { job_id: string; node: string; token: string; amount: string }[];
        const totals = db.prepare('SELECT node, token, total, jobs FROM credit_totals').all() as { node: string; token: string; total: string; jobs: number }[];
        console.log(
          JSON.stringify({ seed: SEED, rounds: ROUNDS, kills, consumerStatuses: Object.fromEntries(outcomes), consumerOk: ok.size, coordinatorCredits: credits.length, providerJobs: providerJobs.length }),
        );
        // Every job the consumer got a 200 for is credited, to this provider, once.
        const creditedIds = new Set(credits.map((c) => c.job_id));
        expect(creditedIds.size).toBe(credits.length);
        expect([...ok].filter((id) => !creditedIds.has(id))).toEqual([]);
        expect(credits.every((c) => c.node === node)).toBe(true);
        // The totals equal the sum of their rows.
        for (const total of totals) {
          const rows = credits.filter((c) => c.node === total.node && c.token === total.token);
          expect(BigInt(total.total)).toBe(rows.reduce((sum, c) => sum + BigInt(c.amount), 0n));
          expect(total.jobs).toBe(rows.length);
        }
        // The provider's ledger agrees with the coordinator, job by job and in total.
        const providerCredited = providerJobs.filter((j) => j.state === 'credited' && j.credited !== '0');
        expect(providerCredited.map((j) => j.id).sort()).toEqual([...creditedIds].sort());
        for (const total of totals.filter((t) => t.node === node)) {
          expect(earnings.totals.find((t) => t.token.toLowerCase() === total.token)?.credited).toBe(total.total);
        }
        expect(earnings.totals.reduce((sum, t) => sum + BigInt(t.credited), 0n)).toBe(credits.reduce((sum, c) => sum + BigInt(c.amount), 0n));
        // The run did exercise every kind of kill and still delivered work.
        expect(ok.size).toBeGreaterThan(ROUNDS / 2);
      } finally {
        db.close();
      }
    } catch (err) {
      console.log(`marketplace chaos failed with seed ${SEED}; replay with HEARTH_CHAOS_SEED=${SEED}`);
      if (procs.market !== null) console.log(`marketplace stderr (tail):\n${procs.market.stderr().slice(-4000)}`);
      if (procs.provider !== null) console.log(`provider stderr (tail):\n${procs.provider.stderr().slice(-4000)}`);
      throw err;
    }
  });
});
