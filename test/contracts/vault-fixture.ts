/**
 * One anvil per test file with the payout contracts deployed, snapshot/revert between cases, and the
 * small pieces the vault tests share: signing vouchers with the protocol's own code, decoding reverts.
 */
import {
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  http,
  type PrivateKeyAccount,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import { testTokenAbi } from '../../contracts/generated/TestToken.js';
import type { Voucher } from '../../common/marketplace-protocol.js';
import { type VaultDomain, signVoucher } from '../../common/wire/voucher-signature.js';
import { voucherMessage } from '../../common/wire/typed-data.js';
import { type Anvil, startAnvil } from '../../marketplace/chain/anvil.js';
import { ANVIL_DEV_KEYS } from '../../marketplace/chain/dev-accounts.js';
import { type PayoutsDeployment, deployPayouts, localChain } from '../../marketplace/chain/deploy-payouts.js';

/** A running chain with the vault and token deployed, and the accounts the tests play. */
export type VaultFixture = {
  anvil: Anvil;
  deployment: PayoutsDeployment;
  publicClient: PublicClient<Transport, Chain>;
  /** Owns the vault and the token. */
  owner: PrivateKeyAccount;
  /** Submits claims (anyone may). */
  submitter: PrivateKeyAccount;
  depositor: PrivateKeyAccount;
  /** Signs vouchers; the vault's initial signer. */
  coordinator: PrivateKeyAccount;
  provider: Address;
  recipient: Address;
  walletOf(account: PrivateKeyAccount): WalletClient<Transport, Chain, PrivateKeyAccount>;
  reset(): Promise<void>;
  now(): Promise<number>;
  advance(seconds: number): Promise<void>;
  voucher(cumulativeAmount: bigint, overrides?: Partial<Voucher>): Promise<Voucher>;
  sign(voucher: Voucher, signer?: PrivateKeyAccount, domain?: VaultDomain): Promise<Hex>;
  claim(voucher: Voucher, signature: Hex, vault?: Address): Promise<TransactionReceipt>;
  balanceOf(account: Address, token?: Address): Promise<bigint>;
  claimed(token?: Address): Promise<bigint>;
  stop(): Promise<void>;
};

/** Starts anvil and deploys the contracts; `coordinator` signs vouchers, `owner` owns the vault. */
export async function startVaultFixture(options: { revocationDelaySeconds?: number; float?: bigint } = {}): Promise<VaultFixture> {
  const anvil: Anvil = await startAnvil();
  const [ownerKey, submitterKey, depositorKey] = ANVIL_DEV_KEYS;
  const owner = privateKeyToAccount(ownerKey);
  const submitter = privateKeyToAccount(submitterKey);
  const depositor = privateKeyToAccount(depositorKey);
  const coordinator = privateKeyToAccount(generatePrivateKey());
  const provider = privateKeyToAccount(generatePrivateKey()).address;
  const recipient = privateKeyToAccount(generatePrivateKey()).address;
  const deployment: PayoutsDeployment = await deployPayouts({
    rpcUrl: anvil.rpcUrl,
    deployer: owner,
    signer: coordinator.address,
    revocationDelaySeconds: options.revocationDelaySeconds ?? 3600,
    float: options.float ?? 1_000_000n,
  });
  const chain = localChain(anvil.chainId, anvil.rpcUrl);
  const publicClient: PublicClient<Transport, Chain> = createPublicClient({ chain, transport: http(anvil.rpcUrl) });
  const walletOf = (account: PrivateKeyAccount): WalletClient<Transport, Chain, PrivateKeyAccount> => createWalletClient({ account, chain, transport: http(anvil.rpcUrl) });
  let snapshot = (await publicClient.request({ method: 'evm_snapshot' } as never)) as Hex;

  return {
    anvil,
    deployment,
    publicClient,
    owner,
    submitter,
    depositor,
    coordinator,
    provider,
    recipient,
    walletOf,
    /** Back to the state right after deployment (call in beforeEach). */
    async reset() {
      await publicClient.request({ method: 'evm_revert', params: [snapshot] } as never);
      snapshot = (await publicClient.request({ method: 'evm_snapshot' } as never)) as Hex;
    },
    /** The current block's timestamp, in seconds. */
    async now(): Promise<number> {
      return Number((await publicClient.getBlock()).timestamp);
    },
    /** Moves the chain's clock forward and mines a block. */
    async advance(seconds: number) {
      await publicClient.request({ method: 'evm_increaseTime', params: [seconds] } as never);
      await publicClient.request({ method: 'evm_mine' } as never);
    },
    /** A voucher for our provider and recipient in the test token, valid for an hour. */
    async voucher(cumulativeAmount: bigint, overrides: Partial<Voucher> = {}): Promise<Voucher> {
      const now = Number((await publicClient.getBlock()).timestamp);
      return {
        provider: provider,
        recipient: recipient,
        token: deployment.token,
        cumulativeAmount: cumulativeAmount.toString(),
        expiry: now + 3600,
        ...overrides,
      };
    },
    /** Signs with the protocol's signer (common/wire) under this vault's domain unless told otherwise. */
    sign(voucher: Voucher, signer: PrivateKeyAccount = coordinator, domain: VaultDomain = { chainId: anvil.chainId, vault: deployment.vault }): Promise<Hex> {
      return signVoucher(signer, domain, voucher);
    },
    /** Sends claim() from `submitter` and waits for it to be mined. */
    async claim(voucher: Voucher, signature: Hex, vault: Address = deployment.vault) {
      const hash = await walletOf(submitter).writeContract({ address: vault, abi: payoutVaultAbi, functionName: 'claim', args: [voucherMessage(voucher), signature] });
      return publicClient.waitForTransactionReceipt({ hash });
    },
    async balanceOf(account: Address, token: Address = deployment.token): Promise<bigint> {
      return publicClient.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [account] });
    },
    async claimed(token: Address = deployment.token): Promise<bigint> {
      return publicClient.readContract({ address: deployment.vault, abi: payoutVaultAbi, functionName: 'claimed', args: [provider, token] });
    },
    async stop() {
      await anvil.stop();
    },
  };
}

/** The custom error a call reverts with (as the app decodes it), or null when it did not revert. */
export async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] } | null> {
  try {
    await call;
    return null;
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data === undefined) throw error;
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
}

/** The vault ABI plus the token's errors, so reverts bubbled from a token decode too. */
export const vaultAndTokenAbi = [...payoutVaultAbi, ...testTokenAbi.filter((item) => item.type === 'error')] as const satisfies Abi;
