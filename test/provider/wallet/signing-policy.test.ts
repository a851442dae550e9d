/**
 * The signing policy: only `claim` on the configured vault and a token `transfer` to a confirmed
 * address pass; fast-check throws random calldata, addresses, values and methods at it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Address, type Hex, encodeFunctionData, erc20Abi, getAddress, toHex } from 'viem';
import { payoutVaultAbi } from '../../../contracts/generated/PayoutVault.js';
import { type PolicyContext, decideSigning, decideTransaction } from '../../../provider/wallet/signing-policy.js';

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const ctx: PolicyContext = { chainId: 31337, account: addr(0xa11ce), vault: addr(0x7a017), token: addr(0x70ce2), confirmedRecipients: [addr(0xbeef)] };
const voucher = { provider: addr(1), recipient: addr(2), token: ctx.token, cumulativeAmount: 1000n, expiry: 2_000_000_000n };
const claimData = encodeFunctionData({ abi: payoutVaultAbi, functionName: 'claim', args: [voucher, `0x${'11'.repeat(65)}`] });
const transferTo = (to: Address, amount = 5n) => encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, amount] });

describe('what the wallet signs', () => {
  it('a claim on the configured vault, and a transfer to a confirmed address', () => {
    expect(decideTransaction({ to: ctx.vault, data: claimData }, ctx)).toMatchObject({ allowed: true, kind: 'claim' });
    expect(decideTransaction({ to: ctx.vault.toLowerCase(), data: claimData, value: '0x0', chainId: toHex(31337), from: ctx.account }, ctx)).toMatchObject({ allowed: true, kind: 'claim' });
    expect(decideTransaction({ to: ctx.token, data: transferTo(addr(0xbeef)) }, ctx)).toMatchObject({ allowed: true, kind: 'transfer' });
    expect(decideSigning('eth_sendTransaction', [{ to: ctx.vault, data: claimData }], ctx)).toMatchObject({ allowed: true });
  });

  it('refuses everything else with policy_refused', () => {
    const refusals = [
      decideTransaction({ to: addr(0xdead), data: claimData }, ctx),
      decideTransaction({ to: ctx.token, data: transferTo(addr(0xbad)) }, ctx),
      decideTransaction({ to: ctx.vault, data: claimData, value: 1n }, ctx),
      decideTransaction({ to: addr(0xbeef), value: 10n ** 18n }, ctx),
      decideTransaction({ data: claimData }, ctx),
      decideTransaction({ to: ctx.vault, data: claimData, chainId: 1 }, ctx),
      decideTransaction({ to: ctx.vault, data: claimData, from: addr(0xe11) }, ctx),
      decideTransaction({ to: ctx.vault, data: `${claimData}00` as Hex }, ctx),
      decideTransaction({ to: ctx.vault, data: encodeFunctionData({ abi: payoutVaultAbi, functionName: 'addSigner', args: [addr(9)] }) }, ctx),
      decideTransaction({ to: ctx.token, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [addr(0xbeef), 1n] }) }, ctx),
      decideSigning('personal_sign', ['0x68656c6c6f', ctx.account], ctx),
      decideSigning('eth_signTypedData_v4', [ctx.account, '{}'], ctx),
      decideSigning('eth_sign', [ctx.account, '0x00'], ctx),
      decideSigning('eth_signTransaction', [{ to: ctx.vault, data: claimData }], ctx),
      decideSigning('eth_sendTransaction', [], ctx),
      decideSigning('eth_sendTransaction', ['0x00'], ctx),
    ];
    for (const decision of refusals) expect(decision).toMatchObject({ allowed: false, code: 'policy_refused' });
  });

  it('random calldata to random addresses is refused unless it is exactly a permitted call', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(ctx.vault), fc.constant(ctx.token), fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b))),
        fc.oneof(fc.uint8Array({ maxLength: 400 }).map((b) => toHex(b)), fc.uint8Array({ maxLength: 64 }).map((b) => `${claimData.slice(0, 10)}${toHex(b).slice(2)}`), fc.uint8Array({ maxLength: 64 }).map((b) => `0xa9059cbb${toHex(b).slice(2)}`)),
        fc.oneof(fc.constant(undefined), fc.bigInt({ min: 0n, max: 2n ** 70n })),
        (to, data, value) => {
          const decision = decideTransaction({ to, data, value }, ctx);
          if (!decision.allowed) return decision.code === 'policy_refused';
          return (value ?? 0n) === 0n && ((decision.kind === 'claim' && getAddress(to) === ctx.vault) || (decision.kind === 'transfer' && getAddress(to) === ctx.token && data.toLowerCase() === transferTo(addr(0xbeef), BigInt(`0x${data.slice(74, 138)}`)).toLowerCase()));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any method but eth_sendTransaction is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((m) => m !== 'eth_sendTransaction'), fc.array(fc.jsonValue(), { maxLength: 3 }), (method, params) => decideSigning(method, params, ctx).allowed === false),
      { numRuns: 1000 },
    );
  });
});
