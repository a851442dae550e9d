import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerExit } from '../../../provider/worker/launcher.js';
import { ChildProcessLauncher, bubblewrapProblem, createChildProcessLauncher } from '../../../provider/worker/child-process-launcher.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { APP_ROOT, FIXTURES, captureLogger, launchSpec } from './real-worker.js';

let temp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

const spec = () => launchSpec(join(temp.dir, 'models'), { entry: join(FIXTURES, 'exit-at-once.mjs'), readPaths: [FIXTURES, join(APP_ROOT, 'package.json')] });

function exitOf(channel: { on(event: 'exit', listener: (exit: WorkerExit) => void): unknown }): Promise<WorkerExit> {
  return new Promise((resolve) => channel.on('exit', resolve));
}

describe('the child-process launcher', () => {
  it('reports a worker that ends on its own: its output, its exit code, and its private folder removed', async () => {
    const launcher = await createChildProcessLauncher({ dataDir: temp.dir, logger: captureLogger().logger });
    const channel = launcher.launch(spec());
    const output: string[] = [];
    channel.on('output', (line) => output.push(line));
    expect(existsSync(channel.privateDir)).toBe(true);
    expect(await exitOf(channel)).toEqual({ code: 3, signal: null });
    expect(output).toContain('leaving now');
    expect(existsSync(channel.privateDir)).toBe(false);
    expect(channel.send({ type: 'shutdown' })).toBe(false);
  });

  it('reports a spawn that fails as an error and one exit', async () => {
    const logger = captureLogger().logger;
    const launcher = new ChildProcessLauncher({ dataDir: temp.dir, logger, nodePath: '/nonexistent/node' }, { bwrap: null, prlimit: null, setpriv: null }, []);
    const channel = launcher.launch(spec());
    const errors: Error[] = [];
    const exits: WorkerExit[] = [];
    channel.on('error', (error) => errors.push(error));
    channel.on('exit', (exit) => exits.push(exit));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOENT']);
    expect(exits).toEqual([{ code: null, signal: null }]);
    expect(channel.pid).toBeUndefined();
  });

  it('falls back to no bubblewrap where it cannot run, and says why', async () => {
    const node = realpathSync(process.execPath);
    expect(await bubblewrapProblem('/bin/false', node)).toMatch(/Command failed/);
    if (existsSync('/usr/bin/bwrap')) expect(await bubblewrapProblem('/usr/bin/bwrap', node)).toBeNull();
    const { logger, lines } = captureLogger();
    const launcher = await createChildProcessLauncher({ dataDir: temp.dir, logger, bubblewrap: false });
    expect(launcher.tools.bwrap).toBeNull();
    expect(launcher.launch(spec()).sandbox.bubblewrap).toBe(false);
    expect(lines.some((line) => String(line.msg).includes('bubblewrap'))).toBe(false);
  });

  it('clears private folders a crashed provider left behind', async () => {
    const logger = captureLogger().logger;
    const first = new ChildProcessLauncher({ dataDir: temp.dir, logger }, { bwrap: null, prlimit: null, setpriv: null }, []);
    const left = first.launch({ ...spec(), entry: join(FIXTURES, 'sandbox-probe.mjs') });
    await createChildProcessLauncher({ dataDir: temp.dir, logger });
    expect(existsSync(left.privateDir)).toBe(false);
    left.kill();
    await exitOf(left);
  });
});
