/**
 * The scheduler on the dashboard: whether the node works, drains or is paused and every reason, the
 * notices of policies that cannot measure what they need, each device's readings, and the manual
 * Pause / Resume buttons (for everything and per device). Live from the `scheduler` event.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SchedulerReason, SchedulerState } from '../../common/api-scheduler.js';
import { useApiClient } from '../api/api-context.js';
import { unwrap } from '../api/api-error.js';
import { useEarningsNet, useHasMarketplace } from '../api/ledger-queries.js';
import { eventQueryKeys, useScheduler, useStatus } from '../api/live-queries.js';
import { settingsQueryKeys } from '../api/settings-queries.js';
import { formatDateTime } from '../format.js';
import { actionWords, decisionFor, deviceReadings, foreignProcessText, policyLabels, schedulerDeviceIds, sharedReason } from '../scheduler-words.js';
import { formatMoney } from './net-earnings.js';

type PauseTarget = { deviceId?: string; pause: boolean };

/** Calls scheduler.pause / scheduler.resume and puts the answer straight into the scheduler query. */
function usePauseControl() {
  const { api } = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ deviceId, pause }: PauseTarget) => {
      const input = deviceId === undefined ? {} : { deviceId };
      return unwrap(await (pause ? api.call['scheduler.pause'](input) : api.call['scheduler.resume'](input)));
    },
    onSuccess: (state) => {
      queryClient.setQueryData<SchedulerState>(eventQueryKeys.scheduler, state);
      // The manual pause is kept in the settings; the Settings page reads them.
      void queryClient.invalidateQueries({ queryKey: settingsQueryKeys.settings });
    },
  });
}

/** The card, or what stands in for it while the state is not known. */
export function SchedulerCard({ stale }: { stale: boolean }) {
  const scheduler = useScheduler();
  return (
    <section className={`card card-wide scheduler-card${stale ? ' card-stale' : ''}`} aria-labelledby="scheduler-heading" data-testid="scheduler-card">
      <h2 id="scheduler-heading" className="card-label">
        When Hearth works
      </h2>
      {scheduler.data !== undefined ? (
        <SchedulerView state={scheduler.data} />
      ) : scheduler.isError ? (
        <p className="form-error">Couldn't read the scheduler: {scheduler.error.message}</p>
      ) : (
        <p className="muted">Asking the scheduler…</p>
      )}
    </section>
  );
}

/** Every reason, each with its policy and, for one device's, the device it holds back. */
function ReasonList({ reasons, deviceName }: { reasons: readonly SchedulerReason[]; deviceName: (id: string) => string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="reason-list" data-testid="scheduler-reasons">
      {reasons.map((reason, i) => (
        <li key={`${reason.policy}-${reason.deviceId ?? ''}-${i}`} className={`reason reason-${reason.action}`} data-testid="scheduler-reason" data-policy={reason.policy}>
          <span className="reason-policy">
            {policyLabels[reason.policy]}
            {reason.deviceId === null ? '' : ` (${deviceName(reason.deviceId)})`}
          </span>{' '}
          {reason.message}
        </li>
      ))}
    </ul>
  );
}

function SchedulerView({ state }: { state: SchedulerState }) {
  const pause = usePauseControl();
  const devices = useStatus().data?.devices ?? null;
  const words = actionWords[state.action];
  const pausedAll = state.manualPause.all;
  const deviceName = (id: string) => devices?.find((d) => d.id === id)?.name ?? id;
  return (
    <>
      <div className="scheduler-head">
        <p className={`scheduler-action action-${state.action}`} data-testid="scheduler-action" data-action={state.action}>
          <span className="dot" aria-hidden="true" />
          {words.title}
        </p>
        <button
          type="button"
          className={pausedAll ? 'button-primary' : 'button'}
          data-testid="scheduler-toggle"
          disabled={pause.isPending}
          onClick={() => pause.mutate({ pause: !pausedAll })}
        >
          {pausedAll ? 'Resume' : 'Pause'}
        </button>
      </div>
      <p className="muted small">
        {words.detail} Since {formatDateTime(state.since)}.
      </p>
      {pause.isError && (
        <p className="form-error" role="alert">
          {pause.error.message}
        </p>
      )}
      <ReasonList reasons={state.reasons} deviceName={deviceName} />
      {state.notices.length > 0 && (
        <ul className="notice-list" data-testid="scheduler-notices">
          {state.notices.map((notice, i) => (
            <li key={`${notice.policy}-${i}`} data-policy={notice.policy}>
              <span className="reason-policy">{policyLabels[notice.policy]}</span> {notice.message}
            </li>
          ))}
        </ul>
      )}
      <ul className="scheduler-devices">
        {schedulerDeviceIds(state).map((id) => (
          <DeviceRow key={id} state={state} deviceId={id} name={deviceName(id)} pending={pause.isPending} onToggle={(paused) => pause.mutate({ deviceId: id, pause: !paused })} />
        ))}
      </ul>
      <NetProjection />
    </>
  );
}

function DeviceRow({ state, deviceId, name, pending, onToggle }: { state: SchedulerState; deviceId: string; name: string; pending: boolean; onToggle: (paused: boolean) => void }) {
  const decision = decisionFor(state, deviceId);
  const sample = state.telemetry.find((s) => s.deviceId === deviceId);
  const readings = sample === undefined ? [] : deviceReadings(sample);
  const allUnmeasurable = sharedReason(readings);
  const others = sample === undefined ? null : foreignProcessText(sample);
  const paused = state.manualPause.devices.includes(deviceId);
  return (
    <li className="scheduler-device" data-testid="scheduler-device" data-device-id={deviceId}>
      <div className="scheduler-device-head">
        <span className="device-name">{name}</span>
        <span className={`tag action-${decision.action}`} data-testid="scheduler-device-action">
          {actionWords[decision.action].title}
        </span>
        <button type="button" className="button button-small" disabled={pending} data-testid="scheduler-device-toggle" onClick={() => onToggle(paused)}>
          {paused ? `Resume ${name}` : `Pause ${name}`}
        </button>
      </div>
      {sample === undefined ? (
        <p className="muted small">No readings yet.</p>
      ) : allUnmeasurable !== null ? (
        <p className="muted small" data-testid="scheduler-unmeasurable">
          Temperature, power, utilization and VRAM: not measurable — {allUnmeasurable}
        </p>
      ) : (
        <dl className="worker-stats scheduler-readings">
          {readings.map((r) => (
            <div key={r.label} data-testid="scheduler-reading" data-label={r.label}>
              <dt>{r.label}</dt>
              {r.text !== null ? (
                <dd>{r.text}</dd>
              ) : (
                <dd className="unmeasurable" title={r.reason ?? undefined}>
                  Not measurable <span className="muted small">({r.reason})</span>
                </dd>
              )}
            </div>
          ))}
        </dl>
      )}
      {others !== null && <p className="small">Other programs on this GPU: {others}</p>}
    </li>
  );
}

/** The projection of net earnings per day at the current rate, when the provider has a ledger with some. */
function NetProjection() {
  const hasMarketplace = useHasMarketplace();
  const net = useEarningsNet(hasMarketplace === true);
  if (net.data === undefined || net.data.projection.jobs === 0) return null;
  return (
    <p className="small" data-testid="scheduler-projection">
      At the current rate: {formatMoney(net.data.projection.netPerDay)} {net.data.currency} per day after electricity (the last hour's {net.data.projection.jobs} job
      {net.data.projection.jobs === 1 ? '' : 's'} × 24).
    </p>
  );
}
