// Entry of the `hearth` command (built to out/main/cli.js and started by bin/hearth.js).
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
