/** Batching turns itself off per key once merged runs prove no cheaper per row than single runs. */
import { describe, expect, it } from 'vitest';
import { BatchGain } from '../../../worker/batching/batch-gain.js';

describe('BatchGain', () => {
  it('keeps batching while merged runs are cheaper per row', () => {
    const gain = new BatchGain();
    for (let i = 0; i < 10; i++) {
      gain.record('mlp', 1, 0.3, false);
      gain.record('mlp', 8, 0.8, true); // 0.1 ms per row
    }
    expect(gain.pays('mlp')).toBe(true);
  });

  it('stops batching a key whose merged runs cost as much per row (PP-OCRv4 recognition on this CPU)', () => {
    const gain = new BatchGain();
    for (let i = 0; i < 3; i++) {
      gain.record('ocr', 1, 12, false);
      gain.record('ocr', 8, 180, true);
    }
    expect(gain.pays('ocr')).toBe(true); // not enough samples yet
    gain.record('ocr', 1, 12, false);
    gain.record('ocr', 8, 180, true);
    expect(gain.pays('ocr')).toBe(false);
    // The verdict sticks: single runs alone never turn batching back on.
    for (let i = 0; i < 10; i++) gain.record('ocr', 1, 30, false);
    expect(gain.pays('ocr')).toBe(false);
    expect(gain.pays('other')).toBe(true);
    expect(gain.measured('ocr')?.mergedPerRowMs).toBeCloseTo(22.5);
  });

  it('forgets the least recently used keys beyond its limit', () => {
    const gain = new BatchGain({ minSamples: 1, keepBelow: 0.9, maxKeys: 2 });
    gain.record('a', 1, 1, false);
    gain.record('a', 2, 4, true);
    expect(gain.pays('a')).toBe(false);
    gain.record('b', 1, 1, false);
    gain.record('c', 1, 1, false);
    expect(gain.measured('a')).toBeNull();
    expect(gain.pays('a')).toBe(true);
  });
});
