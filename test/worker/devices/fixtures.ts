/**
 * Loading the recorded tool outputs under fixtures/, and building a /sys tree from a sysfs fixture
 * (files plus the symlinks the kernel lays out) in a temp dir, so linux-drm.ts reads a real tree.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The text of a fixture file, e.g. `nvidia-smi/h100-80gb-hbm3.csv`. */
export function fixture(path: string): Promise<string> {
  return readFile(join(FIXTURES, path), 'utf8');
}

/** Mebibytes as bytes, to write expectations the way the tools print them. */
export function mib(count: number): number {
  return count * 1024 * 1024;
}

interface SysfsFixture {
  files: Record<string, string>;
  links: Record<string, string>;
}

/** Writes `fixtures/sysfs/<name>.json` as a tree under `root`, which then stands in for `/sys`. */
export async function writeSysfsTree(root: string, name: string): Promise<void> {
  const tree = JSON.parse(await fixture(`sysfs/${name}.json`)) as SysfsFixture;
  for (const [path, content] of Object.entries(tree.files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  for (const [path, target] of Object.entries(tree.links)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await symlink(target, join(root, path));
  }
}
