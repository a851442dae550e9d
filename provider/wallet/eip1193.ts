/**
 * The EIP-1193 entry point behind `wallet.request`, for the renderer's wagmi connector: accounts and
 * chain id are answered; `eth_sendTransaction` is signed only when the signing policy allows it (a
 * claim on the vault, or a token transfer to the recipient the user confirmed); everything else —
 * personal_sign, typed data, raw value transfers, other contracts — is `policy_refused`. Chain reads
 * (balances, calls, receipts, fees) go to the payout chain's RPC, so the page's wagmi reads never need a
 * network origin of their own (the renderer's CSP allows none).
 */
import { BaseError, type Hex, decodeErrorResult, decodeFunctionData, toHex } from 'viem';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import { voucherDigest } from '../../common/wire/voucher-signature.js';
import { ClaimRefused } from './claim-machine.js';
import { decideSigning } from './signing-policy.js';
import { withRetry } from './vault-reads.js';
import type { Wallet } from './wallet.js';
import { WalletError } from './wallet-error.js';

/** Read-only JSON-RPC methods answered by the payout chain's node as they are: no key, no state change. */
export const CHAIN_READS: ReadonlySet<string> = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
]);

/** Answers one EIP-1193 request with the wallet. */
export async function walletRequest(wallet: Wallet, method: string, params: readonly unknown[]): Promise<unknown> {
  switch (method) {
    case 'eth_accounts':
      return wallet.address === null ? [] : [wallet.address];
    case 'eth_requestAccounts':
      return [wallet.unlocked().address];
    case 'eth_chainId':
      return toHex(wallet.chain().payout.chainId);
    case 'eth_sendTransaction':
      return sendTransaction(wallet, params);
    default:
      if (CHAIN_READS.has(method)) return chainRead(wallet, method, params);
      throw new WalletError('policy_refused', `The Hearth wallet does not answer ${JSON.stringify(method.slice(0, 60))}: it only sends payout claims and token transfers you confirmed.`);
  }
}

async function chainRead(wallet: Wallet, method: string, params: readonly unknown[]): Promise<unknown> {
  const { client } = wallet.chain();
  try {
    return await client.request({ method, params } as never);
  } catch (err) {
    const reverted = revertName(err);
    if (reverted !== null) throw new WalletError('claim_refused', `The vault refused: ${reverted}.`);
    throw new WalletError('rpc_unavailable', `The payout chain's node did not answer ${method}: ${(err as Error).message.split('\n')[0]?.slice(0, 300)}`);
  }
}

/** The vault's custom error in a reverted call, by name, or null when the failure was not a revert. */
function revertName(err: unknown): string | null {
  if (!(err instanceof BaseError)) return null;
  const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string');
  const data = (withData as { data?: unknown } | null)?.data;
  if (typeof data !== 'string' || !data.startsWith('0x') || data.length < 10) return null;
  try {
    return decodeErrorResult({ abi: payoutVaultAbi, data: data as Hex }).errorName;
  } catch {
    return `an unknown error (${data.slice(0, 10)})`;
  }
}

async function sendTransaction(wallet: Wallet, params: readonly unknown[]): Promise<Hex> {
  const account = wallet.unlocked();
  const chain = wallet.chain();
  const { recipient } = await wallet.payoutRecipient();
  const decision = decideSigning('eth_sendTransaction', params, {
    chainId: chain.pinned.chainId,
    account: account.address,
    vault: chain.pinned.vault,
    token: chain.pinned.token,
    // Setting the recipient is the user's confirmation of that address.
    confirmedRecipients: recipient === null ? [] : [recipient],
  });
  if (!decision.allowed) throw new WalletError('policy_refused', decision.reason);
  if (decision.kind === 'claim') return claimThroughMachine(wallet, decision.data);
  const { client } = chain;
  const nonce = await withRetry('the account nonce', () => client.getTransactionCount({ address: account.address, blockTag: 'pending' }));
  const gas = await withRetry('the gas estimate', () => client.estimateGas({ account: account.address, to: decision.to, data: decision.data }));
  const fees = await withRetry('the fee estimate', () => client.estimateFeesPerGas());
  const raw = await account.signTransaction({ type: 'eip1559', chainId: chain.pinned.chainId, nonce, to: decision.to, data: decision.data, value: 0n, gas: (gas * 12n) / 10n, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas });
  return withRetry('the broadcast', () => client.sendRawTransaction({ serializedTransaction: raw }));
}

/**
 * A claim from the connector runs through the claim machine like `claim.start`: the voucher checks, the
 * simulation and the persisted states apply, and a repeated request for one voucher never sends twice.
 * Resolves with the transaction hash once the claim is confirmed.
 */
async function claimThroughMachine(wallet: Wallet, data: Hex): Promise<Hex> {
  const { args } = decodeFunctionData({ abi: payoutVaultAbi, data });
  const [v, signature] = args as readonly [{ provider: Hex; recipient: Hex; token: Hex; cumulativeAmount: bigint; expiry: bigint }, Hex];
  if (v.expiry > BigInt(Number.MAX_SAFE_INTEGER)) throw new WalletError('claim_refused', 'The voucher’s expiry is out of range. (voucher_tampered)');
  const voucher = { provider: v.provider, recipient: v.recipient, token: v.token, cumulativeAmount: v.cumulativeAmount.toString(), expiry: Number(v.expiry) };
  const { machine, chain } = wallet.machine();
  try {
    const record = await machine.run({ voucher, signature, domain: chain.pinned }, voucherDigest(chain.pinned, voucher));
    if (record.state !== 'confirmed' || record.txHash === null) {
      throw new WalletError('claim_refused', `The claim ended ${record.state}${record.reason === null ? '' : `: ${record.reason}`}. (${record.failCode ?? record.state})`);
    }
    return record.txHash as Hex;
  } catch (err) {
    if (err instanceof ClaimRefused) throw new WalletError('claim_refused', `${err.message} (${err.code})`);
    throw err;
  }
}
