import { describe, expect, it } from 'vitest';
import { Device } from '../../../common/api.js';
import type { DetectedDevice } from '../../../worker/devices/device.js';
import { toApiDevice } from '../../../worker/devices/device.js';
import { normalizePciBusId, vendorFromPciId } from '../../../worker/devices/pci.js';
import { parseNvidiaSmiCsv } from '../../../worker/devices/nvidia-smi.js';
import { parseSystemProfilerJson } from '../../../worker/devices/system-profiler.js';
import { fixture } from './fixtures.js';

describe('toApiDevice', () => {
  it("maps to the dashboard's Device and passes its schema, unknown VRAM staying null", async () => {
    const [h100] = parseNvidiaSmiCsv(await fixture('nvidia-smi/h100-80gb-hbm3.csv'), '12.4').devices;
    const [m2] = parseSystemProfilerJson(await fixture('system-profiler/apple-m2-pro.json')).devices;
    const mapped = [h100, m2].map((device) => toApiDevice(device as DetectedDevice));
    expect(mapped).toEqual([
      { id: 'GPU-9d3f2a71-5c8e-4b0f-a6d2-7e1c3b58f409', name: 'NVIDIA H100 80GB HBM3', vendor: 'nvidia', vramBytes: 85_520_809_984 },
      { id: 'system_profiler:0', name: 'Apple M2 Pro (19-core GPU)', vendor: 'apple', vramBytes: null },
    ]);
    for (const device of mapped) expect(Device.parse(device)).toEqual(device);
  });

  it("keeps long text within the schema's limits", () => {
    const [device] = parseNvidiaSmiCsv(`0, GPU-11111111-2222, ${'A'.repeat(300)}, 100, 0, 550.67, 30, 0, 1.00, 2.00, 00000000:01:00.0`, null).devices;
    expect(Device.safeParse(toApiDevice(device as DetectedDevice)).success).toBe(true);
  });
});

describe('PCI helpers', () => {
  it('writes every tool’s bus id the same way', () => {
    expect(['00000000:4C:00.0', '0000:4c:00.0', '4c:00.0', '0000:4C:00.0'].map(normalizePciBusId)).toEqual(
      Array(4).fill('0000:4c:00.0'),
    );
    expect(normalizePciBusId('10000:e1:00.0')).toBe('10000:e1:00.0');
    expect(normalizePciBusId('virtio0')).toBeNull();
  });

  it('knows the GPU vendors by PCI id', () => {
    expect(['0x10de', '1002', 'VEN_8086'.slice(4), '106b', '1a03'].map(vendorFromPciId)).toEqual([
      'nvidia',
      'amd',
      'intel',
      'apple',
      'other',
    ]);
  });
});
