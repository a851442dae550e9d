// How amounts read: exact at any length, whole tokens only when the payout token's decimals are known.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTokenAmount, payoutToken } from '../../common/api-earnings.js';
import { sampleStatus } from '../helpers/sample-status.js';

describe('formatTokenAmount', () => {
  it.each([
    ['0', null, '0'],
    ['1234567', null, '1,234,567'],
    ['1500000', 6, '1.5'],
    ['1000000', 6, '1'],
    ['1', 18, '0.000000000000000001'],
    ['123456789012345678901234567890', 18, '123,456,789,012.34567890123456789'],
    ['42', 0, '42'],
  ] as const)('%s with %s decimals reads %s', (base, decimals, text) => {
    expect(formatTokenAmount(base, decimals)).toBe(text);
  });

  it('loses no digit: the text without separators, scaled back, is the amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 80n }), fc.integer({ min: 0, max: 36 }), (amount, decimals) => {
        const [whole, fraction = ''] = formatTokenAmount(amount.toString(), decimals).replaceAll(',', '').split('.');
        expect(BigInt(whole! + fraction.padEnd(decimals, '0'))).toBe(amount);
      }),
    );
  });
});

describe('payoutToken', () => {
  const payout = { chainId: 31337, vault: `0x${'22'.repeat(20)}`, token: `0x${'aB'.repeat(20)}`, tokenSymbol: 'HUSD', tokenDecimals: 6, rpcUrl: null, explorerUrl: null } as const;
  const market = { url: 'ws://127.0.0.1:1/provider', coordinator: `0x${'11'.repeat(20)}`, node: `0x${'33'.repeat(20)}`, kind: 'local-demo', state: 'connected', jobsDone: 0, lastError: null, payout } as const;

  it('names the decimals and symbol of the payout token only, whatever the address case', () => {
    const status = sampleStatus({ marketplace: market });
    expect(payoutToken(status.marketplace, `0x${'ab'.repeat(20)}`)).toEqual({ decimals: 6, symbol: 'HUSD' });
    expect(payoutToken(status.marketplace, `0x${'cd'.repeat(20)}`)).toBeNull();
    expect(payoutToken({ ...market, payout: null }, payout.token)).toBeNull();
    expect(payoutToken(null, payout.token)).toBeNull();
  });
});
