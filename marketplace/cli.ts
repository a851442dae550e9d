/**
 * `hearth marketplace`: runs the reference coordinator until SIGINT or SIGTERM. Consumer keys come from
 * --consumer-key (repeatable) or HEARTH_CONSUMER_KEY; with none, one is generated and printed. The
 * coordinator key comes from --coordinator-key-file or is kept in the marketplace's data folder.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { PayoutInfo } from '../common/marketplace-protocol.js';
import { DEFAULT_CHAIN_ID } from '../common/wire/typed-data.js';
import { parseChainId } from '../provider/cli/marketplace-flags.js';
import { UsageError } from '../provider/cli/usage-error.js';
import { defaultDataDir, ensureDataDir } from '../provider/data-dir.js';
import { HEARTH_VERSION } from '../provider/version.js';
import { loadCoordinatorKey } from './coordinator-key.js';
import { startMarketplace } from './marketplace.js';
import { consumerKeyProblem } from './oip/consumer-auth.js';
import { DEFAULT_MARKETPLACE_PORT } from './server.js';
import { STORE_FILE } from './store/store-database.js';

export const MARKETPLACE_HELP = `hearth marketplace — the reference coordinator: an Open Inference Protocol v2 API for consumers,
and for providers a WebSocket endpoint (/provider) and models by hash, all on one port; unless
--no-local-worker, jobs also run on an in-process sandboxed worker

Usage:
  hearth marketplace [options]

Options:
  --port PORT            port to listen on (default ${DEFAULT_MARKETPLACE_PORT}; 0 picks a free one)
  --host ADDRESS         address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --public-url URL       the base URL providers download models from (default: this server's address)
  --consumer-key KEY     an API key consumers send as "Authorization: Bearer KEY" (repeatable;
                         or set HEARTH_CONSUMER_KEY; one is generated and printed when none is given)
  --no-local-worker      do not run jobs in process; only remote providers run them
  --data-dir DIR         where the coordinator key and the credits store (${STORE_FILE}) are kept
                         (default: next to the provider's data folder, e.g. ~/.config/Hearth-Marketplace)
  --coordinator-key-file FILE
                         the coordinator's signing key (JSON {"version":1,"privateKey":"0x…"} or one
                         0x-hex line); default: made on first run and kept in the data folder, 0600
  --chain-id N           the chain id jobs and receipts are signed for (default ${DEFAULT_CHAIN_ID})
  --payout FILE          pay credits on chain: JSON {"chainId","vault","token","tokenSymbol",
                         "tokenDecimals","rpcUrl","explorerUrl"}; prices are then in that token and
                         providers get cumulative vouchers signed by the coordinator key
  --voucher-expiry-days N
                         days a voucher stays claimable (default 30)
  --canary-rate R        share of jobs that get a canary (a job with known outputs) sent beside
                         them to check a provider, 0 to 1 (default 0.02; 0 turns canaries off)
  --redundancy-rate R    share of jobs also run on a second provider and compared, 0 to 1
                         (default 0.05; 0 turns it off)

Providers connect on the same port, at /provider. To run one on this machine:
  hearth start --marketplace http://127.0.0.1:PORT --coordinator <the printed address> [--chain-id N]
`;

export type MarketplaceCommand = {
  port: number;
  host: string;
  publicUrl: string | undefined;
  consumerKeys: string[];
  /** True when the key was generated because none was given. */
  generatedKey: boolean;
  localWorker: boolean;
  dataDir: string;
  coordinatorKeyFile: string | undefined;
  chainId: number;
  payout: PayoutInfo | undefined;
  voucherExpiryDays: number | undefined;
  canaryRate: number | undefined;
  redundancyRate: number | undefined;
};

/** The marketplace's default data folder: beside the provider's (…/Hearth → …/Hearth-Marketplace). */
export function defaultMarketplaceDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const provider = defaultDataDir(env, platform);
  return join(dirname(provider), `${basename(provider)}-Marketplace`);
}

