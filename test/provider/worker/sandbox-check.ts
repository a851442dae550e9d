/**
 * Whether bubblewrap really works on this machine, asked independently of the launcher's own check so
 * a test can hold the launcher to it: when bwrap can start Node in fresh namespaces here, the worker's
 * sandbox report must say bubblewrap.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';

export const BWRAP = '/usr/bin/bwrap';
export const PRLIMIT = '/usr/bin/prlimit';

let works: boolean | undefined;

/** True when /usr/bin/bwrap exists and runs `node -e 0` with every namespace unshared. */
export function bubblewrapWorksHere(): boolean {
  if (works !== undefined) return works;
  if (process.platform !== 'linux' || !existsSync(BWRAP)) return (works = false);
  try {
    const node = realpathSync(process.execPath);
    execFileSync(BWRAP, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', node, '-e', '0'], {
      timeout: 10_000,
      stdio: 'ignore',
      env: {},
    });
    works = true;
  } catch {
    works = false;
  }
  return works;
}
