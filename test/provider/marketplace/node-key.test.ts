/** The node key: made once, kept 0600, the same address on every start, never replaced silently. */
import { readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_KEY_FILE, NodeKeyError, loadOrCreateNodeKey } from '../../../provider/marketplace/node-key.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (temp = await makeTempDir('hearth-node-key-')));
afterEach(async () => temp.remove());

describe('node key', () => {
  it('is created on first run with mode 0600 and loads as the same address afterwards', async () => {
    const first = await loadOrCreateNodeKey(temp.dir);
    expect(first.created).toBe(true);
    if (process.platform !== 'win32') expect((await stat(join(temp.dir, NODE_KEY_FILE))).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateNodeKey(temp.dir);
    expect(second).toMatchObject({ created: false });
    expect(second.account.address).toBe(first.account.address);
    // The account signs; it does not carry the key.
    const text = await readFile(join(temp.dir, NODE_KEY_FILE), 'utf8');
    const key = (JSON.parse(text) as { privateKey: string }).privateKey;
    expect(JSON.stringify(second.account)).not.toContain(key.slice(2));
  });

  it.skipIf(process.platform === 'win32')('narrows a key file others can read back to 0600', async () => {
    await loadOrCreateNodeKey(temp.dir);
    await chmod(join(temp.dir, NODE_KEY_FILE), 0o644);
    await loadOrCreateNodeKey(temp.dir);
    expect((await stat(join(temp.dir, NODE_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file without echoing it, and leaves it in place', async () => {
    const secret = `{"version":1,"privateKey":"0x${'ab'.repeat(31)}"}`;
    await writeFile(join(temp.dir, NODE_KEY_FILE), secret);
    const error = await loadOrCreateNodeKey(temp.dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NodeKeyError);
    expect((error as Error).message).not.toContain('abab');
    expect(await readFile(join(temp.dir, NODE_KEY_FILE), 'utf8')).toBe(secret);
  });
});
