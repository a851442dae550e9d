import { parseArgs } from 'node:util';
import { DEFAULT_DASHBOARD_PORT } from '../settings.js';

/** A mistake in how `hearth` was invoked; printed as one line with exit code 2. */
export class UsageError extends Error {}

export const HELP = `hearth — serve AI inference jobs on your idle GPU and get paid for it

Usage:
  hearth start [options]     run the provider without a window; prints the dashboard address
  hearth desktop [options]   open the desktop app; runs \`hearth start\` where it cannot (no display,
                             no Electron runtime)
  hearth gpu [--json]        the GPUs found, and which execution providers really run here
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
  | { kind: 'gpu'; json: boolean }
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
        json: { type: 'boolean' },
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
  if (name === 'gpu') {
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" after "gpu".`);
    return { kind: 'gpu', json: values.json === true };
  }
  if (values.json) throw new UsageError(`--json goes with \`hearth gpu\`, not "${name}".`);
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
