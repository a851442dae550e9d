/**
 * What the scheduler learns from the host rather than the GPU: battery, time since the last keyboard or
 * mouse input, a fullscreen app in front, and system suspend. Electron's powerMonitor supplies them on
 * the desktop (electron/power-monitor.ts); headless-host-signals.ts reads what a server offers.
 */
import type { Measured } from '../telemetry/sample.js';

/** The host's state as the policies read it; what cannot be known here is "not measurable", with why. */
export type HostState = {
  onBattery: Measured<boolean>;
  idleSeconds: Measured<number>;
  /** The fullscreen app in front (its name, or "a fullscreen app"), or null when there is none. */
  fullscreenApp: Measured<string | null>;
  /** True between the system's suspend and resume notices. */
  suspended: boolean;
};

/** A source of host signals. */
export interface HostSignals {
  /** The state now. */
  read(): HostState;
  /** Calls `listener` whenever the state changes (the scheduler then re-evaluates). */
  onChange(listener: () => void): () => void;
  /** Stops any polling. */
  close(): void;
}

/** A host state where nothing is measurable, for the reason given, and the system is awake. */
export function unknownHost(reason: string): HostState {
  return { onBattery: { ok: false, reason }, idleSeconds: { ok: false, reason }, fullscreenApp: { ok: false, reason }, suspended: false };
}
