/**
 * An RPC that times out: a proxy in front of anvil forwards the claim's broadcast to the chain but
 * never answers it (the worst case: the transaction went out, the wallet cannot know). The wallet
 * retries with backoff, sends only the same bytes again, and ends confirmed with one Claimed event.
 * Also the claim store's own rules: idempotent begin, legal moves only, state survives a reopen.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { walletHandlers } from '../../../provider/api/wallet-handlers.js';
import { Ledger } from '../../../provider/ledger/ledger.js';
import { type ChainFixture, PASSPHRASE, type ProviderSide, WALLET_KEY, providerSide, startChain } from './claim-fixture.js';

/** Forwards JSON-RPC to anvil; swallows the reply to the first `drop` eth_sendRawTransaction calls. */
async function flakyProxy(target: string, drop: number) {
  let dropped = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const reply = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await reply.text();
      if (body.includes('eth_sendRawTransaction') && dropped < drop) {
        dropped += 1;
        return; // The node has the transaction; the caller never hears back.
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dropped: () => dropped, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

let chain: ChainFixture;
beforeAll(async () => {
  chain = await startChain();
}, 60_000);
afterAll(async () => chain?.stop());

describe('an RPC that times out during the broadcast', () => {
  let side: ProviderSide;
  afterAll(async () => side?.cleanup());

  it('is retried with backoff; the claim ends confirmed, paid once', async () => {
    side = await providerSide(chain);
    const proxy = await flakyProxy(chain.anvil.rpcUrl, 2);
    try {
      const wallet = await side.openWallet({ rpcUrl: proxy.url, retry: { attempts: 5, backoff: { baseMs: 50, factor: 2, maxMs: 200, jitter: 0.5 }, timeoutMs: 700 } });
      const api = walletHandlers(wallet);
      await api['wallet.import']({ privateKey: WALLET_KEY, passphrase: PASSPHRASE });
      side.credit(900n);
      side.receive(await side.voucher(900n));
      const started = await api['claim.start']({});
      expect(started.claim).toMatchObject({ state: 'confirmed', paid: '900' });
      expect(proxy.dropped()).toBe(2);
      const events = await chain.client.getContractEvents({ address: chain.deployment.vault, abi: payoutVaultAbi, eventName: 'Claimed', args: { provider: side.node }, fromBlock: chain.deployment.deployBlock });
      expect(events).toHaveLength(1);
      expect(await chain.balanceOf(chain.recipient)).toBe(900n);
      expect(side.ledger.claims.list()[0]?.broadcasts).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('the claim store', () => {
  it('begins once per digest, allows only legal moves, and keeps state across a reopen', async () => {
    const side = await providerSide(chain);
    const signed = await side.voucher(10n);
    const claim = { digest: signed.digest, chainId: chain.anvil.chainId, vault: chain.deployment.vault, voucher: signed.voucher, signature: signed.signature };
    const first = side.ledger.claims.begin(claim);
    expect(first.state).toBe('voucher');
    expect(side.ledger.claims.begin({ ...claim, digest: signed.digest.toUpperCase().replace('0X', '0x') })).toEqual(first);
    expect(() => side.ledger.claims.move(signed.digest, 'broadcast')).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
    side.ledger.claims.move(signed.digest, 'simulated', { expectedPaid: '10' });
    side.ledger.claims.move(signed.digest, 'signed', { rawTx: '0x02ab', txHash: `0x${'ab'.repeat(32)}`, nonce: 7, sender: side.node.toLowerCase() });
    const reopened = Ledger.openInDataDir(side.dir);
    expect(reopened.claims.get(signed.digest)).toMatchObject({ state: 'signed', rawTx: '0x02ab', nonce: 7, expectedPaid: '10' });
    expect(reopened.claims.unfinished()).toHaveLength(1);
    reopened.claims.move(signed.digest, 'broadcast');
    reopened.claims.move(signed.digest, 'confirmed', { paid: '10' });
    expect(() => reopened.claims.move(signed.digest, 'voucher')).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
    expect(reopened.claims.unfinished()).toHaveLength(0);
    reopened.close();
    await side.cleanup();
  });
});
