/** The supervisor's public shapes: its state and status, events, options and call results. */
import type { SandboxReport, WorkerConfig, WorkerError, WorkerErrorCode, WorkerInfo } from '../../common/worker-protocol.js';
import type { Logger } from '../logger.js';
import type { LaunchSpec, WorkerExit, WorkerLauncher } from './launcher.js';
import type { Quarantine } from './quarantine.js';
import type { BackoffOptions, CircuitOptions } from './restart-policy.js';

export type { WorkerCallResult } from './pending-calls.js';

/** Where a supervised worker is in its life. */
export type SupervisorState = 'stopped' | 'starting' | 'ready' | 'restarting' | 'circuit-open' | 'closing' | 'closed';

/** What the status shows about one worker. */
export type SupervisorStatus = {
  state: SupervisorState;
  pid: number | null;
  sandbox: SandboxReport | null;
  info: WorkerInfo | null;
  /** Workers started after the first. */
  restarts: number;
  /** Crashes inside the circuit breaker's window. */
  recentCrashes: number;
  circuitOpenUntil: number | null;
  quarantined: string[];
  /** Calls waiting for an answer or for a worker. */
  pending: number;
};

/** Why a worker was ended, and what its in-flight calls failed with. */
export type WorkerCrash = {
  reason: 'crash' | 'timeout' | 'startup-timeout' | 'launch-failed';
  exit: WorkerExit | null;
  code: WorkerError['code'];
  /** Models that were loading or running in it. */
  models: string[];
};

/** What a supervisor emits, for the status and the scheduler. */
export type SupervisorEvents = {
  state: [status: SupervisorStatus];
  ready: [info: WorkerInfo];
  crashed: [crash: WorkerCrash];
  restarting: [restart: { attempt: number; delayMs: number }];
  'circuit-open': [circuit: { untilMs: number }];
  quarantined: [model: { sha256: string }];
};

/** What a supervisor needs, and its timings. */
export type WorkerSupervisorOptions = {
  launcher: WorkerLauncher;
  spec: LaunchSpec;
  config: WorkerConfig;
  logger: Logger;
  /** How long a fresh worker has to answer `init` with `ready`. */
  startupTimeoutMs?: number;
  /** How long `close` waits after `shutdown` before killing. */
  closeGraceMs?: number;
  /** Deadline for `warm`, `evict` and `info` calls made without one. */
  defaultCallTimeoutMs?: number;
  backoff?: BackoffOptions;
  circuit?: CircuitOptions;
  /** Shared by every device's supervisor, so a model that crashes one worker is refused by all. */
  quarantine?: Quarantine;
  now?: () => number;
  random?: () => number;
};

/** When a call must be answered by, in milliseconds since epoch. */
export type CallOptions = { deadlineMs: number };

/** True for failures that say nothing about the job (the worker died or was unavailable): retry it. */
export function isRetryable(code: WorkerErrorCode): boolean {
  return code === 'worker_crashed' || code === 'worker_unavailable';
}
