/**
 * Wires energy metering into the provider: the job meter and the telemetry recorder both listen to the
 * telemetry sampler and write into the ledger while one is open. The marketplace's job runner reports
 * each run through `onJobRun`; `close` records what is still waiting and writes the open minutes, so it
 * must run before the ledger closes. A job's energy is a `Ledger.later` write: it costs no commit of its own.
 */
import type { Device } from '../../common/api.js';
import type { EnergySettings } from '../../common/api-energy.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../logger.js';
import type { DeviceSample } from '../telemetry/sample.js';
import { type JobRun, JobEnergyMeter, type SampleSource } from './job-energy-meter.js';
import { TelemetryRecorder } from './telemetry-recorder.js';

/** The running metering, and how to stop it. */
export type EnergyMetering = {
  /** Give each finished job run here (the pool runner's hook). */
  onJobRun: (run: JobRun) => void;
  /** Records (and commits) runs still waiting and the open telemetry minutes; call before the ledger closes. */
  close: () => void;
};

/** Starts metering over `sampler`; writes go to the ledger `ledger()` returns, and are dropped while it is null. */
export function startEnergyMetering(options: {
  sampler: SampleSource & { all(): DeviceSample[] };
  ledger: () => Ledger | null;
  settings: () => EnergySettings;
  devices: () => readonly Device[] | null;
  intervalMs: number;
  logger: Logger;
}): EnergyMetering {
  const logger = options.logger.child({ part: 'energy' });
  const open = () => {
    const ledger = options.ledger();
    return ledger !== null && ledger.open ? ledger : null;
  };
  const meter = new JobEnergyMeter({
    // Nothing is sent after a job's energy is stored: it shares the next commit (the job's result, usually).
    record: (record) => {
      const ledger = open();
      return ledger === null ? undefined : ledger.later(() => void ledger.energy.record(record));
    },
    settings: options.settings,
    device: (id) => options.devices()?.find((d) => d.id === id),
    intervalMs: options.intervalMs,
    logger,
  });
  const recorder = new TelemetryRecorder({
    write: (row) => open()?.telemetry.write(row),
    prune: (before) => void open()?.telemetry.prune(before),
    logger,
  });
  for (const sample of options.sampler.all()) {
    meter.addSample(sample);
    recorder.add(sample);
  }
  const stopMeter = meter.listen(options.sampler);
  const stopRecorder = recorder.listen(options.sampler);
  return {
    onJobRun: (run) => void meter.jobRan(run),
    close: () => {
      stopMeter();
      stopRecorder();
      meter.flush();
      // What the meter just recorded waits in `later`: on disk now, for whoever reads or closes next.
      open()?.flushLater();
      recorder.flush();
    },
  };
}
