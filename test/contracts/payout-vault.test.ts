/**
 * PayoutVault on a real anvil: vouchers signed by the protocol's own signing code (common/wire) claim;
 * every bad voucher is refused with the named error the app decodes, and nothing moves.
 */
import { type Address, type Hex, BaseError, decodeErrorResult, decodeEventLog, encodeDeployData, encodeFunctionData, getAddress, parseEventLogs, recoverAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { payoutVaultAbi, payoutVaultBytecode } from '../../contracts/generated/PayoutVault.js';
import { testTokenAbi } from '../../contracts/generated/TestToken.js';
import { hostileTokenAbi, hostileTokenBytecode } from '../../contracts/generated/testing/HostileToken.js';
import type { Voucher } from '../../common/marketplace-protocol.js';
import { voucherMessage } from '../../common/wire/typed-data.js';
import { verifyVoucherSignature, voucherDigest } from '../../common/wire/voucher-signature.js';
import { deployPayouts } from '../../marketplace/chain/deploy-payouts.js';
import { type VaultFixture, revertOf, startVaultFixture, vaultAndTokenAbi } from './vault-fixture.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

let f: VaultFixture;
beforeAll(async () => {
  f = await startVaultFixture({ revocationDelaySeconds: 3600, float: 1_000_000n });
});
afterAll(async () => {
  await f.stop();
});
beforeEach(async () => {
  await f.reset();
});

/** What claim() would revert with, simulated from the submitter as the app does before sending. */
function claimRevert(voucher: Voucher, signature: Hex, vault: Address = f.deployment.vault) {
  return revertOf(f.publicClient.simulateContract({ account: f.submitter, address: vault, abi: vaultAndTokenAbi, functionName: 'claim', args: [voucherMessage(voucher), signature] }));
}

function claimable(voucher: Voucher, signature: Hex): Promise<bigint> {
  return f.publicClient.readContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'claimable', args: [voucherMessage(voucher), signature] });
}

