/** The processes the marketplace and scale sections start from the bench's own entry (`--child <name>`). */

/** Runs child `name` with its arguments (`appRoot`: the folder with out/ and node_modules); it serves until the bench disconnects. */
export async function runChild(name: string | undefined, args: readonly string[], appRoot: string): Promise<void> {
  if (process.send === undefined) throw new Error('bench children run only under the bench (no IPC channel)');
  switch (name) {
    case 'oip-baseline':
      return (await import('./marketplace/oip-baseline.js')).serveOipBaselineChild(args);
    case 'market':
      return (await import('./marketplace/market-child.js')).serveMarketChild(args);
    case 'provider':
      return (await import('./marketplace/provider-child.js')).serveProviderChild(args, appRoot);
    case 'sim-providers':
      return (await import('./scale/sim-providers.js')).serveSimProvidersChild(args);
    default:
      throw new Error(`unknown bench child ${name ?? '(none)'}`);
  }
}
