/**
 * `hearth bench [--json]`: runs the built bench (out/main/bench.js, from bench/run.ts) as a child
 * process, so the CLI itself carries none of the bench's code and the bench's figures are not skewed by
 * whatever the CLI has loaded. Its output is passed through as it comes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built bench next to the built CLI (out/main/cli.js → out/main/bench.js). */
export function builtBenchEntry(): string {
  return join(import.meta.dirname, 'bench.js');
}

/** Runs the bench, writing its table (or JSON with `json`) to `out`; resolves with its exit code. */
export function runBench(json: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream, entry: string = builtBenchEntry()): Promise<number> {
  if (!existsSync(entry)) {
    err.write(`hearth: the bench is not built (${entry} is missing); run \`npm run build\` in the Hearth folder first.\n`);
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...(json ? ['--json'] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
    });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(err, { end: false });
    child.on('error', (error) => {
      err.write(`hearth: the bench could not start: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