describe('claim', () => {
  it('pays the voucher to its recipient when anyone submits it, with the digest the protocol computes', async () => {
    const voucher = await f.voucher(250_000n);
    const signature = await f.sign(voucher);
    const onChainDigest = await f.publicClient.readContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'voucherDigest', args: [voucherMessage(voucher)] });
    expect(onChainDigest).toBe(voucherDigest({ chainId: f.anvil.chainId, vault: f.deployment.vault }, voucher));
    expect(await claimable(voucher, signature)).toBe(250_000n);

    const receipt = await f.claim(voucher, signature);
    expect(receipt.status).toBe('success');
    expect(await f.balanceOf(f.recipient)).toBe(250_000n);
    expect(await f.balanceOf(f.deployment.vault)).toBe(750_000n);
    expect(await f.balanceOf(f.submitter.address)).toBe(0n);
    expect(await f.claimed()).toBe(250_000n);
    expect(await claimable(voucher, signature)).toBe(0n);
    const [claimed] = parseEventLogs({ abi: payoutVaultAbi, eventName: 'Claimed', logs: receipt.logs });
    expect(claimed?.args).toEqual({ provider: f.provider, token: f.deployment.token, recipient: f.recipient, paid: 250_000n, cumulativeAmount: 250_000n });
  });

  it('pays only the delta over what was already claimed (cumulative vouchers)', async () => {
    const first = await f.voucher(300n);
    await f.claim(first, await f.sign(first));
    const second = await f.voucher(500n);
    const signature = await f.sign(second);
    expect(await claimable(second, signature)).toBe(200n);
    const receipt = await f.claim(second, signature);
    const [claimed] = parseEventLogs({ abi: payoutVaultAbi, eventName: 'Claimed', logs: receipt.logs });
    expect(claimed?.args.paid).toBe(200n);
    expect(await f.balanceOf(f.recipient)).toBe(500n);
    expect(await f.claimed()).toBe(500n);
  });

  it('refuses a replayed voucher and an older one: NothingToClaim, nothing paid', async () => {
    const older = await f.voucher(300n);
    const olderSignature = await f.sign(older);
    const latest = await f.voucher(500n);
    const latestSignature = await f.sign(latest);
    await f.claim(latest, latestSignature);
    expect(await claimRevert(latest, latestSignature)).toEqual({ name: 'NothingToClaim', args: [500n, 500n] });
    expect(await claimRevert(older, olderSignature)).toEqual({ name: 'NothingToClaim', args: [300n, 500n] });
    expect(await claimable(older, olderSignature)).toBe(0n);
    expect(await f.balanceOf(f.recipient)).toBe(500n);
  });

  it('refuses a voucher signed for another chain', async () => {
    const voucher = await f.voucher(100n);
    const signature = await f.sign(voucher, f.coordinator, { chainId: 1, vault: f.deployment.vault });
    const refused = await claimRevert(voucher, signature);
    expect(refused?.name).toBe('UnknownSigner');
    expect(refused?.args[0]).not.toBe(f.coordinator.address);
  });

  it('refuses a voucher signed for another vault, which that vault accepts', async () => {
    const other = await deployPayouts({ rpcUrl: f.anvil.rpcUrl, deployer: f.owner, signer: f.coordinator.address, float: 1000n });
    const voucher = await f.voucher(100n, { token: other.token });
    const signature = await f.sign(voucher, f.coordinator, { chainId: f.anvil.chainId, vault: other.vault });
    expect((await claimRevert(voucher, signature))?.name).toBe('UnknownSigner');
    expect((await f.claim(voucher, signature, other.vault)).status).toBe('success');
    expect(await f.balanceOf(f.recipient, other.token)).toBe(100n);
  });

  it('refuses a voucher whose address fields carry dirty high bits (it hashes calldata in place)', async () => {
    const voucher = await f.voucher(100n);
    const data = encodeFunctionData({ abi: payoutVaultAbi, functionName: 'claim', args: [voucherMessage(voucher), await f.sign(voucher)] });
    // Byte 4 + 11 is the last of the provider word's 12 padding bytes.
    const dirty = `${data.slice(0, 2 + 2 * 15)}01${data.slice(2 + 2 * 16)}` as Hex;
    expect(dirty.length).toBe(data.length);
    await expect(f.publicClient.call({ account: f.submitter, to: f.deployment.vault, data })).resolves.toBeDefined();
    await expect(f.publicClient.call({ account: f.submitter, to: f.deployment.vault, data: dirty })).rejects.toThrow();
  });

  it('refuses a voucher whose amount, recipient or provider was changed after signing', async () => {
    const voucher = await f.voucher(100n);
    const signature = await f.sign(voucher);
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    for (const tampered of [{ ...voucher, cumulativeAmount: '100000' }, { ...voucher, recipient: stranger }, { ...voucher, provider: stranger }, { ...voucher, expiry: voucher.expiry + 1 }]) {
      expect((await claimRevert(tampered, signature))?.name).toBe('UnknownSigner');
    }
    expect(await f.balanceOf(f.deployment.vault)).toBe(1_000_000n);
  });

  it('refuses an expired voucher: VoucherExpired with the expiry', async () => {
    const voucher = await f.voucher(100n, { expiry: (await f.now()) + 60 });
    const signature = await f.sign(voucher);
    expect(await claimable(voucher, signature)).toBe(100n);
    await f.advance(60);
    const refused = await claimRevert(voucher, signature);
    expect(refused?.name).toBe('VoucherExpired');
    expect(refused?.args[0]).toBe(BigInt(voucher.expiry));
    expect(await revertOf(claimable(voucher, signature))).toMatchObject({ name: 'VoucherExpired' });
  });

  it('refuses a voucher signed by a key the vault never authorized, naming that key', async () => {
    const rogue = privateKeyToAccount(generatePrivateKey());
    const voucher = await f.voucher(100n);
    expect(await claimRevert(voucher, await f.sign(voucher, rogue))).toEqual({ name: 'UnknownSigner', args: [rogue.address] });
  });

  it('refuses a malformed signature: InvalidSignature', async () => {
    const voucher = await f.voucher(100n);
    const signature = await f.sign(voucher);
    expect((await claimRevert(voucher, signature.slice(0, 130) as Hex))?.name).toBe('InvalidSignature');
    expect((await claimRevert(voucher, `0x${'00'.repeat(65)}`))?.name).toBe('InvalidSignature');
  });

  it('refuses the high-s twin of a valid signature, which plain ecrecover would accept', async () => {
    const voucher = await f.voucher(100n);
    const signature = await f.sign(voucher);
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = Number.parseInt(signature.slice(130, 132), 16);
    const malleated = `${signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    const digest = voucherDigest({ chainId: f.anvil.chainId, vault: f.deployment.vault }, voucher);
    // The twin really is a signature by the coordinator as far as plain recovery goes…
    expect(await recoverAddress({ hash: digest, signature: malleated })).toBe(f.coordinator.address);
    // …but neither the protocol's check nor the vault accepts it.
    expect(await verifyVoucherSignature({ chainId: f.anvil.chainId, vault: f.deployment.vault }, voucher, malleated, [f.coordinator.address])).toBe(false);
    expect(await claimRevert(voucher, malleated)).toEqual({ name: 'NonCanonicalSignature', args: [] });
  });

  it('refuses a voucher for a "token" that is not a contract: SafeERC20FailedOperation, nothing recorded', async () => {
    const notAToken = privateKeyToAccount(generatePrivateKey()).address;
    const voucher = await f.voucher(100n, { token: notAToken });
    expect(await claimRevert(voucher, await f.sign(voucher))).toEqual({ name: 'SafeERC20FailedOperation', args: [notAToken] });
    expect(await f.claimed(notAToken)).toBe(0n);
  });

  it('refuses a claim larger than the vault holds, and pays it once the vault is topped up', async () => {
    const voucher = await f.voucher(1_500_000n);
    const signature = await f.sign(voucher);
    expect(await claimRevert(voucher, signature)).toEqual({ name: 'InsufficientVaultBalance', args: [f.deployment.token, 1_500_000n, 1_000_000n] });
    const wallet = f.walletOf(f.owner);
    const mined = async (hash: Hex) => f.publicClient.waitForTransactionReceipt({ hash });
    await mined(await wallet.writeContract({ address: f.deployment.token, abi: testTokenAbi, functionName: 'mint', args: [f.owner.address, 500_000n] }));
    await mined(await wallet.writeContract({ address: f.deployment.token, abi: testTokenAbi, functionName: 'approve', args: [f.deployment.vault, 500_000n] }));
    await mined(await wallet.writeContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'deposit', args: [f.deployment.token, 500_000n] }));
    await f.claim(voucher, signature);
    expect(await f.balanceOf(f.recipient)).toBe(1_500_000n);
    expect(await f.balanceOf(f.deployment.vault)).toBe(0n);
  });
});

describe('reentrancy', () => {
  it('a token that calls claim() again from inside its transfer cannot get paid twice', async () => {
    const wallet = f.walletOf(f.owner);
    const mined = async (hash: Hex) => f.publicClient.waitForTransactionReceipt({ hash });
    const deployed = await mined(await wallet.deployContract({ abi: hostileTokenAbi, bytecode: hostileTokenBytecode, args: [] }));
    const hostile = getAddress(deployed.contractAddress ?? '');
    await mined(await wallet.writeContract({ address: hostile, abi: hostileTokenAbi, functionName: 'mint', args: [f.deployment.vault, 1000n] }));
    const voucher = await f.voucher(100n, { token: hostile });
    const signature = await f.sign(voucher);
    await mined(await wallet.writeContract({ address: hostile, abi: hostileTokenAbi, functionName: 'arm', args: [f.deployment.vault, voucherMessage(voucher), signature] }));

    expect(await claimRevert(voucher, signature)).toEqual({ name: 'ReentrancyGuardReentrantCall', args: [] });
    // Sent anyway (a fixed gas limit skips estimation): it reverts on chain and nothing moves.
    const hash = await f.walletOf(f.submitter).writeContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'claim', args: [voucherMessage(voucher), signature], gas: 500_000n });
    expect((await f.publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted');
    const hostileBalance = (who: Address) => f.publicClient.readContract({ address: hostile, abi: hostileTokenAbi, functionName: 'balanceOf', args: [who] });
    expect(await hostileBalance(f.recipient)).toBe(0n);
    expect(await hostileBalance(f.deployment.vault)).toBe(1000n);
    expect(await f.claimed(hostile)).toBe(0n);
  });
});

describe('signer rotation', () => {
  it('accepts a revoked signer until the delay has passed, then refuses it with RevokedSigner', async () => {
    const next = privateKeyToAccount(generatePrivateKey());
    const wallet = f.walletOf(f.owner);
    const added = await f.publicClient.waitForTransactionReceipt({ hash: await wallet.writeContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'addSigner', args: [next.address] }) });
    expect(parseEventLogs({ abi: payoutVaultAbi, eventName: 'SignerAdded', logs: added.logs })[0]?.args.signer).toBe(next.address);
    const isSigner = (who: Address) => f.publicClient.readContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'isSigner', args: [who] });
    expect(await isSigner(next.address)).toBe(true);

    const revoked = await f.publicClient.waitForTransactionReceipt({ hash: await wallet.writeContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'revokeSigner', args: [f.coordinator.address] }) });
    const revokedAt = Number((await f.publicClient.getBlock({ blockNumber: revoked.blockNumber })).timestamp);
    const event = parseEventLogs({ abi: payoutVaultAbi, eventName: 'SignerRevoked', logs: revoked.logs })[0];
    expect(event?.args).toEqual({ signer: f.coordinator.address, effectiveAt: BigInt(revokedAt + 3600) });

    // Within the delay the old key still pays: vouchers signed just before a rotation stay good.
    expect(await isSigner(f.coordinator.address)).toBe(true);
    const before = await f.voucher(100n, { expiry: revokedAt + 7200 });
    await f.claim(before, await f.sign(before));
    expect(await f.balanceOf(f.recipient)).toBe(100n);

    await f.advance(3600);
    expect(await isSigner(f.coordinator.address)).toBe(false);
    const after = await f.voucher(200n);
    expect(await claimRevert(after, await f.sign(after))).toEqual({ name: 'RevokedSigner', args: [f.coordinator.address, BigInt(revokedAt + 3600)] });
    expect(await revertOf(f.publicClient.simulateContract({ account: f.owner, address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'revokeSigner', args: [f.coordinator.address] }))).toMatchObject({ name: 'RevokedSigner' });
    // The new key carries on from the same cumulative total.
    await f.claim(after, await f.sign(after, next));
    expect(await f.balanceOf(f.recipient)).toBe(200n);
  });

  it('lets only the owner add or revoke signers', async () => {
    const stranger = f.walletOf(f.submitter);
    for (const functionName of ['addSigner', 'revokeSigner'] as const) {
      const refused = await revertOf(f.publicClient.simulateContract({ account: stranger.account, address: f.deployment.vault, abi: payoutVaultAbi, functionName, args: [f.submitter.address] }));
      expect(refused).toEqual({ name: 'OwnableUnauthorizedAccount', args: [f.submitter.address] });
    }
    expect(await f.publicClient.readContract({ address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'isSigner', args: [f.submitter.address] })).toBe(false);
    const sim = (functionName: 'addSigner' | 'revokeSigner', who: Address) =>
      revertOf(f.publicClient.simulateContract({ account: f.owner, address: f.deployment.vault, abi: payoutVaultAbi, functionName, args: [who] }));
    expect(await sim('addSigner', f.coordinator.address)).toEqual({ name: 'SignerAlreadyActive', args: [f.coordinator.address] });
    expect(await sim('revokeSigner', f.submitter.address)).toEqual({ name: 'UnknownSigner', args: [f.submitter.address] });
    expect(await sim('addSigner', '0x0000000000000000000000000000000000000000')).toEqual({ name: 'ZeroAddress', args: [] });
  });

  it('refuses a revocation delay over a year at deployment: RevocationDelayTooLong', async () => {
    const data = encodeDeployData({ abi: payoutVaultAbi, bytecode: payoutVaultBytecode, args: [f.owner.address, f.coordinator.address, 366n * 86400n] });
    const error = await f.publicClient.call({ account: f.owner, data }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseError);
    const raw = (error as BaseError).walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data: Hex } | null;
    expect(raw && decodeErrorResult({ abi: payoutVaultAbi, data: raw.data })).toMatchObject({ errorName: 'RevocationDelayTooLong', args: [366n * 86400n, 365n * 86400n] });
  });
});

describe('deposit', () => {
  it('pulls the approved amount from the caller and says so in a Deposited event', async () => {
    const wallet = f.walletOf(f.depositor);
    const owner = f.walletOf(f.owner);
    const mined = async (hash: Hex) => f.publicClient.waitForTransactionReceipt({ hash });
    await mined(await owner.writeContract({ address: f.deployment.token, abi: testTokenAbi, functionName: 'mint', args: [f.depositor.address, 700n] }));
    const deposit = () => f.publicClient.simulateContract({ account: f.depositor, address: f.deployment.vault, abi: vaultAndTokenAbi, functionName: 'deposit', args: [f.deployment.token, 700n] });
    expect((await revertOf(deposit()))?.name).toBe('ERC20InsufficientAllowance');
    await mined(await wallet.writeContract({ address: f.deployment.token, abi: testTokenAbi, functionName: 'approve', args: [f.deployment.vault, 700n] }));
    const receipt = await mined(await wallet.writeContract((await deposit()).request));
    expect(await f.balanceOf(f.depositor.address)).toBe(0n);
    expect(await f.balanceOf(f.deployment.vault)).toBe(1_000_700n);
    const log = receipt.logs.find((l) => l.address.toLowerCase() === f.deployment.vault.toLowerCase());
    expect(log && decodeEventLog({ abi: payoutVaultAbi, ...log })).toMatchObject({ eventName: 'Deposited', args: { token: f.deployment.token, from: f.depositor.address, amount: 700n } });
    expect(await revertOf(f.publicClient.simulateContract({ account: f.depositor, address: f.deployment.vault, abi: payoutVaultAbi, functionName: 'deposit', args: [f.deployment.token, 0n] }))).toEqual({ name: 'ZeroAmount', args: [] });
  });
});
