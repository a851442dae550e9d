/**
 * `Ledger.later`: writes that wait to share a commit. They go into the next `atomically` transaction
 * (before its own steps, one commit for all), or commit on their own after the timer, or at `close`;
 * each promise settles only once its write is on disk, a write that throws is undone alone and rejects
 * alone, and the order they were queued in is kept. Commits are counted in the real -wal file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SIG, makeSpec, tempLedger } from './ledger-fixtures.js';
import { walCommits } from './wal-commits.js';

let env: Awaited<ReturnType<typeof tempLedger>>;
beforeEach(async () => (env = await tempLedger()));
afterEach(async () => env.cleanup());

/** The job's state as another, read-only connection to the file sees it: what is committed. */
function committedState(id: string): string | null {
  const other = new Database(env.path, { readonly: true });
  try {
    const row = other.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined;
    return row?.state ?? null;
  } finally {
    other.close();
  }
}

describe('Ledger.later', () => {
  it('commits waiting writes inside the next transaction, before its own steps, in one commit', async () => {
    const { ledger, path } = env;
    const before = walCommits(path);
    const settled: string[] = [];
    const first = ledger.later(() => void ledger.jobs.offer(makeSpec('a'), SIG)).then(() => settled.push('a'));
    const second = ledger.later(() => void ledger.jobs.accept('a')).then(() => settled.push('accept a'));
    expect(walCommits(path)).toBe(before);
    expect(committedState('a')).toBeNull();
    // The transaction's own step needs the queued writes first: the job must exist and be accepted.
    ledger.atomically(() => void ledger.jobs.fail('a', 'internal', 'after accept'));
    await Promise.all([first, second]);
    expect(settled).toEqual(['a', 'accept a']);
    expect(walCommits(path)).toBe(before + 1);
    expect(committedState('a')).toBe('failed');
  });

  it('commits on its own after the timer when no transaction comes', async () => {
    const { ledger, path } = env;
    const before = walCommits(path);
    await ledger.later(() => void ledger.jobs.offer(makeSpec('t1'), SIG));
    expect(walCommits(path)).toBe(before + 1);
    expect(committedState('t1')).toBe('offered');
  });

  it('groups writes queued together into one commit', async () => {
    const { ledger, path } = env;
    const before = walCommits(path);
    await Promise.all(['g1', 'g2', 'g3'].map((id) => ledger.later(() => void ledger.jobs.offer(makeSpec(id), SIG))));
    expect(walCommits(path)).toBe(before + 1);
    expect(['g1', 'g2', 'g3'].map(committedState)).toEqual(['offered', 'offered', 'offered']);
  });

  it('commits what is waiting at close', async () => {
    const { ledger } = env;
    const written = ledger.later(() => void ledger.jobs.offer(makeSpec('c1'), SIG));
    ledger.close();
    await written;
    expect(committedState('c1')).toBe('offered');
  });

  it('rejects only the write that throws; the others commit, in order', async () => {
    const { ledger } = env;
    const order: string[] = [];
    const ok1 = ledger.later(() => (ledger.jobs.offer(makeSpec('o1'), SIG), order.push('o1')));
    // Accepting a job the ledger does not hold throws job_unknown (after this write's own offer, which is undone with it).
    const bad = ledger.later(() => (ledger.jobs.offer(makeSpec('undone'), SIG), ledger.jobs.accept('missing')));
    const ok2 = ledger.later(() => (ledger.jobs.offer(makeSpec('o2'), SIG), order.push('o2')));
    await expect(bad).rejects.toMatchObject({ code: 'job_unknown' });
    await Promise.all([ok1, ok2]);
    expect(order).toEqual(['o1', 'o2']);
    expect([committedState('o1'), committedState('undone'), committedState('o2')]).toEqual(['offered', null, 'offered']);
  });

  it('keeps waiting writes when the transaction they joined rolls back, and commits them later', async () => {
    const { ledger } = env;
    const written = ledger.later(() => void ledger.jobs.offer(makeSpec('kept'), SIG));
    expect(() => ledger.atomically(() => ledger.jobs.accept('nobody'))).toThrow(expect.objectContaining({ code: 'job_unknown' }));
    await written;
    expect(committedState('kept')).toBe('offered');
  });

  it('refuses writes once the ledger is closed', async () => {
    const { ledger } = env;
    ledger.close();
    await expect(ledger.later(() => void ledger.jobs.offer(makeSpec('late'), SIG))).rejects.toThrow(/closed/);
  });
});
