/**
 * A stand-in for the GPU tools this machine does not have (nvidia-smi, rocm-smi, system_profiler,
 * PowerShell, lspci): it answers each command line with a scripted result and reports every command
 * it was not given a script for as missing, the way `runCommand` reports a tool that is not installed.
 */
import type { CommandResult, CommandRunner } from '../../../worker/devices/run-command.js';

export interface ScriptedRunner {
  run: CommandRunner;
  /** Every command line asked for, in order, with its time limit. */
  calls: { line: string; timeoutMs: number }[];
}

/** The key a script uses for a command: the command and its arguments joined by spaces. */
export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].join(' ');
}

/** A runner answering from `script` (command line → result); anything else is `missing`. */
export function scriptedRunner(script: Record<string, CommandResult>): ScriptedRunner {
  const calls: ScriptedRunner['calls'] = [];
  const run: CommandRunner = (cmd, args, timeoutMs) => {
    const line = commandLine(cmd, args);
    calls.push({ line, timeoutMs });
    return Promise.resolve(script[line] ?? { status: 'missing' });
  };
  return { run, calls };
}

/** A successful run printing `stdout`. */
export function printed(stdout: string): CommandResult {
  return { status: 'ok', stdout };
}
