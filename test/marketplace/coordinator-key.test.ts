/** The coordinator key: made once in the data folder (0600), the same address afterwards; a named file must exist. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COORDINATOR_KEY_FILE, CoordinatorKeyError, loadCoordinatorKey } from '../../marketplace/coordinator-key.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (temp = await makeTempDir('hearth-coordinator-key-')));
afterEach(async () => temp.remove());

describe('coordinator key', () => {
  it('is made on first run, private, and loads as the same address afterwards', async () => {
    const first = await loadCoordinatorKey({ dataDir: temp.dir });
    expect(first).toMatchObject({ created: true, path: join(temp.dir, COORDINATOR_KEY_FILE) });
    if (process.platform !== 'win32') expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    const second = await loadCoordinatorKey({ dataDir: temp.dir });
    expect(second.created).toBe(false);
    expect(second.account.address).toBe(first.account.address);
  });

  it('reads a named file (JSON or one hex line) and never creates one', async () => {
    const file = join(temp.dir, 'key.txt');
    await writeFile(file, `0x${'01'.repeat(32)}\n`);
    // The protocol's test-vector coordinator key (docs/protocol.md §10).
    expect((await loadCoordinatorKey({ dataDir: temp.dir, keyFile: file })).account.address).toBe('0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1');
    await expect(loadCoordinatorKey({ dataDir: temp.dir, keyFile: join(temp.dir, 'missing.json') })).rejects.toBeInstanceOf(CoordinatorKeyError);
  });

  it('refuses a damaged file without echoing it, and leaves it in place', async () => {
    const secret = `{"version":1,"privateKey":"0x${'ab'.repeat(31)}"}`;
    await writeFile(join(temp.dir, COORDINATOR_KEY_FILE), secret);
    const error = await loadCoordinatorKey({ dataDir: temp.dir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CoordinatorKeyError);
    expect((error as Error).message).not.toContain('abab');
    expect(await readFile(join(temp.dir, COORDINATOR_KEY_FILE), 'utf8')).toBe(secret);
  });
});
