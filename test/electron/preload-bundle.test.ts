/**
 * The built preload, run the way Electron runs a sandboxed preload: a CommonJS script whose
 * `require` knows only a few modules (electron, events, timers, url) and nothing from node_modules.
 * It is built here from the project's own electron.vite.config.ts, so a config that leaves a
 * dependency external fails this test instead of leaving `window.hearth` undefined at run time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HearthApi, apiEventNames, apiMethodNames } from '../../common/api.js';
import { FakeIpcRenderer } from './fakes.js';

const ROOT = join(import.meta.dirname, '../..');
/** What `require` offers a sandboxed preload (Electron docs, "Process Sandboxing"). */
const SANDBOX_MODULES = ['electron', 'events', 'timers', 'url'];

let outDir: string;
let source: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'hearth-preload-'));
  const { config } = await resolveConfig({ configFile: join(ROOT, 'electron.vite.config.ts'), logLevel: 'silent' }, 'build');
  const preload = config?.preload;
  if (!preload) throw new Error('electron.vite.config.ts has no preload build.');
  await build({ ...preload, configFile: false, logLevel: 'silent', build: { ...preload.build, outDir, emptyOutDir: true } });
  source = readFileSync(join(outDir, 'preload.cjs'), 'utf8');
}, 60_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function runPreload() {
  const required: string[] = [];
  const exposed: [string, unknown][] = [];
  const ipc = new FakeIpcRenderer(async () => ({ ok: false, error: { code: 'forbidden', message: 'test' } }));
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) }, ipcRenderer: ipc };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} };
  runInNewContext(source, { require: sandboxRequire, module, exports: module.exports, queueMicrotask, console }, { filename: 'preload.cjs' });
  return { required, exposed, ipc };
}

describe('the built preload', () => {
  it('requires nothing a sandboxed preload cannot have', () => {
    const requires = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(requires.filter((name) => !SANDBOX_MODULES.includes(name ?? ''))).toEqual([]);
  });

  it('exposes exactly window.hearth, with the contract’s functions, when run in a sandbox', async () => {
    const { exposed, required, ipc } = runPreload();
    expect(required).toEqual(['electron']);
    expect(exposed.map(([key]) => key)).toEqual(['hearth']);
    const api = exposed[0]![1] as HearthApi;
    expect(Object.keys(api.call).sort()).toEqual([...apiMethodNames].sort());
    expect(Object.keys(api.on).sort()).toEqual([...apiEventNames].sort());
    expect(await api.call['status.get']({})).toEqual({ ok: false, error: { code: 'forbidden', message: 'test' } });
    expect(ipc.invocations).toEqual([['hearth:api:status.get', {}]]);
  });
});
