import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import pkg from '../package.json' with { type: 'json' };

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

// SECURITY.md 23: every dependency that wants to run an install script is reviewed here. Nothing may
// download at install time from outside the npm registry.
const reviewed: Record<string, { allowed: boolean; why: string }> = {
  'better-sqlite3': { allowed: true, why: 'builds its native addon from the bundled SQLite source with node-gyp' },
  'electron-winstaller': { allowed: true, why: 'copies the 7-Zip binary it ships for the host architecture; no download' },
  electron: { allowed: false, why: 'downloads the Electron runtime from GitHub; `hearth desktop` installs it on demand' },
  protobufjs: { allowed: false, why: 'v6 (under onnx-proto) only checks its optional CLI dependencies; nothing to build' },
  '@foundry-rs/anvil': { allowed: false, why: 'its postinstall only fetches the platform binary when the optional @foundry-rs/anvil-<platform> package is missing; npm installs that package' },
  'onnxruntime-node': { allowed: false, why: 'downloads CUDA libraries from outside the registry; CPU and WebGPU are bundled' },
};

describe('install-script allowlist', () => {
  it('package.json#allowScripts says exactly what was reviewed', () => {
    expect(pkg.allowScripts).toEqual(Object.fromEntries(Object.entries(reviewed).map(([name, r]) => [name, r.allowed])));
  });

  it('every locked package with an install script has been reviewed', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    for (const name of withScripts) expect(Object.keys(reviewed), `${name} runs an install script`).toContain(name);
  });
});
