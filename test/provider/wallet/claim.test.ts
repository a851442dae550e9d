/**
 * Claims against a real anvil with the real PayoutVault: a full claim pays the recipient exactly the
 * voucher's delta and ends confirmed; every bad voucher is refused with its code before anything is
 * simulated or sent; a claim that would revert shows the vault's decoded error and sends nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Hex, createWalletClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ClaimItem } from '../../../common/api-wallet.js';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { localChain } from '../../../marketplace/chain/deploy-payouts.js';
import { ANVIL_DEV_KEYS } from '../../../marketplace/chain/dev-accounts.js';
import { walletHandlers } from '../../../provider/api/wallet-handlers.js';
import type { Wallet } from '../../../provider/wallet/wallet.js';
import { type ChainFixture, PASSPHRASE, type ProviderSide, WALLET_KEY, providerSide, startChain } from './claim-fixture.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

let chain: ChainFixture;
beforeAll(async () => {
  chain = await startChain();
}, 60_000);
afterAll(async () => chain?.stop());

describe('a claim on anvil', () => {
  let side: ProviderSide;
  let wallet: Wallet;
  let api: ReturnType<typeof walletHandlers>;
  const events: ClaimItem[] = [];

  beforeAll(async () => {
    side = await providerSide(chain);
    wallet = await side.openWallet({ onClaim: (item) => events.push(item) });
    api = walletHandlers(wallet);
    await api['wallet.import']({ privateKey: WALLET_KEY, passphrase: PASSPHRASE });
  });
  afterAll(async () => side.cleanup());

  it('pays the recipient exactly the voucher, then exactly the next delta, and ends confirmed', async () => {
    side.credit(1500n);
    side.receive(await side.voucher(1500n));
    const before = await chain.balanceOf(chain.recipient);
    const status = await api['wallet.status']();
    expect(status.pending?.amount).toBe('0');
    expect(status.claimable?.amount).toBe('1500');
    expect(status.claimed?.amount).toBe('0');
    expect(BigInt(status.claimGas?.gas ?? '0')).toBeGreaterThan(21_000n);

    const preview = await api['claim.preview']({});
    expect(preview).toMatchObject({ canClaim: true, claimable: '1500', alreadyClaimed: '0' });
    const started = await api['claim.start']({});
    expect(started.refusal).toBeNull();
    expect(started.claim).toMatchObject({ state: 'confirmed', paid: '1500', expectedPaid: '1500' });
    expect(started.claim?.explorerUrl).toBe(`https://explorer.example/tx/${started.claim?.txHash}`);
    expect((await chain.balanceOf(chain.recipient)) - before).toBe(1500n);
    expect(events.map((e) => e.state)).toEqual(['voucher', 'simulated', 'signed', 'broadcast', 'confirmed']);

    // A voucher that lags credits acknowledged after it was signed still claims; the rest stays pending.
    side.credit(700n);
    side.receive(await side.voucher(2000n));
    expect(await api['claim.preview']({})).toMatchObject({ canClaim: true, claimable: '500', alreadyClaimed: '1500' });
    expect((await api['wallet.status']()).pending?.amount).toBe('200');
    side.receive(await side.voucher(2200n));
    const second = await api['claim.start']({});
    expect(second.claim).toMatchObject({ state: 'confirmed', paid: '700' });
    expect((await chain.balanceOf(chain.recipient)) - before).toBe(2200n);
    const after = await api['wallet.status']();
    expect(after.claimed?.amount).toBe('2200');
    expect(after.claimable?.amount).toBe('0');
    expect((await api['claim.list']({})).items.map((c) => c.state)).toEqual(['confirmed', 'confirmed']);
  }, 60_000);

  it('refuses the same voucher again as replayed, and sends nothing', async () => {
    const [latest] = (await api['claim.list']({})).items;
    const stored = side.ledger.vouchers.latest(chain.deployment.token)!;
    expect(stored.digest).toBe(latest!.digest);
    const nonce = await chain.txCount(wallet.address!);
    const again = await api['claim.start']({ voucher: { voucher: stored.voucher, signature: stored.signature } });
    // The machine answers a confirmed digest with its record: no second transaction either way.
    expect(again.claim?.state ?? again.refusal?.code).toMatch(/confirmed|voucher_replayed/);
    expect(await api['claim.preview']({ voucher: { voucher: stored.voucher, signature: stored.signature } })).toMatchObject({ canClaim: false, refusal: { code: 'voucher_replayed' } });
    expect(await chain.txCount(wallet.address!)).toBe(nonce);
  }, 30_000);
});

describe('a wallet without gas', () => {
  it('is told how much the claim needs before anything is signed (insufficient_gas)', async () => {
    const side = await providerSide(chain);
    try {
      const api = walletHandlers(await side.openWallet());
      const { address } = await api['wallet.create']({ passphrase: PASSPHRASE });
      side.credit(300n);
      side.receive(await side.voucher(300n));
      const preview = await api['claim.preview']({});
      expect(preview).toMatchObject({ canClaim: false, refusal: { code: 'insufficient_gas', message: expect.stringContaining(address) } });
      expect(await api['claim.start']({})).toMatchObject({ claim: null, refusal: { code: 'insufficient_gas' } });
      expect(side.ledger.claims.list()).toEqual([]);
    } finally {
      await side.cleanup();
    }
  }, 30_000);
});

describe('bad vouchers are refused before simulation, nothing sent', () => {
  let side: ProviderSide;
  let wallet: Wallet;
  let offline: Wallet;
  let api: ReturnType<typeof walletHandlers>;
  let offlineApi: ReturnType<typeof walletHandlers>;

  beforeAll(async () => {
    side = await providerSide(chain);
    wallet = await side.openWallet();
    api = walletHandlers(wallet);
    await api['wallet.import']({ privateKey: WALLET_KEY, passphrase: PASSPHRASE });
    // The same data folder with an RPC that answers nothing: a refusal here needed no chain at all.
    offline = await side.openWallet({ rpcUrl: 'http://127.0.0.1:9/', retry: { attempts: 1, backoff: { baseMs: 1, factor: 1, maxMs: 1, jitter: 0 }, timeoutMs: 500 } });
    offlineApi = walletHandlers(offline);
    await offlineApi['wallet.unlock']({ passphrase: PASSPHRASE });
    side.credit(1000n);
  });
  afterAll(async () => side.cleanup());
  let nonce: number;
  beforeEach(async () => {
    nonce = await chain.txCount(privateKeyToAccount(WALLET_KEY).address);
  });

  async function expectRefused(target: Parameters<(typeof api)['claim.start']>[0], code: string, useOffline = true) {
    const handlers = useOffline ? offlineApi : api;
    expect(await handlers['claim.preview'](target)).toMatchObject({ canClaim: false, refusal: { code } });
    const started = await handlers['claim.start'](target);
    expect(started).toMatchObject({ claim: null, refusal: { code } });
    expect(started.refusal?.message.length).toBeGreaterThan(20);
    expect(await chain.txCount(privateKeyToAccount(WALLET_KEY).address)).toBe(nonce);
    expect(side.ledger.claims.list()).toEqual([]);
  }

  it('expired', async () => {
    const signed = await side.voucher(1000n, { expiry: Math.floor(Date.now() / 1000) - 10 });
    await expectRefused({ voucher: signed }, 'voucher_expired');
  });

  it('signed for another chain', async () => {
    const signed = await side.voucher(1000n, {}, { chainId: 1 });
    await expectRefused({ voucher: { ...signed, chainId: 1 } }, 'voucher_foreign_chain');
  });

  it('signed for another vault', async () => {
    const other = privateKeyToAccount(generatePrivateKey()).address;
    const signed = await side.voucher(1000n, {}, { vault: other });
    await expectRefused({ voucher: { ...signed, vault: other } }, 'voucher_other_vault');
  });

  it('a malleated high-s copy of a valid signature', async () => {
    const signed = await side.voucher(1000n);
    const s = BigInt(`0x${signed.signature.slice(66, 130)}`);
    const v = Number.parseInt(signed.signature.slice(130), 16);
    const high = `${signed.signature.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await expectRefused({ voucher: { voucher: signed.voucher, signature: high } }, 'voucher_malleated');
  });

  it('tampered after it was received (the ledger row no longer matches its digest)', async () => {
    const signed = await side.voucher(1000n);
    const tampered = { ...signed.voucher, recipient: privateKeyToAccount(generatePrivateKey()).address };
    side.ledger.vouchers.record(tampered, signed.signature, signed.digest);
    await expectRefused({}, 'voucher_tampered');
  });

  it('for another node, or an amount the ledger does not hold', async () => {
    await expectRefused({ voucher: await side.voucher(1000n, { provider: privateKeyToAccount(generatePrivateKey()).address }) }, 'voucher_not_ours');
    // More than the ledger was credited (1000): the books disagree. Less is a voucher lagging newer credits, and fine.
    await expectRefused({ voucher: await side.voucher(1001n) }, 'voucher_amount_mismatch');
  });

  it('forged: signed by a key that is neither the marketplace nor a vault signer', async () => {
    const signed = await side.voucher(1000n, {}, { signer: privateKeyToAccount(generatePrivateKey()) });
    await expectRefused({ voucher: signed }, 'voucher_forged', false);
  });

  it('a claim the vault would refuse shows its decoded error, and nothing is sent', async () => {
    side.credit(50_000_000n);
    const signed = await side.voucher(50_001_000n);
    const preview = await api['claim.preview']({ voucher: signed });
    expect(preview).toMatchObject({ canClaim: false, refusal: { code: 'claim_would_revert' } });
    expect(preview.canClaim ? '' : preview.refusal.message).toMatch(/InsufficientVaultBalance\(/);
    expect(await chain.txCount(privateKeyToAccount(WALLET_KEY).address)).toBe(nonce);
  });

  it('signed by the marketplace key after the vault revoked it: signer_unknown', async () => {
    const owner = createWalletClient({ account: privateKeyToAccount(ANVIL_DEV_KEYS[0]), chain: localChain(chain.anvil.chainId, chain.anvil.rpcUrl), transport: http(chain.anvil.rpcUrl) });
    await chain.client.waitForTransactionReceipt({ hash: await owner.writeContract({ address: chain.deployment.vault, abi: payoutVaultAbi, functionName: 'revokeSigner', args: [chain.coordinator.address] }) });
    await chain.client.request({ method: 'evm_increaseTime', params: [120] } as never);
    await chain.client.request({ method: 'evm_mine' } as never);
    nonce = await chain.txCount(privateKeyToAccount(WALLET_KEY).address);
    await expectRefused({ voucher: await side.voucher(50_001_000n) }, 'signer_unknown', false);
  });
});