/** Parses `hearth marketplace` options (argv after the command name) and the environment. */
export function parseMarketplaceArgs(argv: readonly string[], env: NodeJS.ProcessEnv): MarketplaceCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        'consumer-key': { type: 'string', multiple: true },
        'no-local-worker': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'coordinator-key-file': { type: 'string' },
        'chain-id': { type: 'string' },
        payout: { type: 'string' },
        'voucher-expiry-days': { type: 'string' },
        'canary-rate': { type: 'string' },
        'redundancy-rate': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('. ')[0]}. Run \`hearth marketplace --help\` for the options.`);
  }
  const port = values.port === undefined ? DEFAULT_MARKETPLACE_PORT : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65535)) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl)) throw new UsageError(`--public-url must be an http(s) URL, not "${publicUrl}".`);
  const keys = [...(values['consumer-key'] ?? []), ...(env.HEARTH_CONSUMER_KEY ? [env.HEARTH_CONSUMER_KEY] : [])];
  for (const key of keys) {
    const problem = consumerKeyProblem(key);
    if (problem !== null) throw new UsageError(problem);
  }
  const generatedKey = keys.length === 0;
  const chainId = parseChainId(values['chain-id']);
  const days = values['voucher-expiry-days'];
  if (days !== undefined && (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 3650)) throw new UsageError(`--voucher-expiry-days must be a whole number from 1 to 3650, not "${days}".`);
  return {
    port,
    host: values.host ?? '127.0.0.1',
    publicUrl,
    consumerKeys: generatedKey ? [randomBytes(24).toString('base64url')] : keys,
    generatedKey,
    localWorker: values['no-local-worker'] !== true,
    dataDir: values['data-dir'] ?? defaultMarketplaceDataDir(env),
    coordinatorKeyFile: values['coordinator-key-file'],
    chainId,
    payout: values.payout === undefined ? undefined : readPayout(values.payout),
    voucherExpiryDays: days === undefined ? undefined : Number(days),
    canaryRate: parseRate('--canary-rate', values['canary-rate']),
    redundancyRate: parseRate('--redundancy-rate', values['redundancy-rate']),
  };
}

function percent(rate: number): string {
  return `${Number((rate * 100).toPrecision(3))}%`;
}

/** A verification rate flag: a decimal from 0 to 1, or undefined when not given. */
function parseRate(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(rate >= 0 && rate <= 1)) throw new UsageError(`${flag} must be a number from 0 to 1 (0 turns it off), not "${value}".`);
  return rate;
}

/** Reads and checks a --payout file. */
function readPayout(file: string): PayoutInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--payout ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--payout ${file} is not JSON.`);
  }
  const parsed = PayoutInfo.safeParse(json);
  if (!parsed.success) throw new UsageError(`--payout ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}.`);
  return parsed.data;
}

/** Runs the marketplace until a signal; prints its URLs, the coordinator a provider pins, the consumer key when generated, and the models. */
export async function runMarketplace(command: MarketplaceCommand, out: NodeJS.WritableStream): Promise<void> {
  const logger = pino({ level: 'info', base: { pid: process.pid } }, pino.destination(2));
  const dataDir = await ensureDataDir(command.dataDir);
  const key = await loadCoordinatorKey({ dataDir, keyFile: command.coordinatorKeyFile });
  const marketplace = await startMarketplace({ ...command, coordinatorKey: key.account, logger, storePath: join(dataDir, STORE_FILE) });
  const { server, registry } = marketplace;
  out.write(
    `Hearth marketplace ${HEARTH_VERSION} on ${server.url} (metrics at ${server.url}/metrics)\n` +
      `OIP API: ${server.url}/v2\n` +
      `Provider URL: ${marketplace.providerUrl}\n` +
      `Coordinator: ${marketplace.coordinator} (chain id ${marketplace.chainId}; key ${key.created ? 'made and kept in' : 'from'} ${key.path})\n` +
      `Credits: ${marketplace.store.path}` +
      (command.payout === undefined ? ' (no payout chain: credits accrue, no vouchers)\n' : `; vouchers in ${command.payout.tokenSymbol} for vault ${command.payout.vault} on chain ${command.payout.chainId}\n`) +
      (command.generatedKey ? `Consumer key (generated for this run): ${command.consumerKeys[0]}\n` : '') +
      `Models: ${registry.list().map((m) => `${m.name} (${m.sha256.slice(0, 12)}…, ${m.price}/run)`).join(', ')}\n` +
      `Connect a provider: hearth start --marketplace ${server.url} --coordinator ${marketplace.coordinator} --chain-id ${marketplace.chainId}\n` +
      (marketplace.localWorker ? 'Jobs also run on an in-process sandboxed worker (--no-local-worker turns it off).\n' : 'Jobs run only on connected providers.\n') +
      `Verification: canaries beside ${percent(command.canaryRate ?? 0.02)} of jobs, a second provider on ${percent(command.redundancyRate ?? 0.05)} (--canary-rate, --redundancy-rate).\n` +
      'Press Ctrl+C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.write('Stopping…\n');
  await marketplace.close();
}
