/**
 * contracts/generated/ is what the Solidity sources compile to today: the committed ABI and bytecode
 * cannot drift from the .sol files. One compile (solc-js, ~5 s) checks the committed folder and a copy
 * with one file changed, which must be reported stale.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsBuild } from '../../contracts/generated/build-info.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

let temp: { dir: string; remove: () => Promise<void> };
let result: { code: number; stdout: string; stderr: string };
beforeAll(async () => {
  temp = await makeTempDir('hearth-contracts-');
  await cp(join(process.cwd(), 'contracts/generated'), temp.dir, { recursive: true });
  const file = join(temp.dir, 'PayoutVault.ts');
  await writeFile(file, (await readFile(file, 'utf8')).replace('"claim"', '"claim2"'));
  result = await run(process.execPath, ['contracts/compile.mjs', '--check', '--out', 'contracts/generated', '--out', temp.dir], { cwd: process.cwd() }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}, 120_000);
afterAll(async () => {
  await temp.remove();
});

describe('contracts/generated', () => {
  it('is current with the Solidity sources and the pinned compiler settings', () => {
    expect(result.stderr).toMatch(/^contracts_stale: /);
    expect(result.stderr).not.toContain('contracts/generated/');
    expect(contractsBuild.settings.evmVersion).toBe('cancun');
    expect(contractsBuild.compiler).toMatch(/^solc-js 0\.8\.37\+/);
  });

  it('is reported stale (contracts_stale, exit 1) when an output file differs', () => {
    expect(result.code).toBe(1);
    const stale = result.stderr.replace(/^contracts_stale: /, '').split(' differ')[0]?.split(', ');
    expect(stale).toEqual([relative(process.cwd(), join(temp.dir, 'PayoutVault.ts'))]);
  });
});
