import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Why the desktop window cannot open on this machine, or null when it can try. */
export function missingDisplayReason(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  if (platform !== 'linux') return null;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? null : 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/** The folder of the installed `electron` package, or null when it is not installed. */
export function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * The Electron runtime's executable, or null when it has not been downloaded. Reads the package's
 * path.txt directly: loading the electron package's index would start a download as a side effect.
 */
export function electronBinary(packageDir: string): string | null {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** Runs the electron package's own installer (install-electron); true when the runtime is then present. */
export function installElectron(packageDir: string, timeoutMs = 120_000): boolean {
  const result = spawnSync(process.execPath, [join(packageDir, 'install.js')], { stdio: 'ignore', timeout: timeoutMs });
  return result.status === 0 && electronBinary(packageDir) !== null;
}

/** Starts the desktop app on `appRoot` and resolves with its exit code. */
export function runElectron(binary: string, appRoot: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [appRoot], { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
