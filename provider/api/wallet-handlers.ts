/** The wallet and claim methods of the API (common/api-wallet.ts), answered by the provider's Wallet. */
import type { Address, Hex } from 'viem';
import type { ClaimItem } from '../../common/api-wallet.js';
import type { MethodInput, MethodOutput } from '../../common/api.js';
import { LedgerError } from '../ledger/ledger-error.js';
import { ClaimRefused } from '../wallet/claim-machine.js';
import { walletRequest } from '../wallet/eip1193.js';
import type { VoucherCandidate } from '../wallet/voucher-checks.js';
import { type Wallet, claimItem } from '../wallet/wallet.js';
import { WalletError } from '../wallet/wallet-error.js';
import { walletStatus, worthClaiming } from '../wallet/wallet-status.js';
import { voucherDigest } from '../../common/wire/voucher-signature.js';
import { ApiFailure } from './dispatch.js';

type Target = MethodInput<'claim.preview'>;

/** The handlers of every wallet method. */
export function walletHandlers(wallet: Wallet) {
  return {
    'wallet.status': () => guard(() => walletStatus(wallet)),
    'wallet.create': (input: MethodInput<'wallet.create'>) => guard(async () => ({ address: await wallet.create(input.passphrase) })),
    'wallet.import': (input: MethodInput<'wallet.import'>) => guard(async () => ({ address: await wallet.import(input.privateKey, input.passphrase) })),
    'wallet.unlock': (input: MethodInput<'wallet.unlock'>) =>
      guard(async () => {
        const address = await wallet.unlock(input.passphrase ?? null);
        void wallet.resumeClaims();
        return { address };
      }),
    'wallet.lock': () => (wallet.lock(), { locked: true as const }),
    'wallet.setRecipient': (input: MethodInput<'wallet.setRecipient'>) => guard(async () => ({ recipient: await wallet.setRecipient(input.recipient) })),
    'wallet.exportKey': (input: MethodInput<'wallet.exportKey'>) => guard(async () => ({ privateKey: (await wallet.exportKey(input.passphrase)).toLowerCase() })),
    'claim.preview': (input: Target) => guard(() => previewClaim(wallet, input)),
    'claim.start': (input: Target) => guard(() => startClaim(wallet, input)),
    'claim.list': (input: MethodInput<'claim.list'>) => guard(async () => listClaims(wallet, input.limit ?? 50)),
    'wallet.request': (input: MethodInput<'wallet.request'>) => guard(async () => ({ result: await walletRequest(wallet, input.method, input.params ?? []) })),
  };
}

/** What a claim is about: the given voucher, or the ledger's latest for the payout token. */
function candidateFor(wallet: Wallet, input: Target): { candidate: VoucherCandidate; digest: Hex } {
  const { pinned } = wallet.chain();
  if (input.voucher !== undefined) {
    const given = input.voucher;
    const domain = { chainId: given.chainId ?? pinned.chainId, vault: (given.vault ?? pinned.vault) as Address };
    return { candidate: { voucher: given.voucher, signature: given.signature, domain }, digest: safeDigest(pinned, given.voucher) };
  }
  const latest = wallet.ledger().vouchers.latest(pinned.token);
  if (latest === null) throw new ApiFailure('invalid_input', 'The marketplace has not sent a voucher yet: there is nothing to claim until it does.');
  return { candidate: { voucher: latest.voucher, signature: latest.signature, digest: latest.digest, domain: pinned }, digest: safeDigest(pinned, latest.voucher) };
}

async function previewClaim(wallet: Wallet, input: Target): Promise<MethodOutput<'claim.preview'>> {
  const { candidate } = candidateFor(wallet, input);
  const { machine } = wallet.machine();
  try {
    const preview = await machine.preview(candidate);
    return {
      canClaim: true,
      digest: preview.digest,
      voucher: preview.voucher,
      signature: candidate.signature,
      alreadyClaimed: preview.alreadyClaimed.toString(),
      claimable: preview.claimable.toString(),
      gas: preview.gas.toString(),
      costWei: preview.costWei.toString(),
      worthClaiming: worthClaiming(preview.claimable, preview.costWei, wallet.options.nativePriceInToken?.()),
    };
  } catch (err) {
    if (err instanceof ClaimRefused) return { canClaim: false, refusal: { code: err.code, message: err.message } };
    throw err;
  }
}

async function startClaim(wallet: Wallet, input: Target): Promise<MethodOutput<'claim.start'>> {
  const { candidate, digest } = candidateFor(wallet, input);
  const { machine, chain } = wallet.machine();
  try {
    const record = await machine.run(candidate, digest);
    // Older claims a crash left behind (superseded vouchers) are settled too, in the background.
    void wallet.resumeClaims();
    return { claim: claimItem(record, chain.payout.explorerUrl), refusal: null };
  } catch (err) {
    if (err instanceof ClaimRefused) return { claim: null, refusal: { code: err.code, message: err.message } };
    throw err;
  }
}

function listClaims(wallet: Wallet, limit: number): { items: ClaimItem[] } {
  const ledger = wallet.options.ledger();
  if (ledger === null || !ledger.open) return { items: [] };
  const explorer = wallet.payout()?.explorerUrl ?? null;
  return { items: ledger.claims.list(limit).map((record) => claimItem(record, record.chainId === wallet.payout()?.chainId ? explorer : null)) };
}

function safeDigest(pinned: { chainId: number; vault: Address }, voucher: Parameters<typeof voucherDigest>[1]): Hex {
  try {
    return voucherDigest(pinned, voucher);
  } catch {
    throw new ApiFailure('invalid_input', 'The voucher holds values that cannot be signed (an amount or expiry out of range).');
  }
}

// Wallet and ledger failures carry codes a person can act on; they go out as API errors.
async function guard<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WalletError) throw new ApiFailure(err.code, err.message);
    if (err instanceof LedgerError && err.code === 'invalid_input') throw new ApiFailure('invalid_input', err.message);
    throw err;
  }
}
