/**
 * Peak memory from /proc (Linux). The supervisor knows the pid of the sandbox wrapper (bubblewrap), so
 * the worker's Node process is found among its descendants; its VmHWM (peak resident set) is read from
 * /proc/<pid>/status, the wrappers' few MB left out. The raw child reads its own the same way.
 */
import { readFileSync, readdirSync, realpathSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** Pids of every live process below `root`. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The Node process under (or at) `wrapperPid` that runs `entry`, or null when none is found. */
export function workerNodePid(wrapperPid: number, entry: string): number | null {
  const node = realpathSync(process.execPath);
  for (const pid of [wrapperPid, ...descendants(wrapperPid)]) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0] === node && argv.some((arg) => arg.endsWith(entry))) return pid;
    } catch {
      // It ended while we looked.
    }
  }
  return null;
}

/** A process's peak resident set (VmHWM) in bytes, or null when it cannot be read. */
export function peakRssBytes(pid: number): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
