/** The batcher's grouping: by key, up to maxBatch rows, at most maxDelayMs. */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../worker/batching/batcher.js';

function recorder(maxBatch: number, maxDelayMs: number) {
  const groups: string[][] = [];
  const batcher = new Batcher<string>({ maxBatch, maxDelayMs }, (jobs) => groups.push(jobs));
  return { groups, batcher };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Batcher', () => {
  it('merges jobs with the same key that arrive within the delay', async () => {
    const { groups, batcher } = recorder(8, 20);
    batcher.submit('k', 'a', 1);
    batcher.submit('other', 'x', 1);
    batcher.submit('k', 'b', 1);
    expect(groups).toEqual([]);
    await sleep(40);
    expect(groups).toEqual([['a', 'b'], ['x']]);
  });

  it('hands a group over as soon as it holds maxBatch rows', () => {
    const { groups, batcher } = recorder(4, 10_000);
    batcher.submit('k', 'a', 1);
    batcher.submit('k', 'b', 3);
    expect(groups).toEqual([['a', 'b']]);
  });

  it('starts a new group rather than pass maxBatch, and sends oversized jobs alone', () => {
    const { groups, batcher } = recorder(4, 10_000);
    batcher.submit('k', 'a', 3);
    batcher.submit('k', 'b', 2);
    expect(groups).toEqual([['a']]);
    batcher.submit('k', 'big', 4);
    expect(groups).toEqual([['a'], ['big']]);
    batcher.flushAll();
    expect(groups).toEqual([['a'], ['big'], ['b']]);
  });

  describe('with the engine’s state', () => {
    function withEngine(maxBatch: number, maxDelayMs: number) {
      const groups: string[][] = [];
      let idle = true;
      const batcher = new Batcher<string>({ maxBatch, maxDelayMs, engineIdle: () => idle }, (jobs) => groups.push(jobs));
      return { groups, batcher, setIdle: (value: boolean) => (idle = value) };
    }
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

    it('sends at once to an idle engine, with the jobs that arrived in the same turn', async () => {
      const { groups, batcher } = withEngine(8, 10_000);
      batcher.submit('k', 'a', 1);
      batcher.submit('k', 'b', 1);
      await nextTurn();
      expect(groups).toEqual([['a', 'b']]);
    });

    it('gathers jobs while the engine is busy and sends them when it settles idle', async () => {
      const { groups, batcher, setIdle } = withEngine(8, 10_000);
      setIdle(false);
      batcher.submit('k', 'a', 1);
      await nextTurn();
      batcher.submit('k', 'b', 1);
      await nextTurn();
      expect(groups).toEqual([]);
      batcher.engineSettled();
      await nextTurn();
      expect(groups).toEqual([]); // settled but still busy with other work
      setIdle(true);
      batcher.engineSettled();
      await nextTurn();
      expect(groups).toEqual([['a', 'b']]);
    });

    it('still sends after maxDelayMs when the engine stays busy', async () => {
      const { groups, batcher, setIdle } = withEngine(8, 15);
      setIdle(false);
      batcher.submit('k', 'a', 1);
      await sleep(40);
      expect(groups).toEqual([['a']]);
    });
  });
});
