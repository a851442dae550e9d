/**
 * Each worker process gets a fresh, empty working folder (mode 0700) under the data folder's
 * `worker-tmp/`: its cwd, HOME and temp folder, and the only place it may write. Removed when it exits.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The folder inside the data folder that holds the workers' private folders. */
export function workerTmpRoot(dataDir: string): string {
  return join(dataDir, 'worker-tmp');
}

/** Creates a fresh private folder for one worker and returns its absolute path. */
export function createPrivateDir(dataDir: string, name: string): string {
  const root = workerTmpRoot(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40) || 'worker';
  // mkdtemp creates the folder with mode 0700.
  return mkdtempSync(join(root, `${safe}-`));
}

/** Removes one worker's private folder and everything in it. */
export function removePrivateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
}

/** Removes private folders left by workers of an earlier run (only one provider owns a data folder). */
export function clearPrivateDirs(dataDir: string): void {
  const root = workerTmpRoot(dataDir);
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const entry of entries) removePrivateDir(join(root, entry));
}
