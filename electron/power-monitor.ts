/**
 * Host signals from Electron's powerMonitor for the scheduler: battery, time since the last input, and
 * suspend/resume. Electron cannot see other applications' windows, so "a fullscreen app is in front"
 * is not measurable here; gaming mode relies on the GPU's process list. Takes the powerMonitor as a
 * parameter (its shape only), so the mapping runs under Node in tests.
 */
import type { HostSignals, HostState } from '../provider/scheduler/host-signals.js';

/** The part of Electron's powerMonitor used here. */
export type PowerMonitorLike = {
  isOnBatteryPower(): boolean;
  getSystemIdleTime(): number;
  on(event: 'suspend' | 'resume' | 'on-ac' | 'on-battery' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  off(event: 'suspend' | 'resume' | 'on-ac' | 'on-battery' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
};

const NO_FULLSCREEN = 'Electron cannot see other applications, so a fullscreen app is not detectable; gaming mode watches the GPU instead.';
const EVENTS = ['suspend', 'resume', 'on-ac', 'on-battery', 'lock-screen', 'unlock-screen'] as const;

/** Reads the host state from a powerMonitor; `suspended` is what the suspend/resume events last said. */
export function readPowerMonitor(monitor: PowerMonitorLike, suspended: boolean): HostState {
  return {
    onBattery: { ok: true, value: monitor.isOnBatteryPower() },
    idleSeconds: { ok: true, value: monitor.getSystemIdleTime() },
    fullscreenApp: { ok: false, reason: NO_FULLSCREEN },
    suspended,
  };
}

/** Host signals from `monitor`, polled every `pollMs` for the idle time (there is no idle event). */
export function powerMonitorHostSignals(monitor: PowerMonitorLike, pollMs = 10_000): HostSignals {
  let suspended = false;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  const handlers = new Map<(typeof EVENTS)[number], () => void>(
    EVENTS.map((event) => [
      event,
      () => {
        if (event === 'suspend') suspended = true;
        if (event === 'resume') suspended = false;
        changed();
      },
    ]),
  );
  for (const [event, handler] of handlers) monitor.on(event, handler);
  const timer = setInterval(changed, pollMs);
  timer.unref();
  return {
    read: () => readPowerMonitor(monitor, suspended),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      for (const [event, handler] of handlers) monitor.off(event, handler);
    },
  };
}
