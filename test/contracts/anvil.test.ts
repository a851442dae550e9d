/**
 * The anvil launcher against the real binary: it starts on a free port with the chain id asked for,
 * keeps state only when given a folder, stops cleanly, and never outlives its parent, even a parent
 * killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnvilError, startAnvil } from '../../marketplace/chain/anvil.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const RICH = '0x000000000000000000000000000000000000bEEF';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; false if it is still there after `limitMs` (a generous bound, not a speed check). */
async function gone(pid: number, limitMs = 10_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

let temp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('hearth-anvil-');
});
afterAll(async () => {
  await temp.remove();
});

describe('startAnvil', () => {
  it('serves JSON-RPC on the port it reports, with the chain id asked for, and is gone after stop', async () => {
    const anvil = await startAnvil({ chainId: 4242 });
    try {
      expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`);
      expect(anvil.port).toBeGreaterThan(0);
      expect(await rpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x1092');
      expect(alive(anvil.pid)).toBe(true);
    } finally {
      await anvil.stop();
    }
    expect(alive(anvil.pid)).toBe(false);
    await expect(rpc(anvil.rpcUrl, 'eth_chainId')).rejects.toThrow();
    await anvil.stop(); // a second stop is harmless
  });

  it('defaults to chain 31337 and starts each time from a fresh chain', async () => {
    const first = await startAnvil();
    await rpc(first.rpcUrl, 'anvil_setBalance', [RICH, '0x1234']);
    expect(await rpc(first.rpcUrl, 'eth_getBalance', [RICH, 'latest'])).toBe('0x1234');
    await first.stop();
    const second = await startAnvil();
    try {
      expect(await rpc(second.rpcUrl, 'eth_chainId')).toBe('0x7a69');
      expect(await rpc(second.rpcUrl, 'eth_getBalance', [RICH, 'latest'])).toBe('0x0');
    } finally {
      await second.stop();
    }
  });

  it('keeps the chain across restarts when given a state folder', async () => {
    const stateDir = join(temp.dir, 'state');
    await mkdir(stateDir);
    const first = await startAnvil({ stateDir });
    await rpc(first.rpcUrl, 'anvil_setBalance', [RICH, '0x1234']);
    await rpc(first.rpcUrl, 'evm_mine');
    await first.stop();
    const second = await startAnvil({ stateDir });
    try {
      expect(await rpc(second.rpcUrl, 'eth_getBalance', [RICH, 'latest'])).toBe('0x1234');
    } finally {
      await second.stop();
    }
  });

  it('with a state interval, keeps the chain even when anvil itself is killed', async () => {
    const stateDir = join(temp.dir, 'interval');
    await mkdir(stateDir);
    const first = await startAnvil({ stateDir, stateIntervalSeconds: 1 });
    await rpc(first.rpcUrl, 'anvil_setBalance', [RICH, '0x5678']);
    await rpc(first.rpcUrl, 'evm_mine');
    const stateFile = join(stateDir, 'anvil-state.json');
    const written = async () => (await readFile(stateFile, 'utf8').catch(() => '')).includes(RICH.slice(2).toLowerCase());
    const until = Date.now() + 10_000;
    while (!(await written()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const second = await startAnvil({ stateDir });
    try {
      expect(await rpc(second.rpcUrl, 'eth_getBalance', [RICH, 'latest'])).toBe('0x5678');
    } finally {
      await second.stop();
    }
  });

  it('says anvil_missing when the binary does not exist', async () => {
    const error = await startAnvil({ binaryPath: join(temp.dir, 'no-anvil-here') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnvilError);
    expect((error as AnvilError).code).toBe('anvil_missing');
  });

  it('says anvil_start_failed, with anvil\'s own words, when anvil refuses to start', async () => {
    const stateDir = join(temp.dir, 'corrupt');
    await mkdir(stateDir);
    await writeFile(join(stateDir, 'anvil-state.json'), 'not a chain');
    const error = await startAnvil({ stateDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnvilError);
    expect((error as AnvilError).code).toBe('anvil_start_failed');
  });

  it('dies with a parent that is killed with SIGKILL', async () => {
    // The parent is a plain Node process running the launcher, transpiled here because Node 20 cannot
    // load TypeScript itself.
    const dir = join(temp.dir, 'parent');
    for (const file of ['marketplace/chain/anvil.ts', 'common/wire/typed-data.ts']) {
      const source = await readFile(join(process.cwd(), file), 'utf8');
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText;
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file.replace(/\.ts$/, '.mjs')), js.replaceAll("typed-data.js'", "typed-data.mjs'"));
    }
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(
      join(dir, 'parent.mjs'),
      `import { startAnvil } from './marketplace/chain/anvil.mjs';
const anvil = await startAnvil({ binaryPath: ${JSON.stringify((await import('../../marketplace/chain/anvil.js')).anvilBinaryPath())} });
process.stdout.write(JSON.stringify({ pid: anvil.pid, rpcUrl: anvil.rpcUrl }) + '\\n');
setInterval(() => {}, 1000);
`,
    );
    const parent = spawn(process.execPath, [join(dir, 'parent.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      parent.once('exit', (code) => reject(new Error(`parent exited with ${code} before starting anvil`)));
    });
    const { pid, rpcUrl } = JSON.parse(line) as { pid: number; rpcUrl: string };
    expect(await rpc(rpcUrl, 'eth_chainId')).toBe('0x7a69');
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await gone(pid)).toBe(true);
    await expect(rpc(rpcUrl, 'eth_chainId')).rejects.toThrow();
  });
});
