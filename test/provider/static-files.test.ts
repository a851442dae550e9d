import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStaticFile } from '../../provider/static-files.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let root: string;
let outside: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir();
  remove = temp.remove;
  root = join(temp.dir, 'renderer');
  outside = join(temp.dir, 'secret');
  await mkdir(join(root, 'assets'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'index.html'), '<!doctype html>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(outside, 'key.js'), 'secret');
  await symlink(join(outside, 'key.js'), join(root, 'assets', 'escape.js'));
  await symlink(outside, join(root, 'linked-dir'));
});
afterAll(() => remove());

describe('resolveStaticFile', () => {
  it('serves index.html for / and files inside the folder with their content type', async () => {
    expect(await resolveStaticFile(root, '/')).toMatchObject({ path: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(await resolveStaticFile(root, '/assets/app.js?v=1')).toMatchObject({ contentType: 'text/javascript; charset=utf-8' });
  });

  it.each([
    '/../secret/key.js',
    '/assets/../../secret/key.js',
    '/%2e%2e/secret/key.js',
    '/assets/%2e%2e%2f%2e%2e%2fsecret%2fkey.js',
    '/..%5csecret%5ckey.js',
    '/assets\\..\\..\\secret\\key.js',
    '/assets/escape.js',
    '/linked-dir/key.js',
    '/assets/app.js%00.html',
    '/%E0%A4%A',
    '/assets',
    '/missing.js',
    '/package.json',
    '/assets/app.exe',
  ])('refuses %s', async (path) => {
    expect(await resolveStaticFile(root, path)).toBeNull();
  });
});
