// Our own processes on the GPU are never "another program": a worker's pid, and a process it started
// (the sandboxed worker runs under bubblewrap), found through /proc with real child processes.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ownProcessCheck } from '../../../provider/telemetry/own-processes.js';

describe.runIf(process.platform === 'linux')('own processes', () => {
  it('claims a worker pid and its grandchild, and nothing else', async () => {
    // sh (the "worker") starts sleep (its inference process) and waits.
    const worker = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const inner = Number(await new Promise<string>((resolve) => worker.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()))));
    try {
      const isOurs = ownProcessCheck(() => [worker.pid!]);
      expect(isOurs(worker.pid!)).toBe(true);
      expect(isOurs(inner)).toBe(true);
      // Processes that are not descended from us: the one that started this test, init, a pid that is gone.
      expect(isOurs(process.ppid)).toBe(false);
      expect(isOurs(1)).toBe(false);
      expect(isOurs(999_999_999)).toBe(false);
    } finally {
      process.kill(inner, 'SIGKILL');
      worker.kill('SIGKILL');
    }
  });
});
