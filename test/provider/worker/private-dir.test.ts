import { existsSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPrivateDirs, createPrivateDir, removePrivateDir, workerTmpRoot } from '../../../provider/worker/private-dir.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('private working folders', () => {
  it('are fresh, empty, private to the user, under worker-tmp, and named safely', async () => {
    const a = createPrivateDir(temp.dir, '../gpu 0');
    const b = createPrivateDir(temp.dir, '../gpu 0');
    expect(a).not.toBe(b);
    expect(a.startsWith(`${workerTmpRoot(temp.dir)}/___gpu_0-`)).toBe(true);
    expect(statSync(a).mode & 0o777).toBe(0o700);
    expect(statSync(workerTmpRoot(temp.dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(a)).toEqual([]);
  });

  it('are removed with their contents, and stale ones are cleared at start', async () => {
    const a = createPrivateDir(temp.dir, 'cpu');
    writeFileSync(join(a, 'left.bin'), 'x');
    removePrivateDir(a);
    expect(existsSync(a)).toBe(false);
    createPrivateDir(temp.dir, 'cpu');
    createPrivateDir(temp.dir, 'gpu');
    clearPrivateDirs(temp.dir);
    expect(await readdir(workerTmpRoot(temp.dir))).toEqual([]);
    clearPrivateDirs(join(temp.dir, 'missing'));
  });
});
