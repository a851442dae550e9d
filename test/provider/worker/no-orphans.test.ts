import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerTmpRoot } from '../../../provider/worker/private-dir.js';
import { buildSlowModel } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { APP_ROOT, FIXTURES, WORKER_BUILT, addModel, launchSpec, pidsWith, realConfig } from './real-worker.js';

let temp: { dir: string; remove: () => Promise<void> };
let bundle: string;
let models: string;
let slow: string;

beforeAll(async () => {
  temp = await makeTempDir('hearth-orphans-');
  models = join(temp.dir, 'models');
  // About 6 s of CPU: the provider is killed while onnxruntime is deep inside it.
  slow = await addModel(models, buildSlowModel(3000, 512));
  // The fixture provider is TypeScript; bundle it (dependencies included) into one script Node can run.
  await build({
    configFile: false,
    root: APP_ROOT,
    logLevel: 'silent',
    ssr: { noExternal: true },
    build: { ssr: join(FIXTURES, 'orphan-provider.ts'), outDir: join(temp.dir, 'bundle'), emptyOutDir: true, rollupOptions: { output: { entryFileNames: 'orphan-provider.mjs' } } },
  });
  bundle = join(temp.dir, 'bundle', 'orphan-provider.mjs');
});

afterAll(async () => {
  await temp?.remove();
});

/** Starts the fixture provider; resolves once its worker is busy running the long job. */
function startProvider(dataDir: string, layers: 'all' | 'no-bwrap' | 'none') {
  const plan = { dataDir, spec: launchSpec(models), config: realConfig(models), slow, size: 512, layers };
  const child = spawn(process.execPath, [bundle, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const running = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /running (\d+) (.*)\n/.exec(out);
      if (match) resolve(match[2]!);
    });
    child.once('exit', (code) => reject(new Error(`the fixture provider exited (${code}) early:\n${out}\n${err}`)));
  });
  return { child, running };
}

describe.skipIf(!WORKER_BUILT)('no orphans: the worker dies with its provider', () => {
  it.each([
    ['bubblewrap --die-with-parent', 'all'],
    ['a parent-death signal (setpriv)', 'no-bwrap'],
    ["the worker's own watch on its IPC channel", 'none'],
  ] as const)('within 2 s of a SIGKILL of the provider mid-inference, through %s', async (_how, layers) => {
    const dataDir = join(temp.dir, layers);
    const marker = `${workerTmpRoot(dataDir)}/`;
    const { child, running } = startProvider(dataDir, layers);
    const sandbox = JSON.parse(await running) as { bubblewrap: boolean };
    expect(sandbox.bubblewrap).toBe(layers === 'all');
    const workers = pidsWith(marker);
    expect(workers.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    while (pidsWith(marker).length > 0 && Date.now() - killedAt < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = Date.now() - killedAt;
    expect(pidsWith(marker)).toEqual([]);
    expect(elapsed).toBeLessThan(2000);
  });
});
