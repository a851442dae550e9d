/**
 * Running a detection tool: a bounded child process whose outcome is a value, never a throw. A tool
 * that is not installed is `missing`; one that hangs, crashes or exits non-zero is `failed` with a
 * short reason a person can act on.
 */
import { execFile } from 'node:child_process';
import { withoutControlCharacters } from './reading.js';

export type CommandResult = { status: 'ok'; stdout: string } | { status: 'missing' } | { status: 'failed'; reason: string };

/** Runs `cmd args` with a time limit; the seam tests use to stand in for tools a machine lacks. */
export type CommandRunner = (cmd: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** Device tools print kilobytes; anything near this is not a device list. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
const REASON_MAX = 200;

/** Runs a real command with `execFile` (no shell), a timeout and an output cap. */
export const runCommand: CommandRunner = (cmd, args, timeoutMs) =>
  new Promise<CommandResult>((resolve) => {
    try {
      const child = execFile(
        cmd,
        [...args],
        { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ status: 'ok', stdout });
            return;
          }
          if (error.code === 'ENOENT') {
            resolve({ status: 'missing' });
            return;
          }
          resolve({ status: 'failed', reason: failureReason(error, stdout, stderr, timeoutMs) });
        },
      );
      // Nothing is written to the tool; an open stdin can keep PowerShell waiting.
      child.stdin?.end();
    } catch (error) {
      resolve({ status: 'failed', reason: `could not start: ${error instanceof Error ? error.message : String(error)}` });
    }
  });

interface ExecError {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
  message: string;
}

function failureReason(error: ExecError, stdout: string, stderr: string, timeoutMs: number): string {
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return `printed more than ${MAX_OUTPUT_BYTES} bytes`;
  if (error.killed && error.signal) return `timed out after ${timeoutMs} ms`;
  const said = firstLine(stderr) ?? firstLine(stdout);
  const how =
    typeof error.code === 'number'
      ? `exited with code ${error.code}`
      : error.signal
        ? `killed by ${error.signal}`
        : error.message.split('\n')[0] ?? 'failed';
  return truncate(said ? `${how}: ${said}` : how);
}

function firstLine(text: string): string | null {
  const line = text.split(/\r?\n/).find((candidate) => candidate.trim() !== '');
  return line === undefined ? null : line.trim();
}

function truncate(text: string): string {
  const printable = withoutControlCharacters(text);
  return printable.length > REASON_MAX ? `${printable.slice(0, REASON_MAX - 1)}…` : printable;
}
