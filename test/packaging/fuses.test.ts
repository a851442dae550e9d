/**
 * SECURITY.md 6: the fuses in electron-builder.yml are flipped by the same code electron-builder runs when it packages
 * (its `electronFuses` mapping, then @electron/fuses), on a synthetic file that holds Electron's
 * fuse sentinel and a wire shaped like Electron 45's, then read back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FuseV1Options, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { LinuxPackager } from 'electron-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { Configuration } from 'electron-builder';

type FuseOptions = NonNullable<Configuration['electronFuses']>;

/** The packaging config's fuses, exactly as electron-builder will read them. */
const HEARTH_FUSES = (load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Configuration).electronFuses as FuseOptions;

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ON = '1'.charCodeAt(0);
const OFF = '0'.charCodeAt(0);
/** Electron's shipped defaults for the nine fuses of its v1 wire (the ninth, WasmTrapHandlers, is newer than @electron/fuses 1.8). */
const ELECTRON_DEFAULTS = '101100011';
const WASM_TRAP_HANDLERS = 8;

const dir = mkdtempSync(join(tmpdir(), 'hearth-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function syntheticElectron(): string {
  const path = join(dir, `electron-${Math.random().toString(36).slice(2)}`);
  const wire = Buffer.from([...Buffer.from(SENTINEL), 1, ELECTRON_DEFAULTS.length, ...Buffer.from(ELECTRON_DEFAULTS)]);
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0xcc), wire, Buffer.alloc(4096, 0xdd)]));
  return path;
}

/** electron-builder's own translation of `electronFuses` (private, so reached through the prototype). */
async function builderFuseConfig(): Promise<Parameters<typeof flipFuses>[1]> {
  const generate = (LinuxPackager.prototype as unknown as Record<string, (fuses: unknown) => Promise<Parameters<typeof flipFuses>[1]>>)['generateFuseConfig'];
  if (typeof generate !== 'function') throw new Error('electron-builder no longer has generateFuseConfig; update this test.');
  return generate.call(undefined, HEARTH_FUSES);
}

describe('electron-builder.yml electronFuses', () => {
  it('reads back from the binary as the security promise says', async () => {
    const path = syntheticElectron();
    const before = readFileSync(path);
    await flipFuses(path, await builderFuseConfig());
    const wire = await getCurrentFuseWire(path);
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(OFF);
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(OFF);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
    // A fuse this tooling does not know is left as Electron ships it, and nothing else in the file moves.
    expect((wire as Record<number, number>)[WASM_TRAP_HANDLERS]).toBe(ON);
    const after = readFileSync(path);
    expect(after.length).toBe(before.length);
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
    const wireStart = before.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(changed.every((i) => i >= wireStart && i < wireStart + ELECTRON_DEFAULTS.length)).toBe(true);
  });

  it('sets every fuse electron-builder knows about', async () => {
    const config = await builderFuseConfig();
    for (let i = FuseV1Options.RunAsNode; i <= FuseV1Options.GrantFileProtocolExtraPrivileges; i++) {
      expect(typeof (config as Record<number, unknown>)[i]).toBe('boolean');
    }
  });
});
