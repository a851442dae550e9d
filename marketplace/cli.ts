/**
 * `hearth marketplace`: runs the reference coordinator until SIGINT or SIGTERM. Consumer keys come from
 * --consumer-key (repeatable) or HEARTH_CONSUMER_KEY; with none, one is generated and printed.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { UsageError } from '../provider/cli/args.js';
import { HEARTH_VERSION } from '../provider/version.js';
import { startMarketplace } from './marketplace.js';
import { consumerKeyProblem } from './oip/consumer-auth.js';
import { DEFAULT_MARKETPLACE_PORT } from './server.js';

export const MARKETPLACE_HELP = `hearth marketplace — the reference coordinator: an Open Inference Protocol v2 API for consumers,
models by hash for providers, and an in-process sandboxed worker to run jobs on

Usage:
  hearth marketplace [options]

Options:
  --port PORT            port to listen on (default ${DEFAULT_MARKETPLACE_PORT}; 0 picks a free one)
  --host ADDRESS         address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --public-url URL       the base URL providers download models from (default: this server's address)
  --consumer-key KEY     an API key consumers send as "Authorization: Bearer KEY" (repeatable;
                         or set HEARTH_CONSUMER_KEY; one is generated and printed when none is given)
  --no-local-worker      do not run jobs in process; wait for providers to connect
`;

export type MarketplaceCommand = {
  port: number;
  host: string;
  publicUrl: string | undefined;
  consumerKeys: string[];
  /** True when the key was generated because none was given. */
  generatedKey: boolean;
  localWorker: boolean;
};

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
  return {
    port,
    host: values.host ?? '127.0.0.1',
    publicUrl,
    consumerKeys: generatedKey ? [randomBytes(24).toString('base64url')] : keys,
    generatedKey,
    localWorker: values['no-local-worker'] !== true,
  };
}

/** Runs the marketplace until a signal; prints its address, the consumer key when generated, and the models. */
export async function runMarketplace(command: MarketplaceCommand, out: NodeJS.WritableStream): Promise<void> {
  const logger = pino({ level: 'info', base: { pid: process.pid } }, pino.destination(2));
  const marketplace = await startMarketplace({ ...command, logger });
  const { server, registry } = marketplace;
  out.write(
    `Hearth marketplace ${HEARTH_VERSION} on ${server.url} (OIP v2 at ${server.url}/v2, metrics at ${server.url}/metrics)\n` +
      (command.generatedKey ? `Consumer key (generated for this run): ${command.consumerKeys[0]}\n` : '') +
      `Coordinator: ${marketplace.coordinator}\n` +
      `Models: ${registry.list().map((m) => `${m.name} (${m.sha256.slice(0, 12)}…, ${m.price}/run)`).join(', ')}\n` +
      (marketplace.localWorker ? 'Jobs run on an in-process sandboxed worker.\n' : 'Waiting for providers to connect.\n') +
      'Press Ctrl+C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.write('Stopping…\n');
  await marketplace.close();
}
