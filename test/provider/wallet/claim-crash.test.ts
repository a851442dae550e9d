/**
 * Crash injection (SECURITY.md 20): a real child process runs the claim and is SIGKILLed right after
 * each state is committed (voucher, simulated, signed, broadcast); a second process resumes it. Per
 * voucher digest the vault emits exactly one Claimed event, the wallet sends exactly one transaction,
 * and the recipient is paid exactly once. A transaction whose nonce another one took is replaced.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { localChain } from '../../../marketplace/chain/deploy-payouts.js';
import { walletHandlers } from '../../../provider/api/wallet-handlers.js';
import { type ChainFixture, PASSPHRASE, type ProviderSide, WALLET_KEY, providerSide, startChain } from './claim-fixture.js';

const CHILD = fileURLToPath(new URL('./claim-child.ts', import.meta.url));
const WALLET = privateKeyToAccount(WALLET_KEY);

function runChild(side: ProviderSide, crashAt?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env = { ...process.env, HEARTH_CLAIM_CHILD: JSON.stringify({ dataDir: side.dir, passphrase: PASSPHRASE, marketplace: side.marketplace, crashAt }) };
  const child = spawn(process.execPath, ['--import', 'jiti/register', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

let chain: ChainFixture;
beforeAll(async () => {
  chain = await startChain();
}, 60_000);
afterAll(async () => chain?.stop());

async function claimedEventsFor(side: ProviderSide): Promise<number> {
  const logs = await chain.client.getContractEvents({ address: chain.deployment.vault, abi: payoutVaultAbi, eventName: 'Claimed', args: { provider: side.node }, fromBlock: chain.deployment.deployBlock });
  return logs.length;
}

async function prepared(): Promise<ProviderSide> {
  const side = await providerSide(chain);
  const wallet = await side.openWallet();
  await walletHandlers(wallet)['wallet.import']({ privateKey: WALLET_KEY, passphrase: PASSPHRASE });
  wallet.lock();
  side.credit(1000n);
  side.receive(await side.voucher(1000n));
  return side;
}

describe('a claim killed at each step resumes with one broadcast', () => {
  const sides: ProviderSide[] = [];
  afterAll(async () => {
    for (const side of sides) await side.cleanup();
  });

  for (const step of ['voucher', 'simulated', 'signed', 'broadcast'] as const) {
    it(`killed after "${step}"`, async () => {
      const side = await prepared();
      sides.push(side);
      const before = await chain.balanceOf(chain.recipient);
      const nonce = await chain.txCount(WALLET.address);

      const crashed = await runChild(side, step);
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      const [record] = side.ledger.claims.list();
      expect(record?.state).toBe(step);

      const resumed = await runChild(side);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ refusal: null, claim: { state: 'confirmed' } });
      expect(await claimedEventsFor(side)).toBe(1);
      expect(await chain.txCount(WALLET.address)).toBe(nonce + 1);
      expect((await chain.balanceOf(chain.recipient)) - before).toBe(1000n);
      expect(side.ledger.claims.list()).toHaveLength(1);
    }, 60_000);
  }

  it('a signed claim whose nonce another transaction took is signed again and paid once', async () => {
    const side = await prepared();
    sides.push(side);
    const before = await chain.balanceOf(chain.recipient);
    const crashed = await runChild(side, 'signed');
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const signed = side.ledger.claims.list()[0]!;
    // Another program using the same key spends the nonce the stored transaction was signed with.
    const other = createWalletClient({ account: WALLET, chain: localChain(chain.anvil.chainId, chain.anvil.rpcUrl), transport: http(chain.anvil.rpcUrl) });
    await chain.client.waitForTransactionReceipt({ hash: await other.sendTransaction({ to: WALLET.address, value: 0n, nonce: signed.nonce! }) });

    const resumed = await runChild(side);
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = side.ledger.claims.list()[0]!;
    expect(final.state).toBe('confirmed');
    expect(final.txHash).not.toBe(signed.txHash);
    expect(await claimedEventsFor(side)).toBe(1);
    expect((await chain.balanceOf(chain.recipient)) - before).toBe(1000n);
  }, 60_000);
});
