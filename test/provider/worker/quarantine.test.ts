import { describe, expect, it } from 'vitest';
import { Quarantine } from '../../../provider/worker/quarantine.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('Quarantine', () => {
  it('quarantines a model on its second strike, for the configured time, and leaves others alone', () => {
    const quarantine = new Quarantine({ strikes: 2, durationMs: 1000 });
    expect(quarantine.strike(A, 0)).toBe(false);
    expect(quarantine.isQuarantined(A, 1)).toBe(false);
    expect(quarantine.strike(B, 2)).toBe(false);
    expect(quarantine.strike(A, 10)).toBe(true);
    expect(quarantine.isQuarantined(A, 11)).toBe(true);
    expect(quarantine.isQuarantined(B, 11)).toBe(false);
    expect(quarantine.list(500)).toEqual([A]);
    expect(quarantine.isQuarantined(A, 1010)).toBe(false);
    expect(quarantine.list(1010)).toEqual([]);
    // Released models start again from no strikes.
    expect(quarantine.strike(A, 1020)).toBe(false);
  });

  it('stays quarantined when struck again meanwhile', () => {
    const quarantine = new Quarantine({ strikes: 1, durationMs: 100 });
    expect(quarantine.strike(A, 0)).toBe(true);
    expect(quarantine.strike(A, 50)).toBe(true);
    expect(quarantine.isQuarantined(A, 99)).toBe(true);
  });
});
