/**
 * A real ledger file written into a data folder before `hearth start` opens it, with jobs spread over the
 * last days: most credited (on two devices and two models), some failed, one refused. What the Jobs and
 * Earnings views and the `hearth jobs` / `hearth earnings` commands read.
 */
import { createServer } from 'node:net';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { SIG, TOKEN, TestClock, creditJob, makeSpec, sha } from '../ledger/ledger-fixtures.js';

export { TOKEN };

/** The coordinator address the seeded provider is started with (nothing answers for it). */
export const SEED_COORDINATOR = `0x${'11'.repeat(20)}`;

export type SeededJob = { id: string; state: 'credited' | 'failed' | 'rejected'; offeredAt: number; price: bigint; model: string; deviceId: string };

/** What was seeded, oldest job first, and the sums a person should see. */
export type SeededLedger = { jobs: SeededJob[]; credited: bigint; creditedJobs: number; modelSha: (name: string) => string };

const HOUR = 3_600_000;

/** Writes `count` jobs into `<dataDir>/ledger.sqlite`, the newest `newestAgoMs` before now, one every `stepMs`. */
export function seedLedger(dataDir: string, count: number, { stepMs = HOUR, newestAgoMs = 10 * 60_000 } = {}): SeededLedger {
  const clock = new TestClock();
  const ledger = Ledger.openInDataDir(dataDir, { now: clock.now });
  const jobs: SeededJob[] = [];
  const newest = Date.now() - newestAgoMs;
  try {
    for (let i = 0; i < count; i++) {
      clock.ms = newest - (count - 1 - i) * stepMs;
      const id = `seed-${String(i).padStart(5, '0')}`;
      const price = BigInt(1000 + (i % 7) * 250);
      const model = i % 3 === 0 ? 'model-b' : 'model-a';
      const deviceId = i % 4 === 0 ? 'gpu:0' : 'cpu';
      const spec = makeSpec(id, { price: price.toString(), model });
      const state: SeededJob['state'] = i % 10 === 3 ? 'failed' : i % 25 === 7 ? 'rejected' : 'credited';
      if (state === 'credited') creditJob(ledger, spec, { deviceId });
      else if (state === 'failed') {
        ledger.jobs.offer(spec, SIG);
        ledger.jobs.fail(id, 'model_error', 'The model failed to load in the worker.');
      } else {
        ledger.jobs.offer(spec, SIG);
        ledger.jobs.reject(id, 'Every worker was busy.');
      }
      jobs.push({ id, state, offeredAt: clock.ms, price, model, deviceId });
    }
  } finally {
    ledger.close();
  }
  const credited = jobs.filter((j) => j.state === 'credited');
  return { jobs, credited: credited.reduce((sum, j) => sum + j.price, 0n), creditedJobs: credited.length, modelSha: sha };
}

/** A loopback ws:// URL where nothing listens, so a provider started with it keeps its ledger open and dials in vain. */
export async function deadMarketplaceUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}/provider`;
}
