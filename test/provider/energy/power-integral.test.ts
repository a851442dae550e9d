import { describe, expect, it } from 'vitest';
import { integratePower, toMillijoules } from '../../../provider/energy/power-integral.js';
import { CPU_TYPICAL_WATTS, typicalDraw } from '../../../provider/energy/typical-draw.js';

const s = (seconds: number) => seconds * 1000;

describe('integratePower (trapezoid over the run, by hand)', () => {
  it('interpolates the power at the run edges between the readings around them', () => {
    // Readings 100 W at 0 s, 200 W at 10 s, 200 W at 20 s; run 5 s → 15 s.
    // 5→10 s: power 150 → 200 W, (150 + 200) / 2 × 5 = 875 J; 10→15 s: 200 W × 5 = 1000 J.
    const trace = [
      { at: s(20), watts: 200 },
      { at: s(0), watts: 100 },
      { at: s(10), watts: 200 },
    ];
    expect(integratePower(trace, s(5), s(15), 999, s(11))).toEqual({ joules: 1875, estimated: false, estimatedMs: 0 });
  });

  it('sums trapezoids over every reading inside the run', () => {
    // 300 W to 295 s, 400 W from 300 s: 300 × 295 + (300 + 400) / 2 × 5 + 400 × 300 = 210250 J.
    const trace = Array.from({ length: 121 }, (_, i) => ({ at: s(i * 5), watts: i * 5 < 300 ? 300 : 400 }));
    expect(integratePower(trace, 0, s(600), 999, s(11)).joules).toBe(210_250);
  });

  it('uses the typical draw, marked as an estimate, when nothing was measured', () => {
    expect(integratePower([], s(1), s(3), 300, s(11))).toEqual({ joules: 600, estimated: true, estimatedMs: s(2) });
  });

  it('holds a reading for the gap allowance, and fills a wider gap with the typical draw', () => {
    // Readings at 0 s and 30 s (100 W), allowance 10 s, typical 50 W: 100 × 10 + 50 × 10 + 100 × 10 = 2500 J.
    const trace = [
      { at: 0, watts: 100 },
      { at: s(30), watts: 100 },
    ];
    expect(integratePower(trace, 0, s(30), 50, s(10))).toEqual({ joules: 2500, estimated: true, estimatedMs: s(10) });
  });

  it('holds the last reading past the end of the trace within the allowance, not beyond', () => {
    // 200 W at 0 s; run 0 → 4 s with allowance 5 s: 800 J measured. Run 0 → 8 s: 200 × 5 + 70 × 3 = 1210 J.
    const trace = [{ at: 0, watts: 200 }];
    expect(integratePower(trace, 0, s(4), 70, s(5))).toEqual({ joules: 800, estimated: false, estimatedMs: 0 });
    expect(integratePower(trace, 0, s(8), 70, s(5))).toEqual({ joules: 1210, estimated: true, estimatedMs: s(3) });
  });

  it('never reads a bad reading as 0 W: NaN and negative readings are left out', () => {
    const trace = [
      { at: 0, watts: Number.NaN },
      { at: s(1), watts: -5 },
    ];
    expect(integratePower(trace, 0, s(2), 100, s(5))).toEqual({ joules: 200, estimated: true, estimatedMs: s(2) });
  });

  it('gives 0 J for an empty run and refuses one that ends before it starts', () => {
    expect(integratePower([{ at: 0, watts: 100 }], s(1), s(1), 100, s(5)).joules).toBe(0);
    expect(() => integratePower([], s(2), s(1), 100, s(5))).toThrow(RangeError);
  });

  it('converts joules to whole millijoules', () => {
    expect(toMillijoules(1875)).toBe(1_875_000n);
    expect(toMillijoules(0.0004)).toBe(0n);
    expect(() => toMillijoules(Number.NaN)).toThrow(RangeError);
  });
});

describe('typicalDraw', () => {
  it('knows common cards, falls back to the vendor, and to a CPU TDP', () => {
    expect(typicalDraw('gpu-0', { id: 'gpu-0', name: 'NVIDIA GeForce RTX 4090', vendor: 'nvidia' })).toMatchObject({ watts: 450 });
    expect(typicalDraw('gpu-0', { id: 'gpu-0', name: 'NVIDIA GeForce RTX 4070 Ti', vendor: 'nvidia' })).toMatchObject({ watts: 285 });
    expect(typicalDraw('gpu-1', { id: 'gpu-1', name: 'AMD Radeon RX 7900 XTX', vendor: 'amd' })).toMatchObject({ watts: 355 });
    expect(typicalDraw('gpu-2', { id: 'gpu-2', name: 'NVIDIA RTX A4000', vendor: 'nvidia' }).basis).toContain('unlisted nvidia');
    expect(typicalDraw('cpu', undefined)).toMatchObject({ watts: CPU_TYPICAL_WATTS });
    expect(typicalDraw('gpu-9', undefined).basis).toContain('CPU');
  });
});
