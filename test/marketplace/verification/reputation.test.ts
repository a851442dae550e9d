/**
 * Reputation rules: neutral start, points per event, bounds, the wrong-output floor that quarantines,
 * decay toward neutral, earning the way back through canaries, and a store another book can read.
 */
import { describe, expect, it } from 'vitest';
import {
  QUARANTINE_THRESHOLD,
  REPUTATION_MAX,
  REPUTATION_MIN,
  REPUTATION_POINTS,
  Reputation,
  UNRELIABLE_FLOOR,
  WRONG_OUTPUT_FLOOR,
  memoryReputationStore,
} from '../../../marketplace/verification/reputation.js';

const HOUR = 3_600_000;

function book(halfLifeMs = HOUR) {
  const clock = { now: 1_000_000 };
  const store = memoryReputationStore();
  return { clock, store, reputation: new Reputation({ store, halfLifeMs, now: () => clock.now }) };
}

describe('reputation', () => {
  it('starts neutral and moves by the documented points', () => {
    const { reputation } = book();
    expect(reputation.score('0xA')).toBe(0);
    expect(reputation.quarantined('0xA')).toBe(false);
    expect(reputation.record('0xA', 'canary_pass')).toBe(REPUTATION_POINTS.canary_pass);
    expect(reputation.record('0xA', 'agreement')).toBe(REPUTATION_POINTS.canary_pass + REPUTATION_POINTS.agreement);
    expect(reputation.record('0xb', 'timeout')).toBeLessThan(0);
    // Node addresses are case-insensitive.
    expect(reputation.score('0xa')).toBe(reputation.score('0xA'));
  });

  it('ranks a provider that keeps timing out last, but never quarantines it for timeouts alone', () => {
    const { reputation } = book();
    for (let i = 0; i < 50; i++) reputation.record('0xa', 'timeout');
    expect(reputation.score('0xa')).toBe(UNRELIABLE_FLOOR);
    expect(reputation.quarantined('0xa')).toBe(false);
    // A provider already quarantined for a wrong output gets no lift from its timeouts either.
    reputation.record('0xb', 'wrong_output');
    const caught = reputation.score('0xb');
    expect(reputation.record('0xb', 'timeout')).toBe(caught);
    expect(reputation.quarantined('0xb')).toBe(true);
  });

  it('drops a provider with a long good record straight into quarantine on one wrong output', () => {
    const { reputation } = book();
    for (let i = 0; i < 100; i++) reputation.record('0xa', 'agreement');
    expect(reputation.score('0xa')).toBe(REPUTATION_MAX);
    expect(reputation.record('0xa', 'wrong_output')).toBe(WRONG_OUTPUT_FLOOR);
    expect(reputation.quarantined('0xa')).toBe(true);
    expect(reputation.quarantinedCount()).toBe(1);
  });

  it('is bounded below', () => {
    const { reputation } = book();
    for (let i = 0; i < 20; i++) reputation.record('0xa', 'wrong_output');
    expect(reputation.score('0xa')).toBe(REPUTATION_MIN);
  });

  it('decays toward neutral with the half-life, both ways', () => {
    const { reputation, clock } = book();
    reputation.record('0xbad', 'wrong_output');
    for (let i = 0; i < 10; i++) reputation.record('0xgood', 'canary_pass');
    clock.now += HOUR;
    expect(reputation.score('0xbad')).toBeCloseTo(WRONG_OUTPUT_FLOOR / 2);
    expect(reputation.score('0xgood')).toBeCloseTo(20);
    // One half-life brings the floor to the threshold; a little more ends the quarantine without canaries.
    expect(reputation.quarantined('0xbad')).toBe(true);
    clock.now += HOUR / 10;
    expect(reputation.quarantined('0xbad')).toBe(false);
  });

  it('lets a quarantined provider earn its way back through canaries', () => {
    const { reputation } = book(Number.POSITIVE_INFINITY);
    reputation.record('0xa', 'wrong_output');
    let passes = 0;
    while (reputation.quarantined('0xa')) {
      reputation.record('0xa', 'canary_pass');
      passes += 1;
    }
    expect(passes).toBe(Math.floor((QUARANTINE_THRESHOLD - WRONG_OUTPUT_FLOOR) / REPUTATION_POINTS.canary_pass) + 1);
  });

  it('keeps scores in its store, so a book over the same store sees them', () => {
    const { reputation, store, clock } = book();
    reputation.record('0xa', 'wrong_output');
    const again = new Reputation({ store, now: () => clock.now });
    expect(again.quarantined('0xa')).toBe(true);
    expect([...store.ids()]).toEqual(['0xa']);
  });
});
