import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../../provider/ledger/job-history.js';
import type { JobHistoryItem } from '../../../provider/ledger/job-history.js';
import { SIG, creditJob, makeSpec, sha, tempLedger } from './ledger-fixtures.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => {
  env = await tempLedger();
});
afterEach(async () => {
  await env.cleanup();
});

function offer(id: string): void {
  env.clock.ms += 1000;
  env.ledger.jobs.offer(makeSpec(id), SIG);
}

/** Every page from the first, following nextCursor. */
function allPages(limit: number, between?: (page: number) => void): JobHistoryItem[][] {
  const pages: JobHistoryItem[][] = [];
  let cursor: string | null = null;
  do {
    const page = env.ledger.history.page({ limit, cursor });
    pages.push(page.items);
    between?.(pages.length);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

describe('job history pages', () => {
  it('lists newest first with what the Jobs page shows', () => {
    offer('old');
    env.clock.ms += 1000;
    creditJob(env.ledger, makeSpec('paid', { price: `${2n ** 100n}` }), { deviceId: 'gpu:1' });
    offer('new');
    env.ledger.jobs.fail('new', 'model_missing', 'The model could not be downloaded.');
    const { items, nextCursor } = env.ledger.history.page();
    expect(nextCursor).toBeNull();
    expect(items.map((item) => item.id)).toEqual(['new', 'paid', 'old']);
    expect(items[1]).toEqual({
      id: 'paid',
      state: 'credited',
      modelSha256: sha('model-a'),
      token: makeSpec('paid').price.token,
      price: `${2n ** 100n}`,
      credited: `${2n ** 100n}`,
      deviceId: 'gpu:1',
      executionProvider: 'cpu',
      runMs: 12.5,
      seq: 1,
      failCode: null,
      reason: null,
      offeredAt: env.clock.ms - 1000,
      updatedAt: env.clock.ms - 1000,
    });
    expect(items[0]).toMatchObject({ state: 'failed', failCode: 'model_missing', credited: null, seq: null, deviceId: null });
  });

  it('walks every job exactly once, in order, even while new jobs arrive between pages', () => {
    for (let i = 0; i < 23; i++) offer(`j${i}`);
    const pages = allPages(5, (page) => {
      // The marketplace keeps offering while the person pages back.
      offer(`late${page}a`);
      offer(`late${page}b`);
    });
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat().map((item) => item.id)).toEqual(Array.from({ length: 23 }, (_, i) => `j${22 - i}`));
    // The late ones are all before the first page, newest first.
    expect(env.ledger.history.page({ limit: 10 }).items.map((item) => item.id)).toEqual(
      ['late5b', 'late5a', 'late4b', 'late4a', 'late3b', 'late3a', 'late2b', 'late2a', 'late1b', 'late1a'],
    );
  });

  it('filters by state and still pages', () => {
    for (let i = 0; i < 6; i++) {
      offer(`f${i}`);
      if (i % 2 === 0) env.ledger.jobs.reject(`f${i}`, 'busy');
    }
    const rejected = env.ledger.history.page({ states: ['rejected'], limit: 2 });
    expect(rejected.items.map((item) => item.id)).toEqual(['f4', 'f2']);
    const rest = env.ledger.history.page({ states: ['rejected'], limit: 2, cursor: rejected.nextCursor });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: 'f0', reason: 'busy' })], nextCursor: null });
    expect(env.ledger.history.page({ states: ['offered', 'rejected'] }).items).toHaveLength(6);
  });

  it('caps the page size and refuses a forged cursor', () => {
    expect(() => env.ledger.history.page({ limit: MAX_PAGE_SIZE + 1 })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => env.ledger.history.page({ limit: 0 })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    for (const cursor of ['', '12', 'j0', 'j-1', "j1' OR 1=1", 'j99999999999999999999']) {
      expect(() => env.ledger.history.page({ cursor })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
    expect(env.ledger.history.page({ limit: MAX_PAGE_SIZE })).toEqual({ items: [], nextCursor: null });
  });
});
