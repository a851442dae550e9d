import { parseArgs } from 'node:util';
import { type MarketplaceCommand, parseMarketplaceArgs } from '../../marketplace/cli.js';
import type { MarketplaceLinkConfig } from '../marketplace/provider-link-wiring.js';
import { DEFAULT_DASHBOARD_PORT } from '../settings.js';
import { MARKETPLACE_FLAG_HELP, MARKETPLACE_FLAG_OPTIONS, parseMarketplaceFlags, parseRpcUrl } from './marketplace-flags.js';
import { READ_COMMAND_OPTIONS, type ReadCommand, checkNoReadCommandFlags, isReadCommandName, parseReadCommand } from './read-command-args.js';
import { UsageError } from './usage-error.js';
import { WALLET_HELP, type WalletCommand, parseWalletCommand } from './wallet.js';

export { UsageError };

export const HELP = `hearth — serve AI inference jobs on your idle GPU and get paid for it

Usage:
  hearth start [options]     run the provider without a window; prints the dashboard address
  hearth desktop [options]   open the desktop app; runs \`hearth start\` where it cannot (no display,
                             no Electron runtime)
  hearth gpu [--json]        the GPUs found, and which execution providers really run here
  hearth bench [--json]      the benchmarks: worker (raw vs sandboxed), marketplace end to end, coordinator
                             at scale, payout gas (several minutes; one section: npm run bench --
                             --only-section NAME)
  hearth status [--json]     what the running provider is doing (reads it through its dashboard API)
  hearth jobs [--json] [--limit N] [--cursor C]
                             the running provider's jobs, newest first, a page at a time
  hearth earnings [--json] [--by hour|day|week|model|device]
                             what the coordinator credited, per token, and broken down (default by day)
${WALLET_HELP}  hearth marketplace [options]
                             run a marketplace coordinator (OIP API and the provider endpoint on one
                             port); \`hearth marketplace --help\` lists its options
  hearth --help              show this help
  hearth --version           print the version

Options:
  --data-dir DIR             where settings, logs and the ledger live
                             (default: the OS's app-data folder, e.g. ~/.config/Hearth)
  --dashboard-port PORT      dashboard port on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)
${MARKETPLACE_FLAG_HELP}`;

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'gpu'; json: boolean }
  | { kind: 'bench'; json: boolean }
  | { kind: 'marketplace'; command: MarketplaceCommand }
  | { kind: 'marketplace-help' }
  | ReadCommand
  | WalletCommand
  | { kind: 'start' | 'desktop'; dataDir: string | undefined; dashboardPort: number | undefined; marketplace?: MarketplaceLinkConfig | 'local-demo'; payoutRpcUrl?: string };

/** Parses argv (without node and the script) into a command, or throws UsageError. */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  // The marketplace has its own options (and its own strict parser).
  if (argv[0] === 'wallet' || argv[0] === 'claim') return parseWalletCommand(argv[0], argv.slice(1));
  if (argv[0] === 'marketplace') {
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'marketplace-help' };
    return { kind: 'marketplace', command: parseMarketplaceArgs(argv.slice(1), env) };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'data-dir': { type: 'string' },
        'dashboard-port': { type: 'string' },
        json: { type: 'boolean' },
        ...READ_COMMAND_OPTIONS,
        ...MARKETPLACE_FLAG_OPTIONS,
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('. ')[0]}. Run \`hearth --help\` for the options.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [name, ...extra] = positionals;
  if (name === undefined) return { kind: 'help' };
  if (isReadCommandName(name)) return parseReadCommand(name, extra, values);
  checkNoReadCommandFlags(values, name);
  if (name === 'gpu' || name === 'bench') {
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after "${name}".`);
    return { kind: name, json: values.json === true };
  }
  if (values.json) throw new UsageError(`--json goes with \`hearth gpu\` or \`hearth bench\`, not "${name}".`);
  if (name !== 'start' && name !== 'desktop') {
    throw new UsageError(`Unknown command "${name}". Run \`hearth --help\` for the commands.`);
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after "${name}".`);
  const marketplace = parseMarketplaceFlags(values);
  if (typeof marketplace === 'object' && name !== 'start') throw new UsageError('--marketplace goes with `hearth start`.');
  const payoutRpcUrl = parseRpcUrl(values['rpc-url']);
  return {
    kind: name,
    dataDir: values['data-dir'],
    dashboardPort: parsePort(values['dashboard-port']),
    ...(marketplace === undefined ? {} : { marketplace }),
    ...(payoutRpcUrl === undefined ? {} : { payoutRpcUrl }),
  };
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--dashboard-port must be a whole number from 0 to 65535, not "${value}".`);
  }
  return port;
}
