/**
 * The worker process's entry (built to out/main/worker.js), one per device. It waits for `init` on its
 * channel, starts the engine thread (out/main/engine-thread.js, which holds onnxruntime), probes the
 * execution providers and answers `ready`. It exits on `shutdown`, and promptly when its supervisor
 * goes away — even while onnxruntime is inside a long native run, which only the engine thread is.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StartedEngineThread, startEngineThread } from './engine/engine-prestart.js';
import { bufferedPort, processPort } from './engine/worker-port.js';

// The supervisor sets this too; onnxruntime reads it when its environment is created in the engine thread.
process.env.ORT_DISABLE_TELEMETRY = '1';

const channel = processPort();
if (channel === null) {
  process.stderr.write('worker.js runs only as a child of the Hearth provider (no IPC channel or parentPort).\n');
  process.exit(2);
}

// Listening at once, so nothing the supervisor sends is lost while the rest loads.
const port = bufferedPort(channel);

const engineEntry = join(dirname(fileURLToPath(import.meta.url)), 'engine-thread.js');
// Started before the rest of the worker's code is even loaded: importing onnxruntime-node in the thread
// overlaps loading zod and the protocol here (cold start, docs/benchmarks.md).
let prestarted: StartedEngineThread | undefined = startEngineThread(engineEntry);

const { EngineHost } = await import('./engine/engine-host.js');
const { WorkerController } = await import('./engine/worker-controller.js');

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
  startEngine: (config, events) => {
    const thread = prestarted;
    prestarted = undefined;
    return new EngineHost(engineEntry, config, events, thread);
  },
  exit,
});

process.on('uncaughtException', (error) => controller.fail(`the control thread threw: ${error.stack ?? error.message}`));
