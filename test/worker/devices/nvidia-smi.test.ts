import { describe, expect, it } from 'vitest';
import {
  NVIDIA_SMI_QUERY_ARGS,
  NVIDIA_SMI_QUERY_FIELDS,
  parseNvidiaSmiCsv,
  parseNvidiaSmiCudaVersion,
} from '../../../worker/devices/nvidia-smi.js';
import { fixture, mib } from './fixtures.js';

describe('nvidia-smi --query-gpu', () => {
  it('asks for the fields the parser reads, as CSV without header or units', () => {
    expect(NVIDIA_SMI_QUERY_ARGS).toEqual([
      '--query-gpu=index,uuid,name,memory.total,memory.used,driver_version,temperature.gpu,utilization.gpu,power.draw,power.limit,pci.bus_id',
      '--format=csv,noheader,nounits',
    ]);
    expect(NVIDIA_SMI_QUERY_FIELDS).toHaveLength(11);
  });

  it('reads a GeForce RTX 4090', async () => {
    const { devices, problems } = parseNvidiaSmiCsv(await fixture('nvidia-smi/geforce-rtx-4090.csv'), '12.4');
    expect(problems).toEqual([]);
    expect(devices).toEqual([
      {
        id: 'GPU-3b8f2d6e-1c4a-5e7b-9d0f-6a2c8e4b1f73',
        name: 'NVIDIA GeForce RTX 4090',
        vendor: 'nvidia',
        pciBusId: '0000:01:00.0',
        vramTotalBytes: mib(24564),
        vramUsedBytes: mib(1432),
        driverVersion: '550.67',
        computeApi: 'CUDA 12.4',
        temperatureC: 41,
        utilizationPercent: 3,
        powerDrawW: 28.74,
        powerLimitW: 450,
        source: 'nvidia-smi',
      },
    ]);
  });

  it('reads an H100 80GB HBM3', async () => {
    const { devices } = parseNvidiaSmiCsv(await fixture('nvidia-smi/h100-80gb-hbm3.csv'), '12.4');
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      id: 'GPU-9d3f2a71-5c8e-4b0f-a6d2-7e1c3b58f409',
      name: 'NVIDIA H100 80GB HBM3',
      pciBusId: '0000:18:00.0',
      vramTotalBytes: 85_520_809_984,
      vramUsedBytes: mib(1),
      driverVersion: '550.54.15',
      temperatureC: 33,
      utilizationPercent: 0,
      powerDrawW: 69.48,
      powerLimitW: 700,
    });
  });

  it('reads two GPUs in one box, keeping [N/A] power as unknown rather than zero', async () => {
    const { devices, problems } = parseNvidiaSmiCsv(await fixture('nvidia-smi/two-rtx-3090.csv'), '12.2');
    expect(problems).toEqual([]);
    expect(devices.map((d) => [d.name, d.pciBusId, d.vramTotalBytes, d.vramUsedBytes, d.temperatureC])).toEqual([
      ['NVIDIA GeForce RTX 3090', '0000:01:00.0', mib(24576), mib(18234), 67],
      ['NVIDIA GeForce RTX 3090', '0000:4c:00.0', mib(24576), mib(5), 34],
    ]);
    expect(devices[0]?.powerDrawW).toBe(341.27);
    expect(devices[1]?.powerDrawW).toBeNull();
    expect(devices[1]?.utilizationPercent).toBe(0);
    expect(new Set(devices.map((d) => d.id)).size).toBe(2);
  });

  it('reads Windows output with CRLF line ends', async () => {
    const { devices, problems } = parseNvidiaSmiCsv(await fixture('nvidia-smi/windows-rtx-3060.csv'), null);
    expect(problems).toEqual([]);
    expect(devices[0]).toMatchObject({
      name: 'NVIDIA GeForce RTX 3060',
      vramTotalBytes: mib(12288),
      driverVersion: '552.22',
      computeApi: null,
      powerLimitW: 170,
      pciBusId: '0000:01:00.0',
    });
  });

  it('turns [N/A], [Not Supported] and impossible readings into null, skips cut-off and junk lines', async () => {
    const { devices, problems } = parseNvidiaSmiCsv(await fixture('nvidia-smi/unmeasurable-and-junk.csv'), null);
    expect(devices.map((d) => d.name)).toEqual(['NVIDIA GeForce RTX 4090', 'NVIDIA GeForce RTX 4090']);
    const [unmeasured, impossible] = devices;
    expect(unmeasured).toMatchObject({
      vramTotalBytes: mib(24564),
      vramUsedBytes: null,
      temperatureC: null,
      utilizationPercent: null,
      powerDrawW: null,
      powerLimitW: null,
      pciBusId: '0000:01:00.0',
    });
    // 255 °C, 101 %, −1 W and 99999 W are sensor error codes, not readings.
    expect(impossible).toMatchObject({ vramUsedBytes: 0, temperatureC: null, utilizationPercent: null, powerDrawW: null, powerLimitW: null });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/line 3/);
  });

  it('finds no devices, and invents no readings, in the driver-failure message or binary junk', async () => {
    const failure = parseNvidiaSmiCsv(await fixture('nvidia-smi/driver-failure.txt'), null);
    expect(failure.devices).toEqual([]);
    expect(failure.problems[0]).toMatch(/NVIDIA-SMI has failed/);
    const junk = parseNvidiaSmiCsv(await fixture('garbage/binary.bin'), null);
    expect(junk.devices).toEqual([]);
    expect(junk.problems.length).toBeGreaterThan(0);
    expect(parseNvidiaSmiCsv('', null)).toEqual({ devices: [], problems: [] });
  });

  it('rebuilds a name that contains a comma', () => {
    const line = '0, GPU-11111111-2222-3333-4444-555555555555, Quadro RTX 8000, Rev. B, 46080, 10, 550.54.15, 30, 0, 20.00, 260.00, 00000000:3B:00.0';
    expect(parseNvidiaSmiCsv(line, null).devices[0]).toMatchObject({ name: 'Quadro RTX 8000, Rev. B', vramTotalBytes: mib(46080) });
  });

  it('falls back to the bus id for the id when the UUID is missing', () => {
    const line = '0, [N/A], NVIDIA GeForce RTX 4090, 24564, 0, 550.67, 40, 0, 20.00, 450.00, 00000000:01:00.0';
    expect(parseNvidiaSmiCsv(line, null).devices[0]?.id).toBe('pci:0000:01:00.0');
  });
});

describe('nvidia-smi banner', () => {
  it('gives the CUDA version the driver supports', async () => {
    expect(parseNvidiaSmiCudaVersion(await fixture('nvidia-smi/geforce-rtx-4090-banner.txt'))).toBe('12.4');
    expect(parseNvidiaSmiCudaVersion(await fixture('nvidia-smi/two-rtx-3090-banner.txt'))).toBe('12.2');
    expect(parseNvidiaSmiCudaVersion(await fixture('nvidia-smi/windows-rtx-3060-banner.txt'))).toBe('12.4');
  });

  it('gives null when there is no banner', async () => {
    expect(parseNvidiaSmiCudaVersion(await fixture('nvidia-smi/driver-failure.txt'))).toBeNull();
    expect(parseNvidiaSmiCudaVersion(await fixture('garbage/binary.bin'))).toBeNull();
  });
});
