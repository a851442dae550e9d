/**
 * `wallet.status`: what the Wallet page shows. Pending, claimable and claimed amounts come from the
 * ledger (credits, the latest voucher) and the vault (what it already paid); the gas estimate comes
 * from the node; each figure the chain could not give is null with `chainError` saying why.
 */
import { type Address, getAddress } from 'viem';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import type { WalletStatus } from '../../common/api-wallet.js';
import { claimArgs } from './claim-machine.js';
import { tokenBalance, vaultReads, withRetry } from './vault-reads.js';
import type { Wallet } from './wallet.js';
import { WalletError } from './wallet-error.js';

/** A claim is worth making when it pays at least this many times its gas cost. */
export const WORTH_CLAIMING_FACTOR = 10n;

const MEANING = {
  pending: 'Credited by the marketplace for jobs you ran but not yet in a signed voucher; it becomes claimable with the next voucher.',
  claimable: 'In the latest signed voucher and not yet paid by the vault; Claim sends it to the recipient.',
  claimed: 'Already paid by the vault to the recipient on chain.',
};

/** Builds the wallet's status; never throws for a chain that cannot be reached. */
export async function walletStatus(wallet: Wallet): Promise<WalletStatus> {
  const file = await wallet.file().catch(() => null);
  const { recipient, builtIn } = await wallet.payoutRecipient();
  const address = wallet.address ?? (file === null ? null : getAddress(file.address));
  const payout = wallet.payout();
  const status: WalletStatus = {
    exists: file !== null,
    locked: wallet.address === null,
    address,
    recipient,
    recipientIsBuiltIn: builtIn,
    backend: wallet.wrapper.backend,
    fileBackend: file?.wrap.backend ?? null,
    payout,
    rpcUrl: null,
    chainError: null,
    nativeBalance: null,
    tokenBalance: null,
    pending: null,
    claimable: null,
    claimed: null,
    claimGas: null,
    worthClaiming: null,
    worthClaimingNote: 'No claim to compare yet.',
  };
  let chain;
  try {
    chain = wallet.chain();
  } catch (err) {
    if (err instanceof WalletError) return { ...status, chainError: err.message };
    throw err;
  }
  status.rpcUrl = chain.rpcUrl;
  const ledger = wallet.options.ledger();
  const node = wallet.node();
  const token = chain.pinned.token;
  const credits = ledger?.open ? ledger.acceptedCredits(token) : 0n;
  const latest = ledger?.open ? ledger.vouchers.latest(token) : null;
  const vouched = latest === null ? 0n : BigInt(latest.voucher.cumulativeAmount);
  status.pending = { amount: (credits > vouched ? credits - vouched : 0n).toString(), meaning: MEANING.pending };
  try {
    const reads = vaultReads(chain.client, chain.pinned.vault, { ...(wallet.options.retry ?? defaultFastRetry), attempts: 2 });
    if (address !== null) status.nativeBalance = (await withRetry('getBalance', () => chain.client.getBalance({ address }), { ...defaultFastRetry, attempts: 2 })).toString();
    if (recipient !== null) status.tokenBalance = (await tokenBalance(chain.client, token, recipient, { ...defaultFastRetry, attempts: 2 })).toString();
    const claimed = node === null ? 0n : await reads.claimed(node, token);
    const claimable = vouched > claimed ? vouched - claimed : 0n;
    status.claimed = { amount: claimed.toString(), meaning: MEANING.claimed };
    status.claimable = { amount: claimable.toString(), meaning: MEANING.claimable };
    if (latest !== null && claimable > 0n && address !== null) {
      await estimate(wallet, status, chain, latest, address, claimable);
    }
  } catch (err) {
    status.chainError = err instanceof Error ? err.message.slice(0, 2000) : String(err);
  }
  return status;
}

const defaultFastRetry = { attempts: 2, backoff: { baseMs: 200, factor: 2, maxMs: 1000, jitter: 0.5 }, timeoutMs: 5000 };

async function estimate(wallet: Wallet, status: WalletStatus, chain: ReturnType<Wallet['chain']>, latest: { voucher: Parameters<typeof claimArgs>[0]; signature: string }, from: Address, claimable: bigint): Promise<void> {
  let gas: bigint;
  try {
    gas = await chain.client.estimateContractGas({ address: chain.pinned.vault, abi: payoutVaultAbi, functionName: 'claim', args: claimArgs(latest.voucher, latest.signature), account: from });
  } catch {
    status.worthClaimingNote = 'The claim cannot be estimated now (the preview says why).';
    return;
  }
  const fees = await chain.client.estimateFeesPerGas();
  const costWei = gas * fees.maxFeePerGas;
  const price = wallet.options.nativePriceInToken?.();
  const costInToken = price === undefined ? null : (costWei * price) / 10n ** 18n;
  status.claimGas = { gas: gas.toString(), costWei: costWei.toString(), costInToken: costInToken === null ? null : costInToken.toString() };
  status.worthClaiming = worthClaiming(claimable, costWei, price);
  status.worthClaimingNote =
    status.worthClaiming === null
      ? 'No exchange rate between the token and the chain’s coin is configured, so the claim’s worth cannot be compared with its gas.'
      : status.worthClaiming
        ? 'The claim pays at least 10× its gas cost.'
        : 'The claim pays less than 10× its gas cost; waiting for more earnings makes it cheaper per token.';
}

/** True when `claimable` is at least 10× the gas cost converted to token units; null without a price. */
export function worthClaiming(claimable: bigint, costWei: bigint, nativePriceInToken: bigint | undefined): boolean | null {
  if (nativePriceInToken === undefined) return null;
  return claimable * 10n ** 18n >= WORTH_CLAIMING_FACTOR * costWei * nativePriceInToken;
}
