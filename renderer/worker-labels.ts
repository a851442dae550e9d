/** How the dashboard names worker states and execution providers for a person. */
import type { WorkerStatus } from '../common/api.js';

type WorkerState = WorkerStatus['state'];
type ExecutionProviderName = WorkerStatus['executionProviders'][number]['name'];

const stateLabels: Record<WorkerState, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  ready: 'Ready',
  restarting: 'Restarting',
  'circuit-open': 'Paused',
  closing: 'Closing',
  closed: 'Closed',
};

/** What a state means, where the word alone does not say it; null where it does. */
const stateHints: Partial<Record<WorkerState, string>> = {
  restarting: 'It stopped unexpectedly; Hearth is starting it again.',
  'circuit-open': 'It crashed several times in a row; Hearth waits a while before trying again.',
};

/** The worker state as a word. */
export function formatWorkerState(state: WorkerState): string {
  return stateLabels[state];
}

/** A sentence explaining the state, or null when the word is enough. */
export function workerStateHint(state: WorkerState): string | null {
  return stateHints[state] ?? null;
}

/** A worker state's tone: the badge colour. */
export function workerStateTone(state: WorkerState): 'ok' | 'busy' | 'bad' | 'idle' {
  if (state === 'ready') return 'ok';
  if (state === 'circuit-open') return 'bad';
  if (state === 'starting' || state === 'restarting' || state === 'closing') return 'busy';
  return 'idle';
}

const providerLabels: Record<ExecutionProviderName, string> = {
  tensorrt: 'TensorRT',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

/** An onnxruntime execution provider under its usual name ("CUDA", "DirectML"). */
export function formatExecutionProvider(name: ExecutionProviderName): string {
  return providerLabels[name];
}
