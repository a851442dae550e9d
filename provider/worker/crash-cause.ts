/** What a worker's end says about why it ended, for the error its jobs fail with. */
import type { WorkerExit } from './launcher.js';

// V8 ("JavaScript heap out of memory"), C++ (std::bad_alloc), onnxruntime's arena and glibc all say so
// before aborting.
const OUT_OF_MEMORY = /out of memory|bad_alloc|failed to allocate memory|cannot allocate memory|allocation failed/i;

/** `out_of_memory` when the worker's last output reports a failed allocation, else `worker_crashed`. */
export function crashCode(recentOutput: readonly string[]): 'out_of_memory' | 'worker_crashed' {
  return recentOutput.some((line) => OUT_OF_MEMORY.test(line)) ? 'out_of_memory' : 'worker_crashed';
}

/** A short description of an exit for people: `signal SIGKILL` or `exit code 1`. */
export function describeExit(exit: WorkerExit | null): string {
  if (exit === null) return 'no exit status';
  if (exit.signal !== null) return `signal ${exit.signal}`;
  // bubblewrap reports a child killed by signal N as exit code 128 + N.
  if (exit.code !== null && exit.code > 128 && exit.code < 160) return `exit code ${exit.code} (signal ${exit.code - 128})`;
  return `exit code ${exit.code}`;
}
