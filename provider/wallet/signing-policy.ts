/**
 * What the built-in wallet agrees to sign (SECURITY.md: no compromised page or coordinator can make it
 * sign anything else). Exactly two kinds of transaction pass: `claim(voucher, signature)` on the
 * configured PayoutVault, and an ERC-20 `transfer` of the payout token to an address the user
 * confirmed. Messages, typed data, raw value transfers, other contracts, other selectors, contract
 * creation and other chains are refused with `policy_refused`. Pure: the context is a parameter.
 */
import { type Address, type Hex, decodeFunctionData, encodeFunctionData, erc20Abi, getAddress, isAddress } from 'viem';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';

/** What the policy knows about the wallet's world. */
export type PolicyContext = {
  chainId: number;
  /** The wallet's own address: the only `from` it signs as. */
  account: Address;
  vault: Address;
  token: Address;
  /** Addresses the user confirmed as destinations of token transfers. */
  confirmedRecipients: readonly Address[];
};

/** A transaction as an EIP-1193 `eth_sendTransaction` carries it (untrusted; any field may be off). */
export type TransactionRequest = {
  from?: unknown;
  to?: unknown;
  data?: unknown;
  input?: unknown;
  value?: unknown;
  chainId?: unknown;
};

/** The decision, with what was allowed or why not (for a person). */
export type PolicyDecision =
  | { allowed: true; kind: 'claim' | 'transfer'; to: Address; data: Hex }
  | { allowed: false; code: 'policy_refused'; reason: string };

const refuse = (reason: string): PolicyDecision => ({ allowed: false, code: 'policy_refused', reason });

/** Decides whether the wallet signs `method` with `params`; everything but a permitted transaction is refused. */
export function decideSigning(method: string, params: readonly unknown[], ctx: PolicyContext): PolicyDecision {
  if (method !== 'eth_sendTransaction') return refuse(`The Hearth wallet does not sign ${JSON.stringify(method.slice(0, 60))}: it only sends payout claims and token transfers you confirmed.`);
  const tx = params[0];
  if (typeof tx !== 'object' || tx === null || Array.isArray(tx)) return refuse('eth_sendTransaction needs one transaction object.');
  return decideTransaction(tx as TransactionRequest, ctx);
}

/** Decides one transaction against the policy. */
export function decideTransaction(tx: TransactionRequest, ctx: PolicyContext): PolicyDecision {
  if (tx.from !== undefined && !(typeof tx.from === 'string' && isAddress(tx.from, { strict: false }) && getAddress(tx.from) === getAddress(ctx.account))) {
    return refuse('The transaction names a sender other than the Hearth wallet.');
  }
  if (tx.chainId !== undefined && toBigInt(tx.chainId) !== BigInt(ctx.chainId)) return refuse(`The transaction is for another chain; the payout chain is ${ctx.chainId}.`);
  const value = tx.value === undefined ? 0n : toBigInt(tx.value);
  if (value !== 0n) return refuse('The Hearth wallet never sends the chain’s native currency.');
  if (typeof tx.to !== 'string' || !isAddress(tx.to, { strict: false })) return refuse('The transaction has no valid recipient contract (contract creation is not allowed).');
  const to = getAddress(tx.to);
  const rawData = tx.data ?? tx.input;
  if (typeof rawData !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(rawData) || rawData.length < 10) return refuse('The transaction carries no function call.');
  const data = rawData.toLowerCase() as Hex;
  if (to === getAddress(ctx.vault)) {
    if (!isClaimCall(data)) return refuse('Only `claim` may be called on the payout vault.');
    return { allowed: true, kind: 'claim', to, data };
  }
  if (to === getAddress(ctx.token)) {
    const recipient = transferRecipient(data);
    if (recipient === null) return refuse('Only `transfer` may be called on the payout token.');
    if (!ctx.confirmedRecipients.some((r) => getAddress(r) === recipient)) return refuse(`Transfers go only to an address you confirmed; ${recipient} is not one.`);
    return { allowed: true, kind: 'transfer', to, data };
  }
  return refuse(`The Hearth wallet only calls the payout vault and the payout token, not ${to}.`);
}

// A call must re-encode to exactly its bytes: trailing data or a non-canonical encoding is refused.
function isClaimCall(data: Hex): boolean {
  try {
    const call = decodeFunctionData({ abi: payoutVaultAbi, data });
    return call.functionName === 'claim' && encodeFunctionData({ abi: payoutVaultAbi, functionName: 'claim', args: call.args }) === data;
  } catch {
    return false;
  }
}

function transferRecipient(data: Hex): Address | null {
  try {
    const call = decodeFunctionData({ abi: erc20Abi, data });
    if (call.functionName !== 'transfer' || encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: call.args }) !== data) return null;
    return getAddress(call.args[0]);
  } catch {
    return null;
  }
}

function toBigInt(value: unknown): bigint | null {
  try {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) return BigInt(value);
  } catch {
    // Falls through to null.
  }
  return null;
}
