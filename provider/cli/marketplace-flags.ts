/**
 * `hearth start --marketplace URL --coordinator 0xADDRESS [--chain-id N]`: which coordinator to connect
 * to and the address to pin. The URL may be the coordinator's http(s) base (as `hearth marketplace`
 * prints it; `/provider` on the same port is dialled) or its ws(s) provider URL.
 */
import { type Address, isAddress } from 'viem';
import { DEFAULT_CHAIN_ID } from '../../common/wire/typed-data.js';
import { checkDialUrl } from '../marketplace/dial-url.js';
import type { MarketplaceLinkConfig } from '../marketplace/provider-link-wiring.js';
import { UsageError } from './usage-error.js';

/** The option definitions for node:util parseArgs. */
export const MARKETPLACE_FLAG_OPTIONS = {
  marketplace: { type: 'string' },
  coordinator: { type: 'string' },
  'chain-id': { type: 'string' },
  'no-marketplace': { type: 'boolean' },
  'rpc-url': { type: 'string' },
} as const;

/** The help lines of these flags. */
export const MARKETPLACE_FLAG_HELP = `  --marketplace URL          (start) connect to a coordinator: its http(s) address as \`hearth marketplace\`
                             prints it, or its ws(s)://…/provider URL (ws:// and http:// only to this machine)
  --coordinator 0xADDRESS    (with --marketplace, required) the coordinator address to trust; offers,
                             challenges and acks signed by any other key are refused
  --chain-id N               (with --marketplace) the chain id jobs are signed for (default ${DEFAULT_CHAIN_ID})
  --rpc-url URL              (start) the payout chain's JSON-RPC endpoint for the wallet, instead of the one
                             the marketplace announces
  --no-marketplace           (start) take no jobs: no coordinator, no local demo
                             Without --marketplace or --no-marketplace, \`hearth start\` runs the local demo
                             marketplace: a coordinator, a local anvil chain with the payout vault and a
                             demand generator, all on this machine (state in <data dir>/local-demo)
`;

/**
 * Where jobs come from, from parsed flags: the coordinator of --marketplace, none with --no-marketplace,
 * and the local demo marketplace otherwise. Throws UsageError naming the bad flag.
 */
export function parseMarketplaceFlags(values: { marketplace?: string; coordinator?: string; 'chain-id'?: string; 'no-marketplace'?: boolean }): MarketplaceLinkConfig | 'local-demo' | undefined {
  if (values.marketplace === undefined) {
    const stray = values.coordinator !== undefined ? '--coordinator' : values['chain-id'] !== undefined ? '--chain-id' : null;
    if (stray !== null) throw new UsageError(`${stray} goes with --marketplace URL.`);
    return values['no-marketplace'] === true ? undefined : 'local-demo';
  }
  if (values['no-marketplace'] === true) throw new UsageError('--no-marketplace and --marketplace contradict each other; pick one.');
  const url = providerDialUrl(values.marketplace);
  const coordinator = values.coordinator;
  if (coordinator === undefined) throw new UsageError('--marketplace needs --coordinator 0xADDRESS: the coordinator address `hearth marketplace` prints, so that only its jobs are run.');
  if (!isAddress(coordinator, { strict: true })) throw new UsageError(`--coordinator must be a 0x address of 40 hex digits (with a valid checksum if mixed-case), not "${coordinator.slice(0, 60)}".`);
  return { url, coordinator: coordinator as Address, chainId: parseChainId(values['chain-id']) };
}

/** A `--rpc-url` value: an http(s) JSON-RPC endpoint; undefined when the flag is absent. */
export function parseRpcUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--rpc-url must be an http(s) URL such as https://rpc.example/v1, not "${value.slice(0, 100)}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--rpc-url must be an http(s) URL, not ${url.protocol} "${value.slice(0, 100)}".`);
  return url.href;
}

/** A `--chain-id` value: a positive whole number that EIP-712 domains and JavaScript both hold exactly. */
export function parseChainId(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CHAIN_ID;
  const chainId = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(chainId)) throw new UsageError(`--chain-id must be a positive whole number, not "${value.slice(0, 60)}".`);
  return chainId;
}

/** The provider WebSocket URL for a coordinator given as http(s) (→ ws(s), `/provider` when no path) or ws(s). */
export function providerDialUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--marketplace must be a URL such as http://127.0.0.1:7460 or wss://market.example/provider, not "${text.slice(0, 100)}".`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/provider';
  }
  const checked = checkDialUrl(url.href);
  if (!checked.ok && url.protocol === 'ws:') throw new UsageError(`--marketplace ${text.slice(0, 100)}: unencrypted http:// and ws:// are only allowed to this machine; use https:// or wss://.`);
  if (!checked.ok) throw new UsageError(`--marketplace: ${checked.message}`);
  return checked.url.href;
}
