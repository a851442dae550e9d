import { describe, expect, it } from 'vitest';
import { parseRocmSmiJson } from '../../../worker/devices/rocm-smi.js';
import { fixture } from './fixtures.js';

describe('rocm-smi --json', () => {
  it('reads a Radeon RX 7900 XTX (ROCm 6 labels)', async () => {
    const { devices, problems } = parseRocmSmiJson(await fixture('rocm-smi/radeon-rx-7900-xtx.json'));
    expect(problems).toEqual([]);
    expect(devices).toEqual([
      {
        id: 'pci:0000:03:00.0',
        name: 'AMD Radeon RX 7900 XTX',
        vendor: 'amd',
        pciBusId: '0000:03:00.0',
        vramTotalBytes: 25_753_026_560,
        vramUsedBytes: 1_249_112_064,
        driverVersion: '6.8.0-45-generic',
        computeApi: null,
        temperatureC: 38,
        utilizationPercent: 2,
        powerDrawW: 24,
        powerLimitW: 327,
        source: 'rocm-smi',
      },
    ]);
  });

  it('reads ROCm 5 labels, takes the product from the pci.ids bracket, and keeps N/A power unknown', async () => {
    const { devices } = parseRocmSmiJson(await fixture('rocm-smi/radeon-rx-6800-xt-rocm5.json'));
    expect(devices[0]).toMatchObject({
      name: 'AMD Radeon RX 6800/6800 XT / 6900 XT',
      pciBusId: '0000:0b:00.0',
      vramTotalBytes: 17_163_091_968,
      temperatureC: 45,
      powerDrawW: null,
      powerLimitW: 255,
      driverVersion: '6.2.0-39-generic',
    });
  });

  it('reads JSON printed after a warning line, and numbers given as JSON numbers', () => {
    const stdout =
      'WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status\n\n' +
      '{"card1": {"Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": 205520896000, "GPU use (%)": 88}, ' +
      '"card0": {"Card Series": "AMD Instinct MI300X", "VRAM Total Memory (B)": "205520896000"}}';
    const { devices } = parseRocmSmiJson(stdout);
    expect(devices.map((d) => [d.id, d.name, d.vramTotalBytes, d.utilizationPercent])).toEqual([
      ['rocm-smi:0', 'AMD Instinct MI300X', 205_520_896_000, null],
      ['rocm-smi:1', 'AMD Instinct MI300X', 205_520_896_000, 88],
    ]);
  });

  it('reports truncated JSON and binary junk as problems with no devices', async () => {
    for (const path of ['rocm-smi/truncated.json', 'garbage/binary.bin']) {
      const { devices, problems } = parseRocmSmiJson(await fixture(path));
      expect(devices).toEqual([]);
      expect(problems[0]).toMatch(/not JSON/);
    }
  });

  it('finds nothing, without complaint, in an empty object', () => {
    expect(parseRocmSmiJson('{}')).toEqual({ devices: [], problems: [] });
  });
});
