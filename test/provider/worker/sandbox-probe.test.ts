import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxReport } from '../../../common/worker-protocol.js';
import { type ChildProcessLauncherOptions, createChildProcessLauncher } from '../../../provider/worker/child-process-launcher.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { APP_ROOT, FIXTURES, captureLogger, launchSpec, realConfig } from './real-worker.js';

type Attempt = { ok: boolean; detail: string };
type ProbeResults = {
  env: string[];
  cwd: string;
  network: Attempt;
  home: Attempt;
  wallet: Attempt;
  ledger: Attempt;
  walletNative: Attempt;
  dataDir: Attempt;
  appWrite: Attempt;
  privateWrite: Attempt;
  pids: Attempt;
};

const SECRET_VARIABLE = 'HEARTH_PROBE_SECRET';
const ALLOWED_ENV = ['HOME', 'LANG', 'ORT_DISABLE_TELEMETRY', 'PATH', 'PWD', 'TMPDIR'];

let temp: { dir: string; remove: () => Promise<void> };
let server: Server;
let dataDir: string;
let appDir: string;
let models: string;

beforeAll(async () => {
  temp = await makeTempDir('hearth-probe-');
  dataDir = join(temp.dir, 'data');
  appDir = join(temp.dir, 'app');
  models = join(dataDir, 'models');
  await mkdir(appDir, { recursive: true });
  await mkdir(models, { recursive: true });
  // What a provider's data folder holds next to the models: the worker must see none of it.
  await writeFile(join(dataDir, 'wallet.json'), '{"encryptedKey":"secret"}');
  await writeFile(join(dataDir, 'ledger.sqlite'), 'SQLite format 3\0');
  server = createServer((socket) => socket.end('hello from the host'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const plan = { port: (server.address() as AddressInfo).port, home: homedir(), wallet: join(dataDir, 'wallet.json'), ledger: join(dataDir, 'ledger.sqlite'), dataDir, appDir };
  await writeFile(join(models, 'probe.json'), JSON.stringify(plan));
  process.env[SECRET_VARIABLE] = 'the provider environment';
});

afterAll(async () => {
  delete process.env[SECRET_VARIABLE];
  server?.close();
  await temp?.remove();
});

/** Launches the probe as a worker with the given layers; its results and sandbox report. */
async function runProbe(layers: Pick<ChildProcessLauncherOptions, 'bubblewrap' | 'nodePermissions'>) {
  const { logger } = captureLogger();
  const launcher = await createChildProcessLauncher({ dataDir, logger, ...layers });
  const spec = launchSpec(models, {
    entry: join(FIXTURES, 'sandbox-probe.mjs'),
    readPaths: [FIXTURES, appDir, join(APP_ROOT, 'node_modules'), join(APP_ROOT, 'package.json')],
  });
  const channel = launcher.launch(spec);
  const output: string[] = [];
  channel.on('output', (line) => output.push(line));
  const message = new Promise<unknown>((resolve) => channel.once('message', resolve));
  const exited = new Promise((resolve) => channel.once('exit', resolve));
  channel.send({ type: 'init', config: realConfig(models) });
  const reply = (await Promise.race([message, exited.then(() => ({ type: 'exited', output }))])) as { type: string; results?: ProbeResults };
  channel.kill();
  await exited;
  expect(existsSync(channel.privateDir), 'the private folder is removed after exit').toBe(false);
  expect(reply.type, JSON.stringify(reply)).toBe('probe');
  if (process.env.HEARTH_PROBE_PRINT) console.log(JSON.stringify({ layers, sandbox: channel.sandbox, results: reply.results }, null, 1));
  return { results: reply.results!, sandbox: channel.sandbox, bwrapUsable: launcher.tools.bwrap !== null };
}

function expectConfined(results: ProbeResults): void {
  expect(results.network, 'network').toMatchObject({ ok: false });
  expect(results.home, 'home').toMatchObject({ ok: false });
  expect(results.wallet, 'wallet').toMatchObject({ ok: false });
  expect(results.ledger, 'ledger').toMatchObject({ ok: false });
  // Under bubblewrap the data folder exists only as the mount points of the model cache and worker-tmp.
  if (results.dataDir.ok) expect(results.dataDir.detail.split(',').sort()).toEqual(['models', 'worker-tmp']);
  expect(results.appWrite, 'app write').toMatchObject({ ok: false });
  expect(results.privateWrite, 'private write').toMatchObject({ ok: true });
}

describe('the worker sandbox, probed from inside by a hostile script', () => {
  it('with every layer: no network, home, wallet, ledger, data folder, app writes or other processes', async (ctx) => {
    const { results, sandbox, bwrapUsable } = await runProbe({});
    if (!bwrapUsable) ctx.skip();
    expect(sandbox).toEqual<SandboxReport>({ envAllowlist: true, privateWorkDir: true, nodePermissions: true, bubblewrap: true, addressSpaceLimitBytes: 8 * 1024 ** 3 });
    expectConfined(results);
    expect(results.walletNative, 'wallet opened by native code').toMatchObject({ ok: false });
    expect(results.pids, '/proc').toMatchObject({ ok: false });
    expect(results.env).not.toContain(SECRET_VARIABLE);
    expect(results.env.every((name) => ALLOWED_ENV.includes(name)), results.env.join(',')).toBe(true);
  });

  it('bubblewrap alone hides them too, even from native code, and shows only the sandbox processes', async (ctx) => {
    const { results, sandbox, bwrapUsable } = await runProbe({ nodePermissions: false });
    if (!bwrapUsable) ctx.skip();
    expect(sandbox).toMatchObject({ nodePermissions: false, bubblewrap: true });
    expectConfined(results);
    expect(results.network.detail).toMatch(/ENETUNREACH|ECONNREFUSED|EADDRNOTAVAIL/);
    expect(results.wallet.detail).toBe('ENOENT');
    expect(results.walletNative, 'wallet opened by native code').toMatchObject({ ok: false });
    expect(results.appWrite.detail).toBe('EROFS');
    expect(results.pids.ok).toBe(true);
    expect(Number(results.pids.detail)).toBeLessThanOrEqual(3);
  });

  it("Node's permission model alone denies the files from JavaScript", async () => {
    const { results, sandbox } = await runProbe({ bubblewrap: false });
    expect(sandbox).toMatchObject({ nodePermissions: true, bubblewrap: false });
    for (const attempt of [results.home, results.wallet, results.ledger, results.dataDir, results.appWrite, results.pids]) {
      expect(attempt).toEqual({ ok: false, detail: 'ERR_ACCESS_DENIED' });
    }
    expect(results.privateWrite).toMatchObject({ ok: true });
    expect(results.env).not.toContain(SECRET_VARIABLE);
  });

  it('without either layer the same probe succeeds (so the probe itself works)', async () => {
    const { results, sandbox } = await runProbe({ bubblewrap: false, nodePermissions: false });
    expect(sandbox).toMatchObject({ nodePermissions: false, bubblewrap: false, envAllowlist: true });
    expect(results.network).toMatchObject({ ok: true, detail: 'connected' });
    expect(results.wallet).toMatchObject({ ok: true });
    expect(results.walletNative).toMatchObject({ ok: true });
    expect(results.appWrite).toMatchObject({ ok: true });
    expect(Number(results.pids.detail)).toBeGreaterThan(3);
    // The environment allowlist holds regardless of the other layers.
    expect(results.env).not.toContain(SECRET_VARIABLE);
  });
});
