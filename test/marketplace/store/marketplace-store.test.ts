/**
 * `startMarketplace` with a store file and a payout: a remote provider's OIP job is credited in the
 * store before the consumer's 200, /metrics counts the credit and the voucher, the provider gets a
 * cumulative voucher for the payout token, and after the marketplace restarts on the same file the
 * totals are still there and the provider is sent its voucher again on welcome.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayoutInfo, Voucher } from '../../../common/marketplace-protocol.js';
import { type Marketplace, startMarketplace } from '../../../marketplace/marketplace.js';
import { parseMarketplaceArgs } from '../../../marketplace/cli.js';
import { STORE_FILE } from '../../../marketplace/store/store-database.js';
import { UsageError } from '../../../provider/cli/usage-error.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT } from '../../provider/worker/real-worker.js';
import { type Workers, startClient, startWorkers, waitFor } from '../provider-link/link-fixtures.js';
import { fp32, infer } from '../oip/oip-client.js';

const KEY = 'store-test-consumer-key-0123';
const PAYOUT: PayoutInfo = {
  chainId: 31337,
  vault: '0x3333333333333333333333333333333333333333',
  token: '0x4444444444444444444444444444444444444444',
  tokenSymbol: 'hUSD',
  tokenDecimals: 6,
  rpcUrl: 'http://127.0.0.1:8545',
  explorerUrl: null,
};
/** ppocr-cls's registry price (marketplace/registry/default-models.ts). */
const CLS_PRICE = 20n;

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;

beforeAll(async () => {
  temp = await makeTempDir('hearth-market-store-');
  if (WORKER_BUILT) workers = await startWorkers(temp.dir);
});

afterAll(async () => {
  await workers?.close();
  await temp?.remove();
});

const clsInputs = () => [fp32('x', [1, 3, 48, 192], new Float32Array(3 * 48 * 192).fill(0.5))];

describe('hearth marketplace --payout and --voucher-expiry-days', () => {
  it('reads a payout file and refuses a bad one or a bad expiry with a usage error', () => {
    const good = join(temp.dir, 'payout.json');
    writeFileSync(good, JSON.stringify(PAYOUT));
    expect(parseMarketplaceArgs(['--payout', good, '--voucher-expiry-days', '7'], {})).toMatchObject({ payout: PAYOUT, voucherExpiryDays: 7 });
    const bad = join(temp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...PAYOUT, vault: 'nope' }));
    expect(() => parseMarketplaceArgs(['--payout', bad], {})).toThrow(UsageError);
    expect(() => parseMarketplaceArgs(['--payout', bad], {})).toThrow(/vault/);
    expect(() => parseMarketplaceArgs(['--payout', join(temp.dir, 'missing.json')], {})).toThrow(/could not be read/);
    expect(() => parseMarketplaceArgs(['--voucher-expiry-days', '0'], {})).toThrow(/--voucher-expiry-days/);
  });
});

describe.skipIf(!WORKER_BUILT)('a marketplace with a store file and a payout', () => {
  it('credits, counts and vouches for remote work, and keeps it across a restart', { timeout: 60_000 }, async () => {
    const storePath = join(temp.dir, STORE_FILE);
    const coordinatorKey = privateKeyToAccount(generatePrivateKey());
    const start = () => startMarketplace({ consumerKeys: [KEY], port: 0, logger: pino({ enabled: false }), localWorker: false, storePath, payout: PAYOUT, coordinatorKey });
    const vouchers: Voucher[] = [];
    let market: Marketplace = await start();
    const node = privateKeyToAccount(generatePrivateKey());
    const connect = (m: Marketplace) =>
      startClient({ url: m.providerUrl, account: coordinatorKey }, workers, {
        account: node,
        onVoucher: ({ voucher }) => void vouchers.push(voucher),
      });
    let { client } = connect(market);
    try {
      await waitFor(() => market.link.session(node.address)?.connected === true && client.state === 'online', 10_000, 'the provider');
      expect(client.payout).toEqual(PAYOUT);
      for (let i = 0; i < 2; i++) {
        const reply = await infer(market.server.url, 'ppocr-cls', clsInputs(), { binaryInputs: true, binaryOutputs: true, key: KEY });
        expect(reply.status, JSON.stringify(reply.json)).toBe(200);
        // Committed before the consumer's 200.
        expect(market.store.seqBook.credited(String((reply.json.parameters as { job_id: string }).job_id))).toBe(true);
      }
      expect(market.store.creditedTotal(node.address, PAYOUT.token)).toBe(2n * CLS_PRICE);
      await waitFor(() => vouchers.some((v) => v.cumulativeAmount === String(2n * CLS_PRICE)), 10_000, 'a voucher for both jobs');
      expect(vouchers.at(-1)).toMatchObject({ provider: node.address, recipient: node.address, token: PAYOUT.token });
      const metrics = await (await fetch(`${market.server.url}/metrics`)).text();
      expect(metrics).toContain(`hearth_credits_total{token="${PAYOUT.token}"} 2`);
      expect(metrics).toContain(`hearth_credited_base_units_total{token="${PAYOUT.token}"} ${2n * CLS_PRICE}`);
      expect(metrics).toMatch(/^hearth_vouchers_issued_total [12]$/m);

      await client.stop(1000);
      await market.close();
      const before = vouchers.length;
      market = await start();
      expect(market.store.creditedTotal(node.address as Address, PAYOUT.token)).toBe(2n * CLS_PRICE);
      ({ client } = connect(market));
      await waitFor(() => vouchers.length > before, 10_000, 'the voucher again on welcome');
      expect(vouchers.at(-1)!.cumulativeAmount).toBe(String(2n * CLS_PRICE));
    } finally {
      await client.stop(1000);
      await market.close();
    }
  });
});
