import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Voucher } from '../../../common/marketplace-protocol.js';
import { OTHER_TOKEN, SIG, TOKEN, creditJob, makeSpec, sha, tempLedger } from './ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => {
  env = await tempLedger();
});
afterEach(async () => {
  await env.cleanup();
});

const PROVIDER = '0x1111111111111111111111111111111111111111';
const voucher = (cumulativeAmount: bigint, expiry = 2_000_000_000, token = TOKEN): Voucher => ({ provider: PROVIDER, recipient: PROVIDER, token, cumulativeAmount: cumulativeAmount.toString(), expiry });
const digest = (label: string) => `0x${sha(label)}`;

describe('vouchers', () => {
  it('keep the latest cumulative voucher per token with its signature and digest', () => {
    expect(env.ledger.vouchers.latest(TOKEN)).toBeNull();
    expect(env.ledger.vouchers.record(voucher(100n), SIG, digest('a'))).toBe('stored');
    expect(env.ledger.vouchers.record(voucher(2n ** 70n), SIG, digest('b'))).toBe('stored');
    expect(env.ledger.vouchers.record(voucher(7n, 1, OTHER_TOKEN), SIG, digest('c'))).toBe('stored');
    const again = env.open();
    expect(again.vouchers.latest(TOKEN.toUpperCase().replace('0X', '0x'))).toEqual({ voucher: voucher(2n ** 70n), signature: SIG, digest: digest('b'), receivedAt: env.clock.ms });
    expect(again.vouchers.latest(OTHER_TOKEN)?.voucher.cumulativeAmount).toBe('7');
  });

  it('store a digest once: the same voucher again (or a re-encoded signature of it) is a duplicate', () => {
    expect(env.ledger.vouchers.record(voucher(100n), SIG, digest('a'))).toBe('stored');
    expect(env.ledger.vouchers.record(voucher(100n), `0x${'44'.repeat(65)}`, digest('a').toUpperCase().replace('0X', '0x'))).toBe('duplicate');
    expect(env.ledger.vouchers.latest(TOKEN)?.signature).toBe(SIG);
  });

  it('do not go backwards: a lower total, or the same total expiring no later, is stale and not stored', () => {
    env.ledger.vouchers.record(voucher(10n ** 30n, 500), SIG, digest('high'));
    // 9…9 (30 digits) is less than 10^30 though it sorts higher as text.
    expect(env.ledger.vouchers.record(voucher(10n ** 30n - 1n, 900), SIG, digest('lower'))).toBe('stale');
    expect(env.ledger.vouchers.record(voucher(10n ** 30n, 500), SIG, digest('same'))).toBe('stale');
    expect(env.ledger.vouchers.record(voucher(10n ** 30n, 900), SIG, digest('renewed'))).toBe('stored');
    expect(env.ledger.vouchers.latest(TOKEN)).toMatchObject({ digest: digest('renewed'), voucher: { expiry: 900 } });
  });

  it('take a voucher for the same total to a new recipient as the latest (the node named another payout address)', () => {
    env.ledger.vouchers.record(voucher(100n, 900), SIG, digest('to-node'));
    const wallet = '0x3333333333333333333333333333333333333333';
    // Same second as the first, so its expiry is no later: still the latest, because it pays the new recipient.
    expect(env.ledger.vouchers.record({ ...voucher(100n, 900), recipient: wallet }, SIG, digest('to-wallet'))).toBe('stored');
    expect(env.ledger.vouchers.latest(TOKEN)).toMatchObject({ digest: digest('to-wallet'), voucher: { recipient: wallet } });
    // The old recipient's voucher for that total again is a duplicate, not a step back.
    expect(env.ledger.vouchers.record(voucher(100n, 900), SIG, digest('to-node'))).toBe('duplicate');
  });

  it('compare with the credits the ledger accepted', () => {
    creditJob(env.ledger, makeSpec('j1', { price: `${2n ** 65n}` }));
    creditJob(env.ledger, makeSpec('j2', { price: '1' }));
    env.ledger.vouchers.record(voucher(2n ** 65n), SIG, digest('v1'));
    const latest = BigInt(env.ledger.vouchers.latest(TOKEN)?.voucher.cumulativeAmount ?? '0');
    expect(env.ledger.acceptedCredits(TOKEN) - latest).toBe(1n);
  });

  it('refuse malformed input with invalid_input', () => {
    expect(() => env.ledger.vouchers.record(voucher(1n), SIG, '0x1234')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => env.ledger.vouchers.record({ ...voucher(1n), cumulativeAmount: '01' }, SIG, digest('x'))).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
