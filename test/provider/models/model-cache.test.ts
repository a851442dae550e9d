import { createHash } from 'node:crypto';
import { link, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../../provider/models/model-cache.js';
import { ModelCacheError } from '../../../provider/models/model-cache-error.js';
import { sha256HexChunked } from '../../../provider/models/sha256-chunked.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { admitModel } from '../../../worker/admission/model-admission.js';
import { readModelFile } from '../../../worker/admission/model-file.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const posix = process.platform !== 'win32';
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Distinct 1000-byte payloads: the cache stores bytes by hash and never parses them. */
const blob = (n: number) => new Uint8Array(1000).fill(n);

let root: string;
let removeRoot: () => Promise<void>;
let clock: number;
const now = () => clock;
beforeEach(async () => {
  ({ dir: root, remove: removeRoot } = await makeTempDir());
  clock = 1_700_000_000_000;
});
afterEach(() => removeRoot());

async function openCache(maxBytes = 3500): Promise<ModelCache> {
  return ModelCache.open({ dir: join(root, 'models'), maxBytes, now });
}

async function rejection(promise: Promise<unknown>): Promise<ModelCacheError> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ModelCacheError);
  return error as ModelCacheError;
}

async function putAt(cache: ModelCache, bytes: Uint8Array, at: number): Promise<string[]> {
  clock = at;
  return (await cache.put(bytes, sha(bytes))).evicted;
}

