import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../worker/devices/run-command.js';

// Real child processes: node itself plays the tool, so every outcome can be produced on any machine.
const node = process.execPath;

describe('runCommand', () => {
  it('returns what the tool printed', async () => {
    expect(await runCommand(node, ['-e', 'process.stdout.write("0, GPU-1, X")'], 5_000)).toEqual({
      status: 'ok',
      stdout: '0, GPU-1, X',
    });
  });

  it('says missing for a tool that is not installed', async () => {
    expect(await runCommand('hearth-no-such-gpu-tool-4f1c', ['--json'], 5_000)).toEqual({ status: 'missing' });
  });

  it('says failed, with the exit code and the first line printed, for a non-zero exit', async () => {
    const script =
      'console.log("NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."); process.exit(9)';
    expect(await runCommand(node, ['-e', script], 5_000)).toEqual({
      status: 'failed',
      reason: "exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
  });

  it('stops a tool that hangs', async () => {
    const started = Date.now();
    const result = await runCommand(node, ['-e', 'setTimeout(() => {}, 60_000)'], 300);
    expect(result).toEqual({ status: 'failed', reason: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a tool that prints without end', async () => {
    const result = await runCommand(node, ['-e', 'process.stdout.write("x".repeat(8 * 1024 * 1024))'], 10_000);
    expect(result).toEqual({ status: 'failed', reason: expect.stringMatching(/printed more than/) });
  });

  it('closes stdin so a tool waiting for input ends', async () => {
    const script = 'process.stdin.resume(); process.stdin.on("end", () => process.stdout.write("eof"))';
    expect(await runCommand(node, ['-e', script], 5_000)).toEqual({ status: 'ok', stdout: 'eof' });
  });
});
