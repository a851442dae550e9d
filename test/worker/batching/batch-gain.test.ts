/**
 * Batching turns itself off per key once merged runs prove no cheaper per row than single runs, ignores
 * warm-up runs, measures its single-run baseline when load never leaves a job alone, and checks again.
 */
import { describe, expect, it } from 'vitest';
import { BatchGain, DEFAULT_BATCH_GAIN } from '../../../worker/batching/batch-gain.js';

describe('BatchGain', () => {
  it('keeps batching while merged runs are cheaper per row', () => {
    const gain = new BatchGain();
    for (let i = 0; i < 10; i++) {
      gain.record('mlp', 1, 0.3, false);
      gain.record('mlp', 8, 0.8, true); // 0.1 ms per row
    }
    expect(gain.pays('mlp')).toBe(true);
    expect(gain.shouldMerge('mlp')).toBe(true);
  });

  it('stops batching a key whose merged runs cost as much per row (PP-OCRv4 recognition on this CPU)', () => {
    const gain = new BatchGain();
    // The first single run and the first run of 8 rows are warm-up, then 3 counted of each.
    for (let i = 0; i < 4; i++) {
      gain.record('ocr', 1, 12, false);
      gain.record('ocr', 8, 180, true);
    }
    expect(gain.pays('ocr')).toBe(true); // not enough samples yet
    gain.record('ocr', 1, 12, false);
    gain.record('ocr', 8, 180, true);
    expect(gain.pays('ocr')).toBe(false);
    expect(gain.shouldMerge('ocr')).toBe(false);
    expect(gain.pays('other')).toBe(true);
    expect(gain.measured('ocr')?.mergedPerRowMs).toBeCloseTo(22.5);
  });

  it('does not count the slow first run of each new merged size', () => {
    const gain = new BatchGain();
    for (let i = 0; i < 5; i++) gain.record('mlp', 1, 0.5, false);
    // Every new row count's first run is dearer per row than a single run; each is warm-up.
    for (const rows of [2, 3, 4, 5, 6, 7]) gain.record('mlp', rows, rows * 0.6, true);
    expect(gain.pays('mlp')).toBe(true);
    for (const rows of [2, 3, 4, 5]) gain.record('mlp', rows, rows * 0.1, true);
    expect(gain.pays('mlp')).toBe(true);
    expect(gain.measured('mlp')?.mergedPerRowMs).toBeCloseTo(0.1);
  });

  it('sends a few jobs alone to measure single runs when load merges every job', () => {
    const gain = new BatchGain();
    for (let i = 0; i < 5; i++) gain.record('ocr', 8, 180, true);
    // Merged runs are measured and single runs are not: the next warm-up + minSamples jobs go alone.
    const routed = Array.from({ length: 8 }, () => gain.shouldMerge('ocr'));
    expect(routed).toEqual([false, false, false, false, false, true, true, true]);
    for (let i = 0; i < 5; i++) gain.record('ocr', 1, 12, false);
    expect(gain.pays('ocr')).toBe(false);
  });

  it('tries merging again after recheckEvery runs, and keeps it when it pays by then', () => {
    const gain = new BatchGain({ ...DEFAULT_BATCH_GAIN, recheckEvery: 20 });
    for (let i = 0; i < 5; i++) {
      gain.record('mlp', 1, 0.5, false);
      gain.record('mlp', 2, 1.2, true); // first merges: no cheaper per row
    }
    expect(gain.pays('mlp')).toBe(false);
    // Jobs run alone until 20 counted runs have passed since the start (8 so far: 4 of each kind).
    let alone = 0;
    while (!gain.pays('mlp')) {
      gain.record('mlp', 1, 0.5, false);
      alone++;
      expect(alone).toBeLessThanOrEqual(12);
    }
    expect(alone).toBe(12);
    expect(gain.shouldMerge('mlp')).toBe(true);
    // The trial: bigger, warm merges now pay, so batching stays on.
    for (let i = 0; i < 5; i++) gain.record('mlp', 16, 1.6, true);
    expect(gain.pays('mlp')).toBe(true);
    expect(gain.measured('mlp')?.mergedPerRowMs).toBeCloseTo(0.1);
  });

  it('waits twice as long before each trial that keeps confirming batching does not pay', () => {
    const gain = new BatchGain({ ...DEFAULT_BATCH_GAIN, recheckEvery: 20 });
    for (let i = 0; i < 5; i++) {
      gain.record('ocr', 1, 12, false);
      gain.record('ocr', 8, 180, true);
    }
    const aloneUntilTrial = () => {
      let alone = 0;
      while (!gain.pays('ocr') && alone < 1000) {
        gain.record('ocr', 1, 12, false);
        alone++;
      }
      return alone;
    };
    const failTrial = () => {
      for (let i = 0; i < 4; i++) gain.record('ocr', 8, 180, true);
      expect(gain.pays('ocr')).toBe(false);
    };
    expect(aloneUntilTrial()).toBe(12);
    failTrial(); // 4 counted runs since the trial opened
    expect(aloneUntilTrial()).toBe(36);
    failTrial();
    expect(aloneUntilTrial()).toBe(76);
  });

  it('re-measures the single-run baseline of a key that batches, after recheckEvery runs', () => {
    const gain = new BatchGain({ ...DEFAULT_BATCH_GAIN, recheckEvery: 10 });
    for (let i = 0; i < 5; i++) {
      gain.record('mlp', 1, 0.5, false);
      gain.record('mlp', 8, 0.8, true);
    }
    expect(gain.shouldMerge('mlp')).toBe(true);
    gain.record('mlp', 8, 0.8, true);
    gain.record('mlp', 8, 0.8, true); // the 10th counted run opens the check
    expect([gain.shouldMerge('mlp'), gain.shouldMerge('mlp'), gain.shouldMerge('mlp'), gain.shouldMerge('mlp'), gain.shouldMerge('mlp')]).toEqual([false, false, false, false, true]);
  });

  it('forgets the least recently used keys beyond its limit', () => {
    const gain = new BatchGain({ minSamples: 1, keepBelow: 0.9, maxKeys: 2, recheckEvery: 100 });
    gain.record('a', 1, 1, false);
    gain.record('a', 1, 1, false);
    gain.record('a', 2, 4, true);
    gain.record('a', 2, 4, true);
    expect(gain.pays('a')).toBe(false);
    gain.record('b', 1, 1, false);
    gain.record('c', 1, 1, false);
    expect(gain.measured('a')).toBeNull();
    expect(gain.pays('a')).toBe(true);
  });
});
