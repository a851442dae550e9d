/**
 * The content-addressed model cache on disk: `<dir>/<sha256>.onnx`, files 0644 in a 0755 folder so the
 * sandboxed worker can read them and nothing else. The provider writes (hash checked first, atomically);
 * the worker only reads. Last use is the file's mtime, so LRU order survives a restart; a size cap evicts
 * the least recently used models, never one that is pinned as in use. Symlinks, hard links and other
 * non-plain files under a model's name are never adopted: `has` and `list` do not see them, `put`
 * replaces them, and `open` removes them.
 */
import { chmod, lstat, mkdir, readdir, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { ModelCacheError } from './model-cache-error.js';
import { sha256HexChunked } from './sha256-chunked.js';

export interface CachedModel {
  sha256: string;
  bytes: number;
  /** Milliseconds since epoch of the last `put` or `touch`. */
  lastUsedMs: number;
  pinned: boolean;
}

export interface ModelCacheOptions {
  dir: string;
  /** Total size the cache keeps itself under, pinned models permitting. */
  maxBytes: number;
  now?: () => number;
}

const MODEL_NAME = /^([0-9a-f]{64})\.onnx$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// writeFileAtomic's temp files: `.<name>.<random>.tmp`.
const TEMP_NAME = /^\..+\.tmp$/;

/** On-disk models by sha256, with LRU eviction under a size cap. */
export class ModelCache {
  private readonly pins = new Map<string, number>();

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly now: () => number,
    /** Names `open` removed: temp files a crash left, and links or non-files posing as models. */
    readonly removedAtOpen: readonly string[],
  ) {}

  /** Opens the cache folder (creating it 0755) and clears what a crash or a stranger left in it. */
  static async open(options: ModelCacheOptions): Promise<ModelCache> {
    await mkdir(options.dir, { recursive: true, mode: 0o755 });
    if (process.platform !== 'win32') await chmod(options.dir, 0o755);
    const removed: string[] = [];
    for (const name of await readdir(options.dir)) {
      const model = MODEL_NAME.test(name);
      if (!model && !TEMP_NAME.test(name)) continue;
      const stats = await lstat(join(options.dir, name)).catch(() => null);
      if (stats === null || stats.isDirectory()) continue;
      if (!model || !stats.isFile() || stats.nlink > 1) {
        // unlink drops only this name: a symlink's target and a hard link's other names stay untouched.
        await unlink(join(options.dir, name)).catch(() => undefined);
        removed.push(name);
      }
    }
    return new ModelCache(options.dir, options.maxBytes, options.now ?? Date.now, removed);
  }

  /** Where the model with this hash lives (whether or not it is there). */
  path(sha256: string): string {
    return join(this.dir, `${checkHash(sha256)}.onnx`);
  }

  /** Whether the model is cached as a plain, single-link file. */
  async has(sha256: string): Promise<boolean> {
    return (await this.entry(sha256)) !== null;
  }

  /**
   * Stores a model after checking its bytes hash to `declaredSha256`, then evicts least recently used
   * models over the cap. Pin the hash first when a job is waiting for it, so eviction cannot race the load.
   */
  async put(bytes: Uint8Array, declaredSha256: string): Promise<{ model: CachedModel; evicted: string[] }> {
    if (!SHA256_HEX.test(declaredSha256)) throw new ModelCacheError('model_hash_mismatch', 'The declared model hash is not 64 lowercase hex digits.');
    const sha256 = declaredSha256;
    if (bytes.byteLength > this.maxBytes) {
      throw new ModelCacheError('model_too_large', `Model ${short(sha256)} is ${mb(bytes.byteLength)}; the model cache holds at most ${mb(this.maxBytes)}.`);
    }
    const actual = await sha256HexChunked(bytes);
    if (actual !== sha256) {
      throw new ModelCacheError('model_hash_mismatch', `Model ${short(sha256)} does not match its hash: the bytes hash to ${short(actual)}. Fetch it again.`);
    }
    const path = this.path(sha256);
    await writeFileAtomic(path, bytes, 0o644);
    // The umask may have narrowed the mode; the sandboxed worker needs to read the file.
    if (process.platform !== 'win32') await chmod(path, 0o644);
    await this.setLastUse(path);
    const evicted = await this.evict(sha256);
    const model = await this.entry(sha256);
    if (model === null) throw new ModelCacheError('model_missing', `Model ${short(sha256)} vanished from the cache right after it was written.`);
    return { model, evicted };
  }

  /** Marks the model as used now; false when it is not cached. */
  async touch(sha256: string): Promise<boolean> {
    if ((await this.entry(sha256)) === null) return false;
    await this.setLastUse(this.path(sha256));
    return true;
  }

  /** Keeps the model from eviction until the returned function is called (pins count up). */
  pin(sha256: string): () => void {
    const key = checkHash(sha256);
    this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pins.get(key) ?? 1) - 1;
      if (left <= 0) this.pins.delete(key);
      else this.pins.set(key, left);
    };
  }

  /** Whether someone holds a pin on the model. */
  isPinned(sha256: string): boolean {
    return this.pins.has(sha256);
  }

  /** Deletes the model (pinned or not: the caller decides); false when it was not there. */
  async remove(sha256: string): Promise<boolean> {
    try {
      await unlink(this.path(sha256));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Every cached model, most recently used first. */
  async list(): Promise<CachedModel[]> {
    const models: CachedModel[] = [];
    for (const name of await readdir(this.dir)) {
      const hash = MODEL_NAME.exec(name)?.[1];
      if (hash === undefined) continue;
      const model = await this.entry(hash);
      if (model !== null) models.push(model);
    }
    return models.sort((a, b) => b.lastUsedMs - a.lastUsedMs || a.sha256.localeCompare(b.sha256));
  }

  /** Bytes the cached models take. */
  async totalBytes(): Promise<number> {
    return (await this.list()).reduce((sum, m) => sum + m.bytes, 0);
  }

  /** Removes least recently used, unpinned models until the total fits the cap; returns their hashes. */
  async evict(keep?: string): Promise<string[]> {
    const models = await this.list();
    let total = models.reduce((sum, m) => sum + m.bytes, 0);
    const evicted: string[] = [];
    for (const model of models.reverse()) {
      if (total <= this.maxBytes) break;
      if (model.pinned || model.sha256 === keep) continue;
      if (await this.remove(model.sha256)) evicted.push(model.sha256);
      total -= model.bytes;
    }
    return evicted;
  }

  private async entry(sha256: string): Promise<CachedModel | null> {
    const stats = await lstat(this.path(sha256)).catch(() => null);
    if (stats === null || !stats.isFile() || stats.nlink !== 1) return null;
    return { sha256, bytes: stats.size, lastUsedMs: Math.round(stats.mtimeMs), pinned: this.isPinned(sha256) };
  }

  private async setLastUse(path: string): Promise<void> {
    const seconds = this.now() / 1000;
    await utimes(path, seconds, seconds);
  }
}

function checkHash(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new ModelCacheError('model_missing', 'A model hash must be 64 lowercase hex digits.');
  return sha256;
}

function short(sha256: string): string {
  return `${sha256.slice(0, 8)}…`;
}

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
