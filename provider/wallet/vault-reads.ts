/**
 * The wallet's view of the chain: a viem public client on the payout chain's RPC, every read retried
 * with backoff (provider/backoff.ts) when the RPC times out or the connection fails — never when the
 * node answered (a revert is an answer). Contract reads use the PayoutVault's generated ABI.
 */
import { type Address, BaseError, HttpRequestError, type PublicClient, TimeoutError, createPublicClient, erc20Abi, http } from 'viem';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import { type BackoffOptions, backoffDelay } from '../backoff.js';
import type { VaultReads } from './voucher-checks.js';
import { WalletError } from './wallet-error.js';

/** How RPC calls are retried. */
export type RetryPolicy = { attempts: number; backoff: BackoffOptions; timeoutMs: number; sleep?: (ms: number) => Promise<void> };

/** Defaults: 5 tries, 250 ms doubling to 4 s with jitter, 10 s per request. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoff: { baseMs: 250, factor: 2, maxMs: 4000, jitter: 0.5 }, timeoutMs: 10_000 };

/** A public client on `rpcUrl` that does not retry by itself (`withRetry` does, visibly). */
export function payoutClient(rpcUrl: string, chainId: number, timeoutMs: number): PublicClient {
  return createPublicClient({
    transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }),
    chain: { id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } },
    pollingInterval: 250,
  });
}

/** True for a failure to reach the RPC (timeout, refused, dropped), as opposed to an answer. */
export function isTransportFailure(err: unknown): boolean {
  if (err instanceof BaseError) return err.walk((e) => e instanceof TimeoutError || e instanceof HttpRequestError) !== null;
  return err instanceof Error && /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|timed? ?out/i.test(err.message);
}

/** Runs `call`, retrying transport failures with backoff; the last failure becomes `rpc_unavailable`. */
export async function withRetry<T>(what: string, call: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (!isTransportFailure(err)) throw err;
      if (attempt + 1 >= policy.attempts) {
        throw new WalletError('rpc_unavailable', `The payout chain's RPC did not answer ${what} after ${policy.attempts} tries; check the RPC URL and your connection, then try again. Nothing was lost: the claim resumes where it stopped.`);
      }
      await sleep(backoffDelay(attempt, policy.backoff, Math.random()));
    }
  }
}

/** The vault reads the voucher checks need. */
export function vaultReads(client: PublicClient, vault: Address, policy: RetryPolicy = DEFAULT_RETRY): VaultReads {
  return {
    isSigner: (signer) => withRetry('isSigner', () => client.readContract({ address: vault, abi: payoutVaultAbi, functionName: 'isSigner', args: [signer] }), policy),
    claimed: (provider, token) => withRetry('claimed', () => client.readContract({ address: vault, abi: payoutVaultAbi, functionName: 'claimed', args: [provider, token] }), policy),
  };
}

/** An ERC-20 balance. */
export function tokenBalance(client: PublicClient, token: Address, owner: Address, policy: RetryPolicy = DEFAULT_RETRY): Promise<bigint> {
  return withRetry('balanceOf', () => client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] }), policy);
}
