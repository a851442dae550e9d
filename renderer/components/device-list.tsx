/** The GPUs the provider detected, or a sentence saying why none are listed. */
import type { Device } from '../../common/api.js';
import { formatBytes } from '../format.js';

const vendorNames: Record<Device['vendor'], string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  other: 'Other',
};

/** The devices, or a sentence saying why there are none. */
export function DeviceList({ devices }: { devices: Device[] | null }) {
  if (devices === null) {
    return (
      <p className="muted" data-testid="devices-empty">
        Looking for GPUs…
      </p>
    );
  }
  if (devices.length === 0) {
    return (
      <p className="muted" data-testid="devices-empty">
        No GPU found on this machine — jobs run on the CPU.
      </p>
    );
  }
  return (
    <ul className="device-list" data-testid="devices">
      {devices.map((device) => (
        <li key={device.id} className="device">
          <span className="device-name">{device.name}</span>
          <span className="device-meta">
            {vendorNames[device.vendor]}
            {' · '}
            {device.vramBytes === null ? 'VRAM unknown' : `${formatBytes(device.vramBytes)} VRAM`}
          </span>
        </li>
      ))}
    </ul>
  );
}
