/**
 * The coordinator side of the marketplace and scale sections, in a process of its own: a real
 * `startMarketplace` (no local worker) logging at info level to /dev/null, as `hearth marketplace` logs
 * (to stderr). With `--instrument` it times each
 * job in the dispatcher: submit → offer sent (the session's run() call, which sends `job.offer`) and
 * submit → settled.
 */
import pino from 'pino';
import type { Tensor } from '../../common/tensor.js';
import type { ProviderSession } from '../../marketplace/dispatch/provider-session.js';
import { startMarketplace } from '../../marketplace/marketplace.js';
import { serveBench } from '../child-link.js';
import { nowMs } from '../stats.js';

/** The consumer key the bench's clients send. */
export const BENCH_CONSUMER_KEY = 'bench-consumer-key-0123456789abcdef';

/** What `stats` answers. */
export type MarketStats = {
  rssBytes: number;
  heapUsedBytes: number;
  /** This process's CPU time (user + system) so far, in milliseconds. */
  cpuMs: number;
  sessions: number;
  queueDepth: number;
  /** Per job since the last reset, in milliseconds. */
  submitToOfferMs: number[];
  submitToSettledMs: number[];
  failed: number;
};

/** Starts the coordinator; serves until the bench disconnects. */
export async function serveMarketChild(args: readonly string[]): Promise<void> {
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const market = await startMarketplace({ consumerKeys: [BENCH_CONSUMER_KEY], logger, port: 0, localWorker: false });
  const dispatcher = market.dispatcher;
  const submitted = new WeakMap<Tensor[], number>();
  const offers: number[] = [];
  const settles: number[] = [];
  let failed = 0;
  if (args.includes('--instrument')) {
    // The jobs' inputs array travels unchanged from submit() to the session's run(): it names the job.
    const patched = new WeakSet<ProviderSession>();
    const addSession = dispatcher.addSession.bind(dispatcher);
    dispatcher.addSession = (session) => {
      if (!patched.has(session)) {
        patched.add(session);
        const run = session.run.bind(session);
        session.run = (job, inputs, signature) => {
          const at = submitted.get(inputs);
          if (at !== undefined) offers.push(nowMs() - at);
          return run(job, inputs, signature);
        };
      }
      return addSession(session);
    };
    const submit = dispatcher.submit.bind(dispatcher);
    dispatcher.submit = async (request) => {
      const at = nowMs();
      submitted.set(request.inputs, at);
      const result = await submit(request);
      settles.push(nowMs() - at);
      if (!result.ok) failed += 1;
      return result;
    };
  }
  const stats = (): MarketStats => {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000, sessions: dispatcher.sessionCount(), queueDepth: dispatcher.queueDepth(), submitToOfferMs: offers, submitToSettledMs: settles, failed };
  };
  serveBench(
    { url: market.server.url, providerUrl: market.providerUrl, coordinator: market.coordinator, chainId: market.chainId, key: BENCH_CONSUMER_KEY },
    async (request) => {
      if (request.type === 'gc') {
        // Only with --expose-gc; memory figures are read after it.
        for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
        await new Promise((resolve) => setTimeout(resolve, 50));
        return stats();
      }
      if (request.type === 'reset') {
        offers.length = 0;
        settles.length = 0;
        failed = 0;
        return null;
      }
      return stats();
    },
    () => market.close(),
  );
}
