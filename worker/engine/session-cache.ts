/**
 * Warm onnxruntime sessions, least recently used first out, under a memory budget. A session's cost is
 * an estimate, not a measurement (RSS is process-wide and moves with every run): measured here with
 * onnxruntime-node 1.30 on CPU, a loaded session holds 1.7–2.2× its model's bytes for weight-heavy models
 * (PP-OCRv4 recognition 10.8 MB → 18.8 MB, detection 4.7 MB → 10.3 MB) and ~10 MB more for small ones
 * (Silero VAD 2.3 MB → 12.4 MB), so the estimate is 2 × model bytes + 8 MiB.
 */

/** The estimated memory cost of a session for a model of `modelBytes` bytes. */
export function estimateSessionBytes(modelBytes: number): number {
  return 2 * modelBytes + 8 * 1024 * 1024;
}

type Releasable = { release(): Promise<void> };

type Entry<S> = { value: S; cost: number };

/** An LRU map of sessions by model hash; evicted sessions are released. */
export class SessionCache<S extends Releasable> {
  private readonly entries = new Map<string, Entry<S>>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly onRelease: (key: string, error: unknown) => void = () => {},
  ) {}

  /** The session for `key`, now the most recently used; undefined when not warm. */
  get(key: string): S | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The session for `key` without making it the most recently used. */
  peek(key: string): S | undefined {
    return this.entries.get(key)?.value;
  }

  /** Puts `value` in place of `key`'s session, same cost and place in the order; the old one is released. */
  replace(key: string, value: S): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    const old = entry.value;
    entry.value = value;
    old.release().catch((error: unknown) => this.onRelease(key, error));
    return true;
  }

  /**
   * Adds a session and evicts the least recently used others until the total fits the budget. The new
   * one is never evicted by its own insertion, even when it alone exceeds the budget: it is about to run.
   */
  add(key: string, value: S, cost: number): string[] {
    this.remove(key);
    this.entries.set(key, { value, cost });
    this.bytes += cost;
    const evicted: string[] = [];
    for (const other of this.entries.keys()) {
      if (this.bytes <= this.budgetBytes) break;
      if (other === key) continue;
      this.remove(other);
      evicted.push(other);
    }
    return evicted;
  }

  /** Releases and forgets the session for `key`; false when there was none. */
  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.bytes -= entry.cost;
    entry.value.release().catch((error: unknown) => this.onRelease(key, error));
    return true;
  }

  /** Warm model hashes, most recently used first. */
  keys(): string[] {
    return [...this.entries.keys()].reverse();
  }

  /** The estimated bytes of every warm session together. */
  get totalBytes(): number {
    return this.bytes;
  }
}
