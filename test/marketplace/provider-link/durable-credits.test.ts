/**
 * Credits that survive restarts, over real loopback connections, a real worker and a real store file:
 * a provider that restarts with a sent but unacknowledged result gets the coordinator's ack for it on
 * its next welcome (or a cancel when the coordinator never took it), and with a payout configured the
 * coordinator announces it in `welcome` and sends cumulative vouchers, again on every welcome.
 */
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PayoutInfo, Voucher } from '../../../common/marketplace-protocol.js';
import { verifyVoucherSignature } from '../../../common/wire/voucher-signature.js';
import { VoucherIssuer } from '../../../marketplace/provider-link/voucher-issuer.js';
import { CoordinatorStore } from '../../../marketplace/store/coordinator-store.js';
import type { MarketplaceClient } from '../../../provider/marketplace/marketplace-client.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { memoryJournalForTests } from '../../provider/marketplace/memory-journal.js';
import { WORKER_BUILT, fp32 } from '../../provider/worker/real-worker.js';
import { type Coordinator, MLP, TOKEN, type Workers, makeJob, quiet, sha256Hex, startClient, startCoordinator, startWorkers, waitFor } from './link-fixtures.js';

const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);
const x = () => Float32Array.of(0.1, 0.2, 0.3, 0.4);
const PAYOUT: PayoutInfo = {
  chainId: 31337,
  vault: '0x3333333333333333333333333333333333333333',
  token: TOKEN,
  tokenSymbol: 'hUSD',
  tokenDecimals: 6,
  rpcUrl: null,
  explorerUrl: null,
};

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-durable-');
  workers = await startWorkers(temp.dir);
});

