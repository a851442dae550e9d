/**
 * `hearth marketplace --canary-rate R --redundancy-rate R`: rates from 0 (off) to 1, defaults when
 * absent, and a usage error that says what is allowed for anything else.
 */
import { describe, expect, it } from 'vitest';
import { parseMarketplaceArgs } from '../../../marketplace/cli.js';
import { UsageError } from '../../../provider/cli/usage-error.js';

describe('verification flags of hearth marketplace', () => {
  it('leaves the rates to the defaults when absent, and takes 0 to turn either off', () => {
    expect(parseMarketplaceArgs([], {})).toMatchObject({ canaryRate: undefined, redundancyRate: undefined });
    expect(parseMarketplaceArgs(['--canary-rate', '0', '--redundancy-rate', '0.5'], {})).toMatchObject({ canaryRate: 0, redundancyRate: 0.5 });
    expect(parseMarketplaceArgs(['--canary-rate', '1', '--redundancy-rate', '.05'], {})).toMatchObject({ canaryRate: 1, redundancyRate: 0.05 });
  });

  it.each([
    ['--canary-rate', '1.5'],
    ['--canary-rate', '2e-1'],
    ['--redundancy-rate', '5%'],
    ['--redundancy-rate', '-0.1'],
    ['--redundancy-rate', 'NaN'],
    ['--canary-rate', ''],
  ])('refuses %s %j with a usage error', (flag, value) => {
    expect(() => parseMarketplaceArgs([`${flag}=${value}`], {})).toThrow(UsageError);
    expect(() => parseMarketplaceArgs([`${flag}=${value}`], {})).toThrow(`${flag} must be a number from 0 to 1 (0 turns it off), not "${value}".`);
  });
});
