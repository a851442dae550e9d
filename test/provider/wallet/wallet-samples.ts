/** Valid outputs of the wallet methods, for tests that need one per method. */
import type { MethodOutput } from '../../../common/api.js';
import type { ApiHandlers } from '../../../provider/api/dispatch.js';

type WalletMethod = Extract<keyof ApiHandlers, `wallet.${string}` | `claim.${string}`>;

const ADDRESS = '0x000000000000000000000000000000000000bEEF';

/** One output per wallet method. */
export function walletSamples(): { [M in WalletMethod]: MethodOutput<M> } {
  return {
    'wallet.status': {
      exists: false,
      locked: true,
      address: null,
      recipient: null,
      recipientIsBuiltIn: false,
      backend: 'none',
      fileBackend: null,
      payout: null,
      rpcUrl: null,
      chainError: 'The marketplace has not announced a payout chain yet.',
      nativeBalance: null,
      tokenBalance: null,
      pending: null,
      claimable: null,
      claimed: null,
      claimGas: null,
      worthClaiming: null,
      worthClaimingNote: 'No claim to compare yet.',
    },
    'wallet.create': { address: ADDRESS },
    'wallet.import': { address: ADDRESS },
    'wallet.unlock': { address: ADDRESS },
    'wallet.lock': { locked: true },
    'wallet.setRecipient': { recipient: ADDRESS },
    'wallet.exportKey': { privateKey: `0x${'11'.repeat(32)}` },
    'claim.preview': { canClaim: false, refusal: { code: 'nothing_to_claim', message: 'Nothing is left to claim.' } },
    'claim.start': { claim: null, refusal: { code: 'nothing_to_claim', message: 'Nothing is left to claim.' } },
    'claim.list': { items: [] },
    'wallet.request': { result: [] },
  };
}

/** Handlers answering `walletSamples()`. */
export function walletSampleHandlers(): Pick<ApiHandlers, WalletMethod> {
  const samples = walletSamples();
  return Object.fromEntries(Object.entries(samples).map(([name, value]) => [name, () => value])) as unknown as Pick<ApiHandlers, WalletMethod>;
}

/** A valid input of each wallet method that needs one (the rest take `{}`). */
export function walletSampleInputs(): Partial<Record<WalletMethod, unknown>> {
  return {
    'wallet.create': { passphrase: 'correct horse battery staple' },
    'wallet.import': { privateKey: `0x${'11'.repeat(32)}`, passphrase: 'correct horse battery staple' },
    'wallet.setRecipient': { recipient: ADDRESS },
    'wallet.exportKey': { passphrase: 'correct horse battery staple' },
    'wallet.request': { method: 'eth_accounts' },
  };
}
