import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { energyCostMicro, formatMicro, isMicroDecimal, parseMicro, tokenValueMicro } from '../../../provider/energy/money.js';

describe('money in µ-units', () => {
  it('parses decimals exactly and refuses anything else', () => {
    expect(parseMicro('0.30')).toBe(300_000n);
    expect(parseMicro('12')).toBe(12_000_000n);
    expect(parseMicro('0.000125')).toBe(125n);
    for (const bad of ['', '.3', '0.1234567', '-1', '1e3', ' 1', '01', '0x10', '1,5']) {
      expect(isMicroDecimal(bad)).toBe(false);
      expect(() => parseMicro(bad)).toThrow(RangeError);
    }
  });

  it('formats with six decimals and a sign', () => {
    expect(formatMicro(0n)).toBe('0.000000');
    expect(formatMicro(453_120n)).toBe('0.453120');
    expect(formatMicro(-1_500n)).toBe('-0.001500');
    expect(formatMicro(12_345_678_901n)).toBe('12345.678901');
  });

  it('round-trips every amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), (micro) => parseMicro(formatMicro(micro)) === micro));
  });

  it('rounds costs half up: 218.75 µ → 219, 437.5 µ → 438, 1333.3 µ → 1333', () => {
    expect(energyCostMicro(2_625_000n, 300_000n)).toBe(219n);
    expect(energyCostMicro(5_250_000n, 300_000n)).toBe(438n);
    expect(energyCostMicro(12_000_000n, 400_000n)).toBe(1_333n);
    // One kWh at 0.30 is exactly 0.30.
    expect(energyCostMicro(3_600_000_000n, 300_000n)).toBe(300_000n);
  });

  it('values token base units at a price per whole token', () => {
    expect(tokenValueMicro(5_000_000n, 50_000n, 6)).toBe(250_000n);
    expect(tokenValueMicro(10n ** 18n, 1_000_000n, 18)).toBe(1_000_000n);
    // Half a µ-unit rounds up; less than half rounds down.
    expect(tokenValueMicro(1n, 500_000n, 6)).toBe(1n);
    expect(tokenValueMicro(1n, 499_999n, 6)).toBe(0n);
  });
});
