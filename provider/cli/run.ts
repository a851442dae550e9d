import { join } from 'node:path';
import { MARKETPLACE_HELP, runMarketplace } from '../../marketplace/cli.js';
import { PortInUse } from '../http/server.js';
import { HEARTH_VERSION } from '../version.js';
import { HELP, UsageError, parseCommand } from './args.js';
import { runBench } from './bench.js';
import { electronBinary, electronPackageDir, installElectron, missingDisplayReason, runElectron } from './desktop.js';
import { runEarnings } from './earnings.js';
import { runGpu } from './gpu.js';
import { type HeadlessOptions, runHeadless } from './headless.js';
import { runJobs } from './jobs.js';
import { runClaim } from './claim.js';
import { runWallet } from './wallet.js';
import { runStatus } from './status.js';

type Io = { out: NodeJS.WritableStream; err: NodeJS.WritableStream; env: NodeJS.ProcessEnv };

/** Runs `hearth` with `argv` and returns the exit code; every failure is one line, never a stack trace. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    const command = parseCommand(argv, io.env);
    switch (command.kind) {
      case 'help':
        io.out.write(HELP);
        return 0;
      case 'version':
        io.out.write(`${HEARTH_VERSION}\n`);
        return 0;
      case 'gpu':
        await runGpu(command.json, io.out);
        return 0;
      case 'bench':
        return await runBench(command.json, io.out, io.err);
      case 'start':
        await runHeadless(command, io.out, io.err);
        return 0;
      case 'desktop':
        return await runDesktop(command, io);
      case 'marketplace-help':
        io.out.write(MARKETPLACE_HELP);
        return 0;
      case 'marketplace':
        await runMarketplace(command.command, io.out);
        return 0;
      case 'status':
        await runStatus(command, io.out);
        return 0;
      case 'jobs':
        await runJobs(command, io.out);
        return 0;
      case 'earnings':
        await runEarnings(command, io.out);
        return 0;
      case 'wallet':
        return await runWallet(command, { out: io.out, env: io.env, prompt: { input: process.stdin, output: io.err } });
      case 'claim':
        return await runClaim(command, { out: io.out, env: io.env, prompt: { input: process.stdin, output: io.err } });
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`hearth: ${err.message}\n`);
      return 2;
    }
    if (err instanceof PortInUse) {
      io.err.write(`hearth: ${err.message}\n`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    io.err.write(`hearth: ${(err as Error).message ?? String(err)}${code ? ` (${code})` : ''}\n`);
    return 1;
  }
}

async function runDesktop(options: HeadlessOptions, io: Io): Promise<number> {
  const noDisplay = missingDisplayReason(io.env, process.platform);
  if (noDisplay !== null) {
    io.err.write(`hearth: the desktop app can't open because ${noDisplay}; running headless instead.\n`);
    await runHeadless(options, io.out, io.err);
    return 0;
  }
  const packageDir = electronPackageDir();
  let binary = packageDir === null ? null : electronBinary(packageDir);
  if (binary === null && packageDir !== null) {
    io.err.write('hearth: installing the Electron runtime…\n');
    binary = installElectron(packageDir) ? electronBinary(packageDir) : null;
  }
  if (binary === null) {
    io.err.write("hearth: the Electron runtime isn't installed and couldn't be downloaded here; running headless instead.\n");
    await runHeadless(options, io.out, io.err);
    return 0;
  }
  return runElectron(binary, join(import.meta.dirname, '..', '..'));
}
