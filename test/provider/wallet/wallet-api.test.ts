/**
 * The wallet through the API contract: the Provider's dispatcher (schemas on both sides) answers the
 * wallet methods with stable codes, the EIP-1193 entry point applies the signing policy, and the
 * private key appears in no output but `wallet.exportKey` — nor in any event, log line or file
 * other than the encrypted key file.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFunctionData, toHex } from 'viem';
import { apiMethods } from '../../../common/api.js';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { createDispatcher } from '../../../provider/api/dispatch.js';
import { walletHandlers } from '../../../provider/api/wallet-handlers.js';
import { Provider } from '../../../provider/provider.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { type ChainFixture, PASSPHRASE, type ProviderSide, WALLET_KEY, providerSide, startChain } from './claim-fixture.js';

describe('the wallet methods on the Provider', () => {
  let provider: Provider;
  let remove: () => Promise<void>;
  const seen: string[] = [];
  beforeAll(async () => {
    const temp = await makeTempDir('hearth-wallet-api-');
    remove = temp.remove;
    provider = await Provider.open({ dataDir: temp.dir, mode: 'headless', workers: false });
    provider.subscribe((event) => seen.push(JSON.stringify(event)));
  });
  afterAll(async () => {
    await provider.stop();
    await remove();
  });

  it('create, lock, a wrong passphrase, unlock, export: codes and outputs as the contract says', async () => {
    const call = async (method: string, input: unknown) => {
      const result = await provider.dispatch(method, input);
      seen.push(JSON.stringify(result));
      return result;
    };
    expect(await call('wallet.status', {})).toMatchObject({ ok: true, value: { exists: false, locked: true, address: null, backend: 'none', chainError: expect.stringContaining('payout chain') } });
    expect(await call('wallet.create', { passphrase: 'short' })).toMatchObject({ ok: false, error: { code: 'weak_passphrase' } });
    const created = await call('wallet.create', { passphrase: PASSPHRASE });
    expect(created).toMatchObject({ ok: true, value: { address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/) } });
    expect(await call('wallet.create', { passphrase: PASSPHRASE })).toMatchObject({ ok: false, error: { code: 'wallet_exists' } });
    expect(await call('wallet.lock', {})).toEqual({ ok: true, value: { locked: true } });
    expect(await call('wallet.status', {})).toMatchObject({ ok: true, value: { exists: true, locked: true, fileBackend: 'none' } });
    expect(await call('wallet.unlock', {})).toMatchObject({ ok: false, error: { code: 'passphrase_required' } });
    expect(await call('wallet.unlock', { passphrase: 'not the passphrase' })).toMatchObject({ ok: false, error: { code: 'wrong_passphrase' } });
    expect(await call('wallet.unlock', { passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(await call('wallet.setRecipient', { recipient: '0x12' })).toMatchObject({ ok: false, error: { code: 'invalid_address' } });
    expect(await call('wallet.request', { method: 'personal_sign', params: ['0x00'] })).toMatchObject({ ok: false, error: { code: 'policy_refused' } });
    expect(await call('wallet.request', { method: 'eth_accounts' })).toMatchObject({ ok: true, value: { result: [(created as { value: { address: string } }).value.address] } });
    expect(await call('claim.list', {})).toEqual({ ok: true, value: { items: [] } });

    expect(await provider.dispatch('wallet.exportKey', { passphrase: 'not the passphrase' })).toMatchObject({ ok: false, error: { code: 'wrong_passphrase' } });
    const exported = await provider.dispatch('wallet.exportKey', { passphrase: PASSPHRASE });
    expect(exported).toMatchObject({ ok: true, value: { privateKey: expect.stringMatching(/^0x[0-9a-f]{64}$/) } });
    const key = (exported as { value: { privateKey: string } }).value.privateKey.slice(2);

    for (const text of seen) expect(text.toLowerCase()).not.toContain(key);
    for (const name of await readdir(provider.dataDir)) {
      if (name === 'logs') continue;
      const content = await readFile(join(provider.dataDir, name)).catch(() => Buffer.alloc(0));
      expect(content.toString('utf8').toLowerCase(), name).not.toContain(key);
      expect(content.toString('hex'), name).not.toContain(key);
    }
  });
});

describe('EIP-1193 requests and status on a real chain', () => {
  let chain: ChainFixture;
  let side: ProviderSide;
  const logs: string[] = [];
  beforeAll(async () => {
    chain = await startChain();
    side = await providerSide(chain);
  }, 60_000);
  afterAll(async () => {
    await side?.cleanup();
    await chain?.stop();
  });

  it('answers accounts and chain id, sends a policy-allowed claim, refuses the rest; outputs match the contract and never hold the key', async () => {
    const logger = pino({ level: 'trace' }, { write: (line: string) => logs.push(line) });
    const wallet = await side.openWallet({ logger });
    const handlers = walletHandlers(wallet);
    const dispatch = createDispatcher(handlers as never, () => undefined);
    const outputs: string[] = [];
    const call = async (method: keyof typeof handlers, input: unknown) => {
      const result = await dispatch(method, input);
      outputs.push(JSON.stringify(result));
      if (result.ok) apiMethods[method].output.parse(result.value);
      return result;
    };
    await call('wallet.import', { privateKey: WALLET_KEY, passphrase: PASSPHRASE });
    expect(await call('wallet.request', { method: 'eth_chainId' })).toEqual({ ok: true, value: { result: toHex(chain.anvil.chainId) } });
    side.credit(400n);
    const signed = await side.voucher(400n);
    side.receive(signed);
    const data = encodeFunctionData({ abi: payoutVaultAbi, functionName: 'claim', args: [{ ...signed.voucher, provider: signed.voucher.provider as `0x${string}`, recipient: signed.voucher.recipient as `0x${string}`, token: signed.voucher.token as `0x${string}`, cumulativeAmount: 400n, expiry: BigInt(signed.voucher.expiry) }, signed.signature] });
    const sent = await call('wallet.request', { method: 'eth_sendTransaction', params: [{ to: chain.deployment.vault, data }] });
    expect(sent).toMatchObject({ ok: true, value: { result: expect.stringMatching(/^0x[0-9a-f]{64}$/) } });
    const hash = (sent as { value: { result: `0x${string}` } }).value.result;
    await chain.client.waitForTransactionReceipt({ hash });
    expect(await chain.balanceOf(chain.recipient)).toBe(400n);
    // The connector's claim ran through the claim machine: recorded, and idempotent per voucher.
    expect((await handlers['claim.list']({})).items).toMatchObject([{ state: 'confirmed', txHash: hash, paid: '400' }]);
    const nonce = await chain.txCount(wallet.address!);
    expect(await call('wallet.request', { method: 'eth_sendTransaction', params: [{ to: chain.deployment.vault, data }] })).toEqual({ ok: true, value: { result: hash } });
    expect(await chain.txCount(wallet.address!)).toBe(nonce);
    expect(await chain.balanceOf(chain.recipient)).toBe(400n);
    expect(await call('wallet.request', { method: 'eth_sendTransaction', params: [{ to: chain.deployment.token, data: '0xa9059cbb' }] })).toMatchObject({ ok: false, error: { code: 'policy_refused' } });
    expect(await call('wallet.request', { method: 'eth_signTypedData_v4', params: [] })).toMatchObject({ ok: false, error: { code: 'policy_refused' } });
    const status = await call('wallet.status', {});
    expect(status).toMatchObject({ ok: true, value: { locked: false, claimed: { amount: '400' }, claimable: { amount: '0' }, payout: { chainId: chain.anvil.chainId }, nativeBalance: expect.stringMatching(/^[1-9]/) } });
    for (const text of [...outputs, ...logs]) expect(text.toLowerCase()).not.toContain(WALLET_KEY.slice(2));
  }, 60_000);

  it('flags a claim worth less than 10× its gas when a price is known', async () => {
    side.credit(100n);
    side.receive(await side.voucher(500n));
    const cheap = walletHandlers(await side.openWallet({ nativePriceInToken: () => 10n ** 30n }));
    await cheap['wallet.unlock']({ passphrase: PASSPHRASE });
    const status = await cheap['wallet.status']();
    expect(status.claimable?.amount).toBe('100');
    expect(status.worthClaiming).toBe(false);
    expect(status.worthClaimingNote).toMatch(/less than 10×/);
    const unpriced = walletHandlers(await side.openWallet());
    expect((await unpriced['wallet.status']()).worthClaiming).toBeNull();
  }, 30_000);
});
