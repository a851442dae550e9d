/**
 * The worker process's entry (built to out/main/worker.js), one per device. It waits for `init` on its
 * channel, starts the engine thread (out/main/engine-thread.js, which holds onnxruntime), probes the
 * execution providers and answers `ready`. It exits on `shutdown`, and promptly when its supervisor
 * goes away — even while onnxruntime is inside a long native run, which only the engine thread is.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineHost } from './engine/engine-host.js';
import { WorkerController } from './engine/worker-controller.js';
import { processPort } from './engine/worker-port.js';

// The supervisor sets this too; onnxruntime reads it when its environment is created in the engine thread.
process.env.ORT_DISABLE_TELEMETRY = '1';

const port = processPort();
if (port === null) {
  process.stderr.write('worker.js runs only as a child of the Hearth provider (no IPC channel or parentPort).\n');
  process.exit(2);
}

const engineEntry = join(dirname(fileURLToPath(import.meta.url)), 'engine-thread.js');

/**
 * process.exit() waits for every worker_thread to stop, and a thread inside native code does not stop
 * until onnxruntime returns, so a process whose engine is busy ends itself with SIGKILL instead.
 */
function exit(code: number, how: 'clean' | 'now'): void {
  if (how === 'clean') process.exit(code);
  process.kill(process.pid, 'SIGKILL');
}

const controller = new WorkerController({
  port,
  startEngine: (config, events) => new EngineHost(engineEntry, config, events),
  exit,
});

process.on('uncaughtException', (error) => controller.fail(`the control thread threw: ${error.stack ?? error.message}`));
