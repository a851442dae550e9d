import { describe, expect, it } from 'vitest';
import { parseSystemProfilerJson } from '../../../worker/devices/system-profiler.js';
import { fixture } from './fixtures.js';

describe('system_profiler SPDisplaysDataType -json', () => {
  it('reads an Apple M2 Pro, with unified memory reported as unknown VRAM', async () => {
    const { devices, problems } = parseSystemProfilerJson(await fixture('system-profiler/apple-m2-pro.json'));
    expect(problems).toEqual([]);
    expect(devices).toEqual([
      {
        id: 'system_profiler:0',
        name: 'Apple M2 Pro (19-core GPU)',
        vendor: 'apple',
        pciBusId: null,
        vramTotalBytes: null,
        vramUsedBytes: null,
        driverVersion: null,
        computeApi: 'Metal 3',
        temperatureC: null,
        utilizationPercent: null,
        powerDrawW: null,
        powerLimitW: null,
        source: 'system_profiler',
      },
    ]);
  });

  it('reads an Intel Mac: the discrete Radeon has dedicated VRAM, the iGPU only shared memory', async () => {
    const { devices } = parseSystemProfilerJson(await fixture('system-profiler/intel-mac-radeon-pro-5500m.json'));
    expect(devices.map((d) => [d.name, d.vendor, d.vramTotalBytes, d.computeApi])).toEqual([
      ['AMD Radeon Pro 5500M', 'amd', 8 * 1024 ** 3, 'Metal 3'],
      ['Intel UHD Graphics 630', 'intel', null, 'Metal 3'],
    ]);
  });

  it('reports truncated JSON and binary junk as problems with no devices', async () => {
    for (const path of ['system-profiler/truncated.json', 'garbage/binary.bin']) {
      const { devices, problems } = parseSystemProfilerJson(await fixture(path));
      expect(devices).toEqual([]);
      expect(problems).toHaveLength(1);
    }
  });
});
