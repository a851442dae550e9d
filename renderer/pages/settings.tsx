/**
 * The Settings page: when Hearth may work and how hard (the scheduler's settings) and what electricity
 * costs (for net earnings). Changes stay unsaved — across page switches too — until saved or reverted;
 * the provider checks every range and the schedule, and its message is shown beside what it names.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EnergySettings, type EnergySettings as EnergyValues } from '../../common/api-energy.js';
import { type SchedulerSettings, defaultSchedulerSettings } from '../../common/api-settings.js';
import { useApiClient } from '../api/api-context.js';
import { settingsQueryKeys, useEnergySettings, useSettings } from '../api/settings-queries.js';
import { ErrorPanel } from '../components/error-panel.js';
import { ScheduleWindows } from '../components/schedule-windows.js';
import { Field, NumberInput, Toggle } from '../components/settings-fields.js';
import { type DraftKey, type ErrorTarget, type SettingsDraft, changedKeys, draftFrom, errorTarget, parseNumberText, patchesFrom } from '../settings-draft.js';

const SCHEDULER_DEFAULTS = draftFrom(defaultSchedulerSettings(), EnergySettings.parse({}));
const ENERGY_KEYS: readonly DraftKey[] = ['electricityPrice', 'currency', 'tokenPrice', 'tokenDecimals'];
/** The zone of the machine this page runs on: the provider's own for the local dashboard. */
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

// Unsaved edits outlive the page component, so switching to the dashboard and back keeps them.
let keptEdits: Partial<SettingsDraft> = {};

type Errors = Partial<Record<ErrorTarget, string>>;

/** The page: the form, or why the settings cannot be shown. */
export function SettingsPage() {
  const settings = useSettings();
  const energy = useEnergySettings();
  return (
    <>
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted">When Hearth may use this machine, how hard, and what its electricity costs.</p>
      </header>
      {settings.data !== undefined ? (
        <SettingsForm scheduler={settings.data.scheduler} energy={energy.data} energyError={energy.error} />
      ) : settings.isError ? (
        <ErrorPanel title="Couldn't read the settings" error={settings.error} />
      ) : (
        <section className="card" aria-busy="true">
          <p className="muted">Reading the settings…</p>
        </section>
      )}
    </>
  );
}

function defaultText(key: DraftKey, unit: string): string {
  return `default ${String(SCHEDULER_DEFAULTS[key])}${unit === '' ? '' : ` ${unit}`}`;
}

