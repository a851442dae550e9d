/**
 * What an end-to-end test starts, ended after each test in reverse order: temp folders, `hearth`
 * processes (SIGKILLed if still running) and anything else handed to `defer`. Also fails the file early,
 * with the command to run, when the build it needs is missing.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll } from 'vitest';
import { type HearthProcess, spawnHearth } from './hearth-process.js';
import { makeTempDir } from './temp-dir.js';

const ROOT = new URL('../../', import.meta.url);

/** Registers the hooks for one test file; `built` are the files under the app root it needs. */
export function e2eScope(built: readonly string[] = ['out/main/cli.js', 'out/main/worker.js']) {
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(() => {
    for (const file of built) {
      if (!existsSync(new URL(file, ROOT))) throw new Error(`${file} is missing; run \`npm run build\` first.`);
    }
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  return {
    /** Runs `cleanup` after the test. */
    defer(cleanup: () => Promise<unknown>): void {
      cleanups.push(cleanup);
    },
    /** A fresh temp folder, removed after the test. */
    async tempDir(prefix = 'hearth-e2e-'): Promise<string> {
      const temp = await makeTempDir(prefix);
      cleanups.push(temp.remove);
      return temp.dir;
    },
    /** Starts `hearth`, and makes sure it is gone after the test. */
    spawn(args: string[], env?: NodeJS.ProcessEnv): HearthProcess {
      const proc = spawnHearth(args, env);
      cleanups.push(async () => {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
        await proc.exited;
      });
      return proc;
    },
  };
}
