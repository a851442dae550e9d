/**
 * Dynamic batching in the worker's control thread: jobs with the same batch key are handed over
 * together. A group goes when it holds `maxBatch` rows, when the engine is idle (so a job arriving at a
 * quiet worker waits for nothing but the jobs that arrived in the same turn of the event loop), or at
 * the latest after `maxDelayMs`. While the engine is busy, arriving jobs gather into the next batch.
 * What a group does is the caller's `runGroup`; the batcher only decides who goes with whom and when.
 */

export type BatchOptions = {
  maxBatch: number;
  maxDelayMs: number;
  /** Whether the engine has nothing to do right now; a group waits only while this is false. */
  engineIdle?: () => boolean;
};

type Group<J> = { jobs: J[]; rows: number; timer: NodeJS.Timeout };

/** Groups jobs by batch key and hands each group over when it is full, the engine is idle, or time is up. */
export class Batcher<J> {
  private readonly groups = new Map<string, Group<J>>();
  private idleCheck: NodeJS.Immediate | null = null;

  constructor(
    private readonly options: BatchOptions,
    private readonly runGroup: (jobs: J[]) => void,
  ) {}

  /** Queues a job of `rows` rows under `key`; a job of maxBatch rows or more goes alone at once. */
  submit(key: string, job: J, rows: number): void {
    if (rows >= this.options.maxBatch) {
      this.runGroup([job]);
      return;
    }
    let group = this.groups.get(key);
    if (group !== undefined && group.rows + rows > this.options.maxBatch) {
      this.flush(key);
      group = undefined;
    }
    if (group === undefined) {
      group = { jobs: [], rows: 0, timer: setTimeout(() => this.flush(key), this.options.maxDelayMs) };
      this.groups.set(key, group);
    }
    group.jobs.push(job);
    group.rows += rows;
    if (group.rows >= this.options.maxBatch) this.flush(key);
    else this.scheduleIdleCheck();
  }

  /** Tells the batcher the engine just finished something: waiting groups go if it is now idle. */
  engineSettled(): void {
    this.scheduleIdleCheck();
  }

  /** Hands every waiting group over now (used on shutdown). */
  flushAll(): void {
    for (const key of [...this.groups.keys()]) this.flush(key);
  }

  private scheduleIdleCheck(): void {
    const idle = this.options.engineIdle;
    if (idle === undefined || this.idleCheck !== null) return;
    // After the current turn, so jobs that arrived in the same read of the channel join the group.
    this.idleCheck = setImmediate(() => {
      this.idleCheck = null;
      if (idle()) this.flushAll();
    });
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (group === undefined) return;
    this.groups.delete(key);
    clearTimeout(group.timer);
    this.runGroup(group.jobs);
  }
}