describe('ModelCache', () => {
  it('stores a model under its hash, readable by others (0644 in a 0755 folder)', async () => {
    const cache = await openCache();
    const model = buildMlp({ inputDim: 3, hidden: 3, outputDim: 3, batch: 1, seed: 1 });
    const { model: entry, evicted } = await cache.put(model, sha(model));
    expect(evicted).toEqual([]);
    expect(entry).toEqual({ sha256: sha(model), bytes: model.byteLength, lastUsedMs: clock, pinned: false });
    expect(cache.path(sha(model))).toBe(join(root, 'models', `${sha(model)}.onnx`));
    expect(Buffer.from(await readFile(cache.path(sha(model)))).equals(Buffer.from(model))).toBe(true);
    if (posix) {
      expect((await stat(cache.path(sha(model)))).mode & 0o777).toBe(0o644);
      expect((await stat(cache.dir)).mode & 0o777).toBe(0o755);
    }
    expect(await cache.has(sha(model))).toBe(true);
  });

  it('hands the worker exactly what it stored: readModelFile and admission accept it', async () => {
    const cache = await openCache(1024 * 1024);
    const model = buildMlp({ inputDim: 3, hidden: 3, outputDim: 3, batch: 'dynamic', seed: 2 });
    await cache.put(model, sha(model));
    const bytes = await readModelFile(cache.dir, sha(model), DEFAULT_WORKER_LIMITS.maxModelBytes);
    expect(admitModel(bytes, sha(model), DEFAULT_WORKER_LIMITS).inputs[0]!.name).toBe('x');
  });

  it('verifies the hash before writing anything', async () => {
    const cache = await openCache();
    const error = await rejection(cache.put(blob(1), sha(blob(2))));
    expect(error.code).toBe('model_hash_mismatch');
    expect(error.message).toBe(`Model ${sha(blob(2)).slice(0, 8)}… does not match its hash: the bytes hash to ${sha(blob(1)).slice(0, 8)}…. Fetch it again.`);
    expect((await rejection(cache.put(blob(1), '../../etc/passwd'))).code).toBe('model_hash_mismatch');
    expect(await readdir(cache.dir)).toEqual([]);
  });

  it('refuses a model bigger than the whole cache', async () => {
    const cache = await openCache(999);
    const error = await rejection(cache.put(blob(1), sha(blob(1))));
    expect(error.code).toBe('model_too_large');
    expect(await readdir(cache.dir)).toEqual([]);
  });

  it('lists models with sizes, most recently used first, and touch moves one to the front', async () => {
    const cache = await openCache();
    await putAt(cache, blob(1), clock + 1000);
    await putAt(cache, blob(2), clock + 1000);
    await putAt(cache, new Uint8Array(500), clock + 1000);
    expect((await cache.list()).map((m) => [m.sha256, m.bytes])).toEqual([
      [sha(new Uint8Array(500)), 500],
      [sha(blob(2)), 1000],
      [sha(blob(1)), 1000],
    ]);
    clock += 1000;
    expect(await cache.touch(sha(blob(1)))).toBe(true);
    expect((await cache.list())[0]).toMatchObject({ sha256: sha(blob(1)), lastUsedMs: clock });
    expect(await cache.touch(sha(blob(9)))).toBe(false);
    expect(await cache.totalBytes()).toBe(2500);
  });

  it('evicts the least recently used models over the cap', async () => {
    const cache = await openCache(3500);
    const t = clock;
    await putAt(cache, blob(1), t + 1);
    await putAt(cache, blob(2), t + 2);
    await putAt(cache, blob(3), t + 3);
    clock = t + 4;
    await cache.touch(sha(blob(1)));
    expect(await putAt(cache, blob(4), t + 5)).toEqual([sha(blob(2))]);
    expect(await cache.has(sha(blob(2)))).toBe(false);
    expect(await putAt(cache, blob(5), t + 6)).toEqual([sha(blob(3))]);
    expect((await cache.list()).map((m) => m.sha256)).toEqual([sha(blob(5)), sha(blob(4)), sha(blob(1))]);
  });

  it('never evicts a pinned model, and goes over the cap rather than drop one in use', async () => {
    const cache = await openCache(2500);
    const t = clock;
    await putAt(cache, blob(1), t + 1);
    await putAt(cache, blob(2), t + 2);
    const release1 = cache.pin(sha(blob(1)));
    expect(await putAt(cache, blob(3), t + 3)).toEqual([sha(blob(2))]);
    const release3 = cache.pin(sha(blob(3)));
    expect(await putAt(cache, blob(4), t + 4)).toEqual([]);
    expect(await cache.totalBytes()).toBe(3000);
    expect((await cache.list()).filter((m) => m.pinned).map((m) => m.sha256).sort()).toEqual([sha(blob(1)), sha(blob(3))].sort());
    // Pins count: a second pin keeps the model after the first is released.
    const again = cache.pin(sha(blob(1)));
    release1();
    release1();
    expect(cache.isPinned(sha(blob(1)))).toBe(true);
    again();
    release3();
    expect(await cache.evict()).toEqual([sha(blob(1))]);
    expect(await cache.totalBytes()).toBe(2000);
  });

  it('remembers last use across a restart (mtime), so LRU order survives', async () => {
    const first = await openCache(3500);
    const t = clock;
    await putAt(first, blob(1), t + 1);
    await putAt(first, blob(2), t + 2);
    await putAt(first, blob(3), t + 3);
    clock = t + 4;
    await first.touch(sha(blob(1)));
    const second = await openCache(3500);
    expect(await putAt(second, blob(4), t + 5)).toEqual([sha(blob(2))]);
  });

  it('removes a model on request', async () => {
    const cache = await openCache();
    await cache.put(blob(1), sha(blob(1)));
    expect(await cache.remove(sha(blob(1)))).toBe(true);
    expect(await cache.remove(sha(blob(1)))).toBe(false);
    expect(await cache.list()).toEqual([]);
  });

  it.runIf(posix)('never adopts a symlink or a hard link posing as a model, and leaves their targets alone', async () => {
    const cache = await openCache();
    // A symlink under blob(1)'s name pointing at other bytes, and a hard link to a file outside.
    const outside = join(root, 'outside.onnx');
    await writeFile(outside, blob(8));
    await symlink(outside, cache.path(sha(blob(1))));
    await writeFile(join(root, 'hard.onnx'), blob(2));
    await link(join(root, 'hard.onnx'), cache.path(sha(blob(2))));
    expect(await cache.has(sha(blob(1)))).toBe(false);
    expect(await cache.has(sha(blob(2)))).toBe(false);
    expect(await cache.list()).toEqual([]);
    expect(await cache.touch(sha(blob(1)))).toBe(false);

    // put replaces the link with a file of its own instead of writing through it.
    await cache.put(blob(1), sha(blob(1)));
    expect(await cache.has(sha(blob(1)))).toBe(true);
    expect(Buffer.from(await readFile(cache.path(sha(blob(1))))).equals(Buffer.from(blob(1)))).toBe(true);
    expect(Buffer.from(await readFile(outside)).equals(Buffer.from(blob(8)))).toBe(true);

    // Reopening clears what is left (the hard link), without touching the other name.
    const reopened = await openCache();
    expect(reopened.removedAtOpen).toEqual([`${sha(blob(2))}.onnx`]);
    expect(Buffer.from(await readFile(join(root, 'hard.onnx'))).equals(Buffer.from(blob(2)))).toBe(true);
  });

  it('leaves no temp files, and clears those a crash left behind', async () => {
    const cache = await openCache(10_000);
    await Promise.all([1, 2, 3, 4].map((n) => cache.put(blob(n), sha(blob(n)))));
    await cache.put(blob(1), sha(blob(5))).catch(() => undefined);
    const names = await readdir(cache.dir);
    expect(names.sort()).toEqual([1, 2, 3, 4].map((n) => `${sha(blob(n))}.onnx`).sort());

    const stale = `.${sha(blob(9))}.onnx.0a1b2c.tmp`;
    await writeFile(join(cache.dir, stale), blob(9).subarray(0, 10));
    const reopened = await openCache(10_000);
    expect(reopened.removedAtOpen).toEqual([stale]);
    expect((await readdir(cache.dir)).some((n) => n.endsWith('.tmp'))).toBe(false);
  });
});

describe('sha256HexChunked', () => {
  it('hashes like node:crypto while letting timers run during a large hash', async () => {
    const bytes = new Uint8Array(64 * 1024 * 1024).fill(7);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const hex = await sha256HexChunked(bytes);
    clearInterval(timer);
    expect(hex).toBe(sha(bytes));
    expect(ticks).toBeGreaterThan(2);
    expect(await sha256HexChunked(new Uint8Array(0))).toBe(sha(new Uint8Array(0)));
  });
});
