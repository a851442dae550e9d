/**
 * Deploys the payout contracts on a chain: the test token (HUSD) and a PayoutVault, then mints a float
 * and deposits it into the vault. Used by the local demo chain, the contract tests and the gas benchmark.
 */
import { type Account, type Address, type Chain, type Hex, createPublicClient, createWalletClient, defineChain, getAddress, http } from 'viem';
import { payoutVaultAbi, payoutVaultBytecode } from '../../contracts/generated/PayoutVault.js';
import { testTokenAbi, testTokenBytecode } from '../../contracts/generated/TestToken.js';

/** What to deploy, and with which account. */
export type DeployPayoutsOptions = {
  rpcUrl: string;
  /** Pays for the deployment and owns the token; a local account (e.g. an anvil dev key). */
  deployer: Account;
  /** The vault's owner (adds and revokes signers); the deployer when absent. */
  owner?: Address;
  /** The coordinator key that signs vouchers. */
  signer: Address;
  /** Seconds a revoked signer stays valid (default 1 day). */
  revocationDelaySeconds?: number;
  /** Token base units minted and deposited into the vault (default 1,000,000 HUSD). */
  float?: bigint;
};

/** Where the payout contracts live once deployed. */
export type PayoutsDeployment = {
  chainId: number;
  vault: Address;
  token: Address;
  owner: Address;
  signer: Address;
  revocationDelaySeconds: number;
  /** The token balance the vault starts with. */
  float: bigint;
  /** The block the vault was created in (where log queries start). */
  deployBlock: bigint;
};

/** The test token's decimals (HUSD, like USDC). */
export const TEST_TOKEN_DECIMALS = 6;
const DEFAULT_FLOAT = 1_000_000n * 10n ** BigInt(TEST_TOKEN_DECIMALS);
const DEFAULT_REVOCATION_DELAY_SECONDS = 86_400;

/** A viem chain for a local RPC URL (what wallet clients need to send transactions). */
export function localChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `Local chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** Deploys TestToken and PayoutVault, mints `float` and deposits it into the vault. */
export async function deployPayouts(options: DeployPayoutsOptions): Promise<PayoutsDeployment> {
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ transport });
  const chainId = await publicClient.getChainId();
  const chain = localChain(chainId, options.rpcUrl);
  const wallet = createWalletClient({ account: options.deployer, chain, transport });
  const owner = options.owner ?? options.deployer.address;
  const revocationDelaySeconds = options.revocationDelaySeconds ?? DEFAULT_REVOCATION_DELAY_SECONDS;
  const float = options.float ?? DEFAULT_FLOAT;

  const mined = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`deployment transaction ${hash} reverted`);
    return receipt;
  };
  const tokenReceipt = await mined(await wallet.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode, args: [options.deployer.address] }));
  const vaultReceipt = await mined(
    await wallet.deployContract({ abi: payoutVaultAbi, bytecode: payoutVaultBytecode, args: [owner, options.signer, BigInt(revocationDelaySeconds)] }),
  );
  if (!tokenReceipt.contractAddress || !vaultReceipt.contractAddress) throw new Error('deployment receipt without a contract address');
  // Receipts carry lowercase addresses; everything else (events, reads) gives checksummed ones.
  const token = getAddress(tokenReceipt.contractAddress);
  const vault = getAddress(vaultReceipt.contractAddress);
  if (float > 0n) {
    await mined(await wallet.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [options.deployer.address, float] }));
    await mined(await wallet.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [vault, float] }));
    await mined(await wallet.writeContract({ address: vault, abi: payoutVaultAbi, functionName: 'deposit', args: [token, float] }));
  }
  return { chainId, vault, token, owner, signer: options.signer, revocationDelaySeconds, float, deployBlock: vaultReceipt.blockNumber };
}
