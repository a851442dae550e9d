/**
 * Which GPU processes are Hearth's own: a worker's pid, or (on Linux) any process descended from one,
 * because a sandboxed worker runs inside bubblewrap and its inference process is a child of the pid the
 * pool knows. Our own processes are never "another program using the GPU" for gaming mode.
 */
import { readFileSync } from 'node:fs';

/** Reads a process's parent pid, or null when it cannot (gone, not Linux). */
export type ParentOf = (pid: number) => number | null;

/** The parent pid from /proc/<pid>/stat (field 4, after the parenthesised command name). */
export const procParentOf: ParentOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(parent) && parent > 0 ? parent : null;
  } catch {
    return null;
  }
};

const MAX_DEPTH = 16;

/** A check that is true for `roots()` (and this process), and for their descendants where `parentOf` can tell. */
export function ownProcessCheck(roots: () => readonly number[], parentOf: ParentOf = process.platform === 'linux' ? procParentOf : () => null): (pid: number) => boolean {
  return (pid) => {
    const own = new Set([process.pid, ...roots()]);
    let current: number | null = pid;
    for (let depth = 0; current !== null && current > 1 && depth < MAX_DEPTH; depth += 1) {
      if (own.has(current)) return true;
      current = parentOf(current);
    }
    return false;
  };
}
