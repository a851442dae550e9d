/**
 * Gas and latency of PayoutVault.claim on a real anvil: a provider's first claim, a later one, and a
 * plain token transfer measured alongside as the baseline (what moving the tokens alone costs). Latency
 * is the app's path, simulate → send → receipt, over N claims one after another.
 */
import { type Hex, createPublicClient, createWalletClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import { testTokenAbi } from '../../contracts/generated/TestToken.js';
import { contractsBuild } from '../../contracts/generated/build-info.js';
import type { Voucher } from '../../common/marketplace-protocol.js';
import { voucherMessage } from '../../common/wire/typed-data.js';
import { signVoucher } from '../../common/wire/voucher-signature.js';
import { startAnvil } from '../../marketplace/chain/anvil.js';
import { deployPayouts, localChain } from '../../marketplace/chain/deploy-payouts.js';
import { ANVIL_DEV_KEYS } from '../../marketplace/chain/dev-accounts.js';
import { nowMs, percentile } from '../stats.js';

/** What the claim benchmark measured. */
export type ClaimGasFigures = {
  /** Gas used by whole transactions (21,000 base and calldata included), as a wallet pays it. */
  gas: {
    /** A provider's first claim: its claimed slot and the recipient's balance go from zero to non-zero. */
    firstClaim: number;
    /** The same provider's next claim: every slot it writes is already non-zero. */
    laterClaim: number;
    /** Baseline: a plain transfer of the same token between two accounts that both hold some. */
    tokenTransfer: number;
    /** laterClaim − tokenTransfer: what the vault adds to moving the tokens (signature, checks, event). */
    laterClaimOverTransfer: number;
    /** laterClaim ÷ tokenTransfer. */
    laterClaimVsTransfer: number;
  };
  /** simulate → send → receipt, one claim after another on anvil (automine), milliseconds. */
  latency: { claims: number; p50Ms: number; p99Ms: number; simulateP50Ms: number; sendP50Ms: number; receiptP50Ms: number };
  compiler: string;
  settings: { evmVersion: string; optimizerRuns: number; viaIR: boolean };
};

type TimedClaim = { gas: number; simulateMs: number; sendMs: number; receiptMs: number; totalMs: number };

/** Starts anvil, deploys the vault and measures claim gas and latency over `claims` claims (at least 2). */
export async function measureClaimGas(options: { claims?: number; progress?: (line: string) => void } = {}): Promise<ClaimGasFigures> {
  const claims = Math.max(2, options.claims ?? 50);
  const progress = options.progress ?? (() => undefined);
  const anvil = await startAnvil();
  try {
    const deployer = privateKeyToAccount(ANVIL_DEV_KEYS[0]);
    const submitter = privateKeyToAccount(ANVIL_DEV_KEYS[1]);
    const coordinator = privateKeyToAccount(generatePrivateKey());
    const provider = privateKeyToAccount(generatePrivateKey()).address;
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    progress('deploying the vault…');
    const deployment = await deployPayouts({ rpcUrl: anvil.rpcUrl, deployer, signer: coordinator.address, float: 10n ** 15n });
    const chain = localChain(anvil.chainId, anvil.rpcUrl);
    const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl) });
    const submitterWallet = createWalletClient({ account: submitter, chain, transport: http(anvil.rpcUrl) });
    const deployerWallet = createWalletClient({ account: deployer, chain, transport: http(anvil.rpcUrl) });
    const domain = { chainId: anvil.chainId, vault: deployment.vault };
    const expiry = Math.floor(Date.now() / 1000) + 86_400 * 365;

    const receiptOf = async (hash: Hex) => {
      // Automine: the receipt exists once the send returns; poll without viem's 4 s default interval.
      for (;;) {
        const receipt = await publicClient.getTransactionReceipt({ hash }).catch(() => null);
        if (receipt) return receipt;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const timedClaim = async (cumulativeAmount: bigint): Promise<TimedClaim> => {
      const voucher: Voucher = { provider, recipient, token: deployment.token, cumulativeAmount: cumulativeAmount.toString(), expiry };
      const signature = await signVoucher(coordinator, domain, voucher);
      const t0 = nowMs();
      const { request } = await publicClient.simulateContract({ account: submitter, address: deployment.vault, abi: payoutVaultAbi, functionName: 'claim', args: [voucherMessage(voucher), signature] });
      const t1 = nowMs();
      const hash = await submitterWallet.writeContract(request);
      const t2 = nowMs();
      const receipt = await receiptOf(hash);
      const t3 = nowMs();
      if (receipt.status !== 'success') throw new Error(`claim ${hash} reverted`);
      return { gas: Number(receipt.gasUsed), simulateMs: t1 - t0, sendMs: t2 - t1, receiptMs: t3 - t2, totalMs: t3 - t0 };
    };

    progress('first and later claim…');
    const first = await timedClaim(1_000_000n);
    const later = await timedClaim(2_000_000n);
    // Baseline: the same value moved by a plain transfer, to an account that holds tokens, from one that keeps some.
    await receiptOf(await deployerWallet.writeContract({ address: deployment.token, abi: testTokenAbi, functionName: 'mint', args: [deployer.address, 10n ** 9n] }));
    const transferHash = await deployerWallet.writeContract({ address: deployment.token, abi: testTokenAbi, functionName: 'transfer', args: [recipient, 1_000_000n] });
    const transfer = Number((await receiptOf(transferHash)).gasUsed);

    progress(`${claims} claims one after another…`);
    const runs: TimedClaim[] = [];
    for (let i = 0; i < claims; i++) runs.push(await timedClaim(3_000_000n + BigInt(i) * 1000n));
    const p50 = (pick: (r: TimedClaim) => number) => percentile(runs.map(pick), 50);
    return {
      gas: {
        firstClaim: first.gas,
        laterClaim: later.gas,
        tokenTransfer: transfer,
        laterClaimOverTransfer: later.gas - transfer,
        laterClaimVsTransfer: later.gas / transfer,
      },
      latency: {
        claims,
        p50Ms: p50((r) => r.totalMs),
        p99Ms: percentile(runs.map((r) => r.totalMs), 99),
        simulateP50Ms: p50((r) => r.simulateMs),
        sendP50Ms: p50((r) => r.sendMs),
        receiptP50Ms: p50((r) => r.receiptMs),
      },
      compiler: contractsBuild.compiler,
      settings: { evmVersion: contractsBuild.settings.evmVersion, optimizerRuns: contractsBuild.settings.optimizer.runs, viaIR: contractsBuild.settings.viaIR },
    };
  } finally {
    await anvil.stop();
  }
}
