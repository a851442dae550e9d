import { parseArgs } from 'node:util';
import { DEFAULT_DASHBOARD_PORT } from '../settings.js';

/** A mistake in how `hearth` was invoked; printed as one line with exit code 2. */
export class UsageError extends Error {}

export const HELP = `hearth — serve AI inference jobs on your idle GPU and get paid for it

Usage:
  hearth start [options]     run the provider without a window; prints the dashboard address
  hearth desktop [options]   open the desktop app; runs \`hearth start\` where it cannot (no display,
                             no Electron runtime)
  hearth --help              show this help
  hearth --version           print the version

Options:
  --data-dir DIR             where settings, logs and the ledger live
                             (default: the OS's app-data folder, e.g. ~/.config/Hearth)
  --dashboard-port PORT      dashboard port on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)
`;

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'start' | 'desktop'; dataDir: string | undefined; dashboardPort: number | undefined };

/** Parses argv (without node and the script) into a command, or throws UsageError. */
export function parseCommand(argv: readonly string[]): Command {
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
  if (name !== 'start' && name !== 'desktop') {
    throw new UsageError(`Unknown command "${name}". Run \`hearth --help\` for the commands.`);
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after "${name}".`);
  return { kind: name, dataDir: values['data-dir'], dashboardPort: parsePort(values['dashboard-port']) };
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--dashboard-port must be a whole number from 0 to 65535, not "${value}".`);
  }
  return port;
}
