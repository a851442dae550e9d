import type { WorkerError, WorkerErrorCode } from '../../common/worker-protocol.js';

/** The worker error codes that model admission can produce. */
export type AdmissionErrorCode = Extract<WorkerErrorCode, 'model_hash_mismatch' | 'model_invalid' | 'model_too_large' | 'model_rejected' | 'model_missing'>;

/** A model was refused before onnxruntime saw it; `message` is written for a person. */
export class AdmissionError extends Error {
  override readonly name = 'AdmissionError';

  constructor(
    readonly code: AdmissionErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The error as it crosses the worker protocol. */
  toWorkerError(): WorkerError {
    return { code: this.code, message: this.message.slice(0, 2000) };
  }
}

/** Why a well-formed model breaks a rule, as a phrase that follows "Model 3f2a… " (internal to admission). */
export class ModelRejection extends Error {
  override readonly name = 'ModelRejection';
}

/** `3f2a9c1e…`: enough of a hash for a person to match it. */
export function shortHash(sha256: string): string {
  return `${sha256.slice(0, 8)}…`;
}

/** A size for people: `2.1 GB`, `640 KB`, `12 bytes` (binary multiples, as the limits are set). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 10 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1);
  return `${text.replace(/\.0$/, '')} ${units[unit]}`;
}

/** Text from a model, quoted and cut short so it cannot flood or forge a message or a log line. */
export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** 1234567 → "1,234,567". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