afterAll(async () => {
  await workers?.close();
  await temp?.remove();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function coordinator(store: CoordinatorStore, extra: Parameters<typeof startCoordinator>[0] = {}): Promise<Coordinator> {
  const c = await startCoordinator({ seqBook: store.seqBook, ...extra });
  c.models.set(mlp, mlpBytes);
  cleanups.push(() => c.close());
  return c;
}

function client(c: Coordinator, overrides: Parameters<typeof startClient>[2] = {}): ReturnType<typeof startClient> {
  const started = startClient(c, workers, overrides);
  cleanups.push(() => started.client.stop(1000));
  return started;
}

async function runOne(c: Coordinator, node: Address) {
  await waitFor(() => c.link.session(node)?.connected === true, 10_000, 'the provider to connect');
  const inputs = [fp32('x', [1, 4], x())];
  const job = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
  const outcome = await c.link.session(node)!.run(job, inputs, await c.sign(job));
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  return job;
}

function storeAt(name: string): CoordinatorStore {
  const store = CoordinatorStore.open(join(temp.dir, name));
  cleanups.push(() => store.close());
  return store;
}

describe.skipIf(!WORKER_BUILT)('durable credits', () => {
  it('gives a restarted provider the ack of a result it sent before dying, and cancels one it never delivered', async () => {
    const store = storeAt('restart.sqlite');
    const c = await coordinator(store);
    const first = client(c);
    const job = await runOne(c, first.account.address);
    await waitFor(() => first.journal.kinds(job.id).includes('ack'), 10_000, 'the first ack');
    const result = first.journal.entries.find((e) => e.kind === 'result' && e.jobId === job.id)!;
    const firstAck = first.journal.entries.find((e) => e.kind === 'ack' && e.jobId === job.id)!;
    await first.client.stop(1000);

    // The same node starts again with a journal whose ack never landed, and one result the coordinator never saw.
    const journal = memoryJournalForTests();
    if (result.kind !== 'result') throw new Error('unreachable');
    const unseen = makeJob(c.modelRef(mlp, mlpBytes.byteLength), [fp32('x', [1, 4], x())]);
    journal.leftOver.push(
      { jobId: job.id, state: 'resulted', job, receipt: result.receipt, signature: result.signature },
      { jobId: unseen.id, state: 'resulted', job: unseen, receipt: { ...result.receipt, jobId: unseen.id, seq: 99 }, signature: result.signature },
    );
    const again = client(c, { account: first.account, journal });
    await waitFor(() => journal.kinds(job.id).includes('ack') && journal.kinds(unseen.id).includes('failed'), 10_000, 'the re-sent ack and the cancel');
    const ack = journal.entries.find((e) => e.kind === 'ack' && e.jobId === job.id);
    expect(ack).toEqual(firstAck);
    expect(journal.entries.find((e) => e.kind === 'failed' && e.jobId === unseen.id)).toMatchObject({ failure: { stage: 'lost' } });
    expect(again.client.heldJobs()).toEqual([]);
    // Credited once, whatever was re-sent.
    expect(store.creditedTotal(first.account.address, TOKEN)).toBe(1000n);
  });

  it('announces the payout in welcome and sends a cumulative voucher after credits and on every welcome', async () => {
    const store = storeAt('vouchers.sqlite');
    // The issuer needs the link and the link tells the issuer: wired through a holder.
    const holder: { issuer?: VoucherIssuer } = {};
    const c = await coordinator(store, { payout: PAYOUT, credited: ({ node }) => holder.issuer?.credited(node) });
    const issuer = new VoucherIssuer({ payout: PAYOUT, signer: c.account, store, send: (node, message) => c.link.sendVoucher(node, message), logger: quiet, minIntervalMs: 200, expiryDays: 7 });
    holder.issuer = issuer;
    cleanups.push(() => issuer.close());
    c.link.on('welcomed', ({ node, recipient }) => issuer.welcomed(node, recipient));
    const vouchers: { voucher: Voucher; signature: string; digest: string }[] = [];
    const recipient: Address = '0x2222222222222222222222222222222222222222';
    const { client: provider, account } = client(c, { recipient, onVoucher: (v) => void vouchers.push(v) });

    await runOne(c, account.address);
    await runOne(c, account.address);
    await waitFor(() => vouchers.some((v) => v.voucher.cumulativeAmount === '2000'), 10_000, 'a voucher for 2000');
    expect((provider as MarketplaceClient).payout).toEqual(PAYOUT);
    const latest = vouchers.at(-1)!;
    expect(latest.voucher).toMatchObject({ provider: account.address, recipient, token: TOKEN, cumulativeAmount: '2000' });
    // Expiry in seconds, about seven days out.
    expect(Math.abs(latest.voucher.expiry - (Math.floor(Date.now() / 1000) + 7 * 86_400))).toBeLessThan(60);
    expect(await verifyVoucherSignature({ chainId: PAYOUT.chainId, vault: PAYOUT.vault as Address }, latest.voucher, latest.signature, [c.account.address])).toBe(true);
    // Coalesced: never more vouchers than credits.
    expect(vouchers.length).toBeLessThanOrEqual(2);

    const before = vouchers.length;
    c.link.drop(account.address);
    await waitFor(() => vouchers.length > before, 10_000, 'the voucher again after the reconnect');
    expect(vouchers.at(-1)!.digest).toBe(latest.digest);
    expect(store.db.prepare('SELECT COUNT(*) FROM vouchers').pluck().get()).toBe(before);
  });

  it('re-issues the voucher for a new recipient the node names while connected (a wallet made after connecting)', async () => {
    const store = storeAt('recipient.sqlite');
    const holder: { issuer?: VoucherIssuer } = {};
    const c = await coordinator(store, { payout: PAYOUT, credited: ({ node }) => holder.issuer?.credited(node) });
    const issuer = new VoucherIssuer({ payout: PAYOUT, signer: c.account, store, send: (node, message) => c.link.sendVoucher(node, message), logger: quiet, minIntervalMs: 200, expiryDays: 7 });
    holder.issuer = issuer;
    cleanups.push(() => issuer.close());
    c.link.on('welcomed', ({ node, recipient }) => issuer.welcomed(node, recipient));
    c.link.on('recipient', ({ node, recipient }) => issuer.welcomed(node, recipient));
    const vouchers: { voucher: Voucher; signature: string; digest: string }[] = [];
    const { client: provider, account } = client(c, { onVoucher: (v) => void vouchers.push(v) });

    await runOne(c, account.address);
    await waitFor(() => vouchers.some((v) => v.voucher.cumulativeAmount === '1000'), 10_000, 'a voucher for 1000');
    // No recipient in the hello: the node's own address.
    expect(vouchers.at(-1)!.voucher.recipient).toBe(account.address);
    const wallet: Address = '0x3333333333333333333333333333333333333333';
    (provider as MarketplaceClient).setRecipient(wallet);
    await waitFor(() => vouchers.at(-1)!.voucher.recipient.toLowerCase() === wallet, 10_000, 'a voucher paying the new recipient');
    expect(vouchers.at(-1)!.voucher).toMatchObject({ provider: account.address, cumulativeAmount: '1000' });
    expect(c.link.session(account.address)!.recipient).toBe(wallet);
  });
});
