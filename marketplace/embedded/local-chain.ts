/**
 * The local demo's chain: anvil with its state kept in `<local-demo>/chain/`, and the payout contracts
 * (test token + PayoutVault, with the demo coordinator as the voucher signer) deployed once and found
 * again on the next start. If the chain's state was lost (a crash between state writes), the contracts
 * are deployed afresh: it is a test chain holding play money, so that is said in the log, not hidden.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Address, createPublicClient, createTestClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import type { PayoutInfo } from '../../common/marketplace-protocol.js';
import { DEFAULT_CHAIN_ID } from '../../common/wire/typed-data.js';
import { writeFileAtomic } from '../../provider/atomic-file.js';
import { type Anvil, startAnvil } from '../chain/anvil.js';
import { TEST_TOKEN_DECIMALS, deployPayouts } from '../chain/deploy-payouts.js';
import { ANVIL_DEV_KEYS } from '../chain/dev-accounts.js';

/** The local demo chain's id: anvil's default, which is also the protocol's default. */
export const LOCAL_CHAIN_ID = DEFAULT_CHAIN_ID;
/** The test token's symbol on the local chain. */
export const LOCAL_TOKEN_SYMBOL = 'HUSD';

const DEPLOYMENT_FILE = 'payouts.json';
const Deployment = z.object({ vault: z.string(), token: z.string(), signer: z.string() });

export type LocalChain = {
  anvil: Anvil;
  payout: PayoutInfo;
  /** Sets `address`'s native balance (the demo's faucet: anvil_setBalance). */
  fund: (address: Address, wei: bigint) => Promise<void>;
  balance: (address: Address) => Promise<bigint>;
  stop: () => Promise<void>;
};

/** Starts anvil and makes sure the payout contracts are there for `signer`. */
export async function startLocalChain(options: { dir: string; signer: Address; logger: Logger }): Promise<LocalChain> {
  const stateDir = join(options.dir, 'chain');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const anvil = await startAnvil({ chainId: LOCAL_CHAIN_ID, stateDir });
  try {
    const rpc = http(anvil.rpcUrl);
    const client = createPublicClient({ transport: rpc });
    const recorded = await readDeployment(join(options.dir, DEPLOYMENT_FILE));
    let contracts: { vault: Address; token: Address } | null = null;
    if (recorded !== null && recorded.signer.toLowerCase() === options.signer.toLowerCase()) {
      const [vaultCode, tokenCode] = await Promise.all([client.getCode({ address: recorded.vault as Address }), client.getCode({ address: recorded.token as Address })]);
      if (vaultCode !== undefined && vaultCode !== '0x' && tokenCode !== undefined && tokenCode !== '0x') contracts = { vault: recorded.vault as Address, token: recorded.token as Address };
      else options.logger.warn('the local chain lost its state; deploying the payout contracts again (test chain, play money)');
    }
    if (contracts === null) {
      const deployed = await deployPayouts({ rpcUrl: anvil.rpcUrl, deployer: privateKeyToAccount(ANVIL_DEV_KEYS[0]), signer: options.signer });
      contracts = { vault: deployed.vault, token: deployed.token };
      await writeFileAtomic(join(options.dir, DEPLOYMENT_FILE), `${JSON.stringify({ ...contracts, signer: options.signer })}\n`, 0o600);
    }
    const payout: PayoutInfo = {
      chainId: LOCAL_CHAIN_ID,
      vault: contracts.vault,
      token: contracts.token,
      tokenSymbol: LOCAL_TOKEN_SYMBOL,
      tokenDecimals: TEST_TOKEN_DECIMALS,
      rpcUrl: anvil.rpcUrl,
      explorerUrl: null,
    };
    return {
      anvil,
      payout,
      fund: (address, wei) => createTestClient({ mode: 'anvil', transport: rpc }).setBalance({ address, value: wei }),
      balance: (address) => client.getBalance({ address }),
      stop: () => anvil.stop(),
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

async function readDeployment(path: string): Promise<z.infer<typeof Deployment> | null> {
  try {
    const parsed = Deployment.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
