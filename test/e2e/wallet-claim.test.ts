// Issue #5's whole loop in real Chromium on the embedded default: `hearth start` runs the local demo
// (coordinator, anvil with the PayoutVault, demand generator), jobs run and earn, the person creates the
// built-in wallet on the Wallet page, sees a claimable amount, claims (review → simulate → confirm →
// send → wait) through wagmi, whose only connector is the provider's wallet over the API, and the
// chain shows the recipient's token balance up by exactly what the voucher paid; the page shows the
// claim confirmed, and the strict CSP reports nothing.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { type Address, createPublicClient, erc20Abi, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutVaultAbi } from '../../contracts/generated/PayoutVault.js';
import { callApi, spawnHearth, waitForHearth } from '../helpers/hearth-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { launchChromium, openWatchedPage } from './chromium.js';

const root = new URL('../../', import.meta.url);
const PASSPHRASE = 'a long demo passphrase 42';
let browser: Browser;
const cleanups: (() => Promise<unknown>)[] = [];

type DemoInfo = { payout: { vault: Address; token: Address; rpcUrl: string } };
type ClaimItem = { digest: string; state: string; paid: string | null; cumulativeAmount: string; recipient: Address; txHash: string | null };

beforeAll(async () => {
  for (const built of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(new URL(built, root))) throw new Error(`${built} is missing; run \`npx electron-vite build\` first.`);
  }
  browser = await launchChromium();
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await browser?.close();
});

describe('claiming on the embedded default', () => {
  it('jobs earn, the Wallet page claims through wagmi, and the chain pays exactly the voucher', { timeout: 240_000 }, async () => {
    const temp = await makeTempDir('hearth-e2e-claim-');
    cleanups.push(temp.remove);
    const proc = spawnHearth(['start', '--data-dir', temp.dir, '--dashboard-port', '0']);
    cleanups.push(async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    });
    const dashboardUrl = await proc.dashboardUrl();
    const token = readFileSync(join(temp.dir, 'dashboard-token'), 'utf8').trim();
    const demo = JSON.parse(readFileSync(join(temp.dir, 'local-demo', 'local-demo.json'), 'utf8')) as DemoInfo;
    const chain = createPublicClient({ transport: http(demo.payout.rpcUrl) });

    const { page, consoleErrors, cspViolations } = await openWatchedPage(browser);
    cleanups.push(() => page.context().close());
    await page.goto(dashboardUrl);
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create wallet' }).click();

    const address = ((await page.getByTestId('wallet-address').textContent({ timeout: 30_000 })) ?? '').trim() as Address;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // The local demo's faucet paid for gas; the page reads it through wagmi over the API.
    await expect.poll(async () => page.getByTestId('wallet-gas').textContent(), { timeout: 30_000 }).toMatch(/^[1-9][0-9.]* ETH$/);

    // Jobs run and vouchers arrive: the page shows a claimable amount.
    await waitForHearth(async () => {
      const status = await callApi<{ claimable: { amount: string } | null }>(dashboardUrl, token, 'wallet.status');
      return status.claimable !== null && BigInt(status.claimable.amount) > 0n ? true : null;
    }, 'a claimable amount', proc);
    await expect.poll(async () => page.getByTestId('wallet-claimable').getAttribute('data-testid'), { timeout: 30_000 }).toBe('wallet-claimable');
    await expect.poll(async () => (await page.getByTestId('wallet-claimable').locator('[data-amount]').getAttribute('data-amount')) ?? '0', { timeout: 30_000 }).not.toBe('0');

    // The wallet was made after the provider connected: the coordinator learns the new recipient and its
    // next voucher pays the wallet (until then they paid the node's own address).
    await waitForHearth(() => (latestVoucherRecipient(temp.dir) === address.toLowerCase() ? true : null), 'a voucher paying the new wallet', proc);
    const before = await chain.readContract({ address: demo.payout.token, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
    expect(before).toBe(0n);
    await page.getByRole('button', { name: 'Review claim' }).click();
    await page.getByTestId('claim-confirm').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Confirm and send' }).click();
    await page.getByTestId('claim-confirmed').waitFor({ timeout: 60_000 });

    const claims = await callApi<{ items: ClaimItem[] }>(dashboardUrl, token, 'claim.list');
    const confirmed = claims.items.find((c) => c.state === 'confirmed');
    expect(confirmed, JSON.stringify(claims.items)).toBeDefined();
    const after = await chain.readContract({ address: demo.payout.token, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
    // Exactly the voucher's delta over what was claimed before (nothing): its cumulative amount.
    expect(after - before).toBe(BigInt(confirmed!.cumulativeAmount));
    expect(confirmed!.paid).toBe(confirmed!.cumulativeAmount);
    const claimedOnChain = await chain.readContract({ address: demo.payout.vault, abi: payoutVaultAbi, functionName: 'claimed', args: [await nodeAddress(dashboardUrl, token), demo.payout.token] });
    expect(claimedOnChain).toBe(BigInt(confirmed!.cumulativeAmount));
    // One transaction from the wallet: the claim.
    expect(await chain.getTransactionCount({ address })).toBe(1);

    await expect.poll(async () => page.getByTestId('claim-history').locator('[data-state="confirmed"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await cspViolations()).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

/** The recipient of the voucher the wallet would claim (the ledger's latest for the highest total), lower-case. */
function latestVoucherRecipient(dataDir: string): string | null {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT recipient FROM vouchers ORDER BY length(cumulative_amount) DESC, cumulative_amount DESC, row DESC LIMIT 1').get() as { recipient: string } | undefined;
    return row?.recipient.toLowerCase() ?? null;
  } finally {
    db.close();
  }
}

async function nodeAddress(dashboardUrl: string, token: string): Promise<Address> {
  const status = await callApi<{ marketplace: { node: Address } | null }>(dashboardUrl, token, 'status.get');
  return status.marketplace!.node;
}
