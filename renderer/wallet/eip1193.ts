/**
 * The EIP-1193 provider the renderer's wagmi stack talks to: every request goes to the provider
 * process's wallet through the one API contract (`wallet.request`), where the signing policy and the
 * user's confirmations apply and the key lives. Reads go the same way, so the page never reaches the
 * chain's RPC itself (the CSP allows no other origin).
 */
import type { EIP1193RequestFn } from 'viem';
import type { HearthApi } from '../../common/api.js';

/** EIP-1193 error codes a refusal maps to. */
const RPC_CODES: Record<string, number> = {
  policy_refused: 4100,
  wallet_locked: 4100,
  no_wallet: 4100,
  invalid_input: -32602,
  unknown_method: 4200,
};

/** An EIP-1193 error: what wagmi and viem read from a failed request. */
export class HearthRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly hearthCode: string,
  ) {
    super(message);
    this.name = 'HearthRpcError';
  }
}

/** The wallet as an EIP-1193 provider. */
export type HearthEip1193 = { request: EIP1193RequestFn };

/** Builds the EIP-1193 provider over `api`. */
export function hearthEip1193(api: HearthApi): HearthEip1193 {
  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    const list = params === undefined ? undefined : Array.isArray(params) ? params : [params];
    const result = await api.call['wallet.request']({ method, ...(list === undefined ? {} : { params: list }) });
    if (!result.ok) throw new HearthRpcError(RPC_CODES[result.error.code] ?? -32603, result.error.message, result.error.code);
    return result.value.result;
  };
  return { request: request as EIP1193RequestFn };
}