function SettingsForm({ scheduler, energy, energyError }: { scheduler: SchedulerSettings; energy: EnergyValues | undefined; energyError: Error | null }) {
  const { api } = useApiClient();
  const queryClient = useQueryClient();
  const [edits, setEditsState] = useState<Partial<SettingsDraft>>(() => keptEdits);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const setEdits = (next: Partial<SettingsDraft>) => {
    keptEdits = next;
    setEditsState(next);
  };
  const inForce = draftFrom(scheduler, energy);
  const draft: SettingsDraft = { ...inForce, ...edits };
  const unsaved = changedKeys(draft, inForce);
  const set = <K extends DraftKey>(key: K, value: SettingsDraft[K]) => {
    setEdits({ ...edits, [key]: value });
    setSaved(false);
  };
  const err = (key: DraftKey) => errors[key];
  const windowErrors = new Map<number, string>();
  for (const [target, message] of Object.entries(errors)) if (target.startsWith('window:') && message !== undefined) windowErrors.set(Number(target.slice(7)), message);

  /** Saves what changed, scheduler first; a refused part stops there and keeps its edits, with the message beside its field. */
  async function save() {
    const patches = patchesFrom(draft, scheduler, energy);
    setSaved(false);
    if (Object.keys(patches.problems).length > 0) {
      setErrors(patches.problems);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      if (patches.scheduler !== null) {
        const result = await api.call['settings.update']({ scheduler: patches.scheduler });
        if (!result.ok) {
          setErrors({ [errorTarget(result.error)]: result.error.message });
          return;
        }
        queryClient.setQueryData(settingsQueryKeys.settings, result.value);
        // What is left unsaved is the electricity part, if any.
        setEdits(Object.fromEntries(Object.entries(edits).filter(([key]) => ENERGY_KEYS.includes(key as DraftKey))));
      }
      if (patches.energy !== null) {
        const result = await api.call['energy.settings.update'](patches.energy);
        if (!result.ok) {
          setErrors({ [errorTarget(result.error)]: result.error.message });
          return;
        }
        queryClient.setQueryData(settingsQueryKeys.energy, result.value);
        // Net earnings are valued at these settings.
        void queryClient.invalidateQueries({ queryKey: ['ledger', 'earnings.net'] });
      }
      setEdits({});
      setSaved(true);
    } finally {
      setSaving(false);
    }
  }

  const zone = draft.timeZone === '' ? LOCAL_ZONE : draft.timeZone;
  const cap = parseNumberText(draft.thermalCapC);
  const hysteresis = parseNumberText(draft.thermalHysteresisC);
  const resumeAt = cap === null || hysteresis === null ? null : cap - hysteresis;
  const zones = Intl.supportedValuesOf('timeZone');
  if (draft.timeZone !== '' && !zones.includes(draft.timeZone)) zones.unshift(draft.timeZone);

  return (
    <form
      className="settings-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {errors.form !== undefined && (
        <p className="banner banner-error" role="alert" data-testid="settings-error">
          {errors.form}
        </p>
      )}

      <fieldset className="card settings-group">
        <legend className="card-label">Temperature</legend>
        <Field id="thermalCapC" label="Thermal cap" hint={`Pause a GPU this hot. 50–100 °C, ${defaultText('thermalCapC', '°C')}.`} error={err('thermalCapC')}>
          <NumberInput id="thermalCapC" value={draft.thermalCapC} unit="°C" onChange={(v) => set('thermalCapC', v)} />
        </Field>
        <Field id="thermalHysteresisC" label="Resume below the cap by" hint={`Work again once it has cooled this far${resumeAt === null ? '' : ` (at ${resumeAt} °C)`}. 1–20 °C, ${defaultText('thermalHysteresisC', '°C')}.`} error={err('thermalHysteresisC')}>
          <NumberInput id="thermalHysteresisC" value={draft.thermalHysteresisC} unit="°C" onChange={(v) => set('thermalHysteresisC', v)} />
        </Field>
      </fieldset>

      <fieldset className="card settings-group">
        <legend className="card-label">Power and memory</legend>
        <Toggle id="powerCapOn" label="Cap the power a GPU may draw" checked={draft.powerCapOn} onChange={(on) => set('powerCapOn', on)} />
        {draft.powerCapOn && (
          <>
            <Field id="powerCapW" label="Power cap" hint="10–3000 W; off by default." error={err('powerCapW')}>
              <NumberInput id="powerCapW" value={draft.powerCapW} unit="W" onChange={(v) => set('powerCapW', v)} />
            </Field>
            <Field id="powerCapMode" label="Over the cap" hint="Pause, or keep working on small models only (default: pause)." error={err('powerCapMode')}>
              <select id="powerCapMode" value={draft.powerCapMode} onChange={(e) => set('powerCapMode', e.target.value === 'smaller-jobs' ? 'smaller-jobs' : 'pause')}>
                <option value="pause">Pause</option>
                <option value="smaller-jobs">Take only smaller jobs</option>
              </select>
            </Field>
            {draft.powerCapMode === 'smaller-jobs' && (
              <Field id="smallJobMaxMiB" label="Largest model over the cap" hint={`1 MiB – 16 GiB, ${defaultText('smallJobMaxMiB', 'MiB')}.`} error={err('smallJobMaxMiB')}>
                <NumberInput id="smallJobMaxMiB" value={draft.smallJobMaxMiB} unit="MiB" onChange={(v) => set('smallJobMaxMiB', v)} />
              </Field>
            )}
          </>
        )}
        {err('powerCapW') !== undefined && !draft.powerCapOn && <p className="field-error">{err('powerCapW')}</p>}
        <Field id="vramReserveGiB" label="VRAM kept free for you" hint={`A job whose model would leave less free is refused. 0–64 GiB, ${defaultText('vramReserveGiB', 'GiB')}.`} error={err('vramReserveGiB')}>
          <NumberInput id="vramReserveGiB" value={draft.vramReserveGiB} unit="GiB" onChange={(v) => set('vramReserveGiB', v)} />
        </Field>
      </fieldset>

      <fieldset className="card settings-group">
        <legend className="card-label">When you use this machine</legend>
        <Toggle id="gamingModeOn" label="Gaming mode: pause while another program uses the GPU (on by default)" checked={draft.gamingModeOn} onChange={(on) => set('gamingModeOn', on)} />
        <Field id="gamingGraceSeconds" label="Resume after it is gone for" hint={`0–3600 s, ${defaultText('gamingGraceSeconds', 's')}.`} error={err('gamingGraceSeconds')}>
          <NumberInput id="gamingGraceSeconds" value={draft.gamingGraceSeconds} unit="s" disabled={!draft.gamingModeOn} onChange={(v) => set('gamingGraceSeconds', v)} />
        </Field>
        <Toggle id="idleOnlyOn" label="Idle-only: work only when keyboard and mouse have been still (off by default)" checked={draft.idleOnlyOn} onChange={(on) => set('idleOnlyOn', on)} />
        <Field id="idleMinutes" label="Still for at least" hint={`1–1440 minutes, ${defaultText('idleMinutes', 'min')}.`} error={err('idleMinutes')}>
          <NumberInput id="idleMinutes" value={draft.idleMinutes} unit="min" disabled={!draft.idleOnlyOn} onChange={(v) => set('idleMinutes', v)} />
        </Field>
        <Toggle id="pauseOnBattery" label="Pause on battery (on by default)" checked={draft.pauseOnBattery} onChange={(on) => set('pauseOnBattery', on)} />
      </fieldset>

      <fieldset className="card settings-group card-wide">
        <legend className="card-label">Off hours</legend>
        <Field id="timeZone" label="Time zone" hint={`Windows are in ${zone}.`} error={err('timeZone')}>
          <select id="timeZone" value={draft.timeZone} onChange={(e) => set('timeZone', e.target.value)}>
            <option value="">This computer's ({LOCAL_ZONE})</option>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <ScheduleWindows windows={draft.offWindows} zone={zone} errors={windowErrors} onChange={(windows) => set('offWindows', windows)} />
        {err('offWindows') !== undefined && <p className="field-error">{err('offWindows')}</p>}
      </fieldset>

      <fieldset className="card settings-group card-wide">
        <legend className="card-label">Electricity</legend>
        {energy === undefined ? (
          <p className="muted">{energyError !== null ? `Couldn't read the electricity settings: ${energyError.message}` : 'Reading…'}</p>
        ) : (
          <>
            <Field id="electricityPrice" label="Price per kWh" hint={`In ${draft.currency}; 0–100, ${defaultText('electricityPrice', '')} (a placeholder: set your tariff).`} error={err('electricityPrice')}>
              <NumberInput id="electricityPrice" value={draft.electricityPrice} unit={`${draft.currency}/kWh`} onChange={(v) => set('electricityPrice', v)} />
            </Field>
            <Field id="currency" label="Currency" hint={`Three-letter ISO code, ${defaultText('currency', '')}.`} error={err('currency')}>
              <input id="currency" type="text" className="number-input" maxLength={3} value={draft.currency} onChange={(e) => set('currency', e.target.value.toUpperCase())} />
            </Field>
            <Field id="tokenPrice" label="One payout token is worth" hint={`In ${draft.currency}, ${defaultText('tokenPrice', '')}.`} error={err('tokenPrice')}>
              <NumberInput id="tokenPrice" value={draft.tokenPrice} unit={draft.currency} onChange={(v) => set('tokenPrice', v)} />
            </Field>
            <Field id="tokenDecimals" label="Payout token decimals" hint={`0–36, ${defaultText('tokenDecimals', '')}.`} error={err('tokenDecimals')}>
              <NumberInput id="tokenDecimals" value={draft.tokenDecimals} unit="" onChange={(v) => set('tokenDecimals', v)} />
            </Field>
          </>
        )}
      </fieldset>

      <div className="settings-actions" data-testid="settings-actions">
        <span className="muted small" data-testid="settings-unsaved">
          {unsaved.length > 0 ? `${unsaved.length} unsaved change${unsaved.length === 1 ? '' : 's'}` : saved ? 'Saved.' : 'No unsaved changes.'}
        </span>
        <button
          type="button"
          className="button"
          disabled={unsaved.length === 0 || saving}
          onClick={() => {
            setEdits({});
            setErrors({});
          }}
        >
          Revert
        </button>
        <button type="submit" className="button-primary" disabled={unsaved.length === 0 || saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
