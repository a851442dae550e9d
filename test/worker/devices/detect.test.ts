import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectDevices } from '../../../worker/devices/detect.js';
import { LSPCI_ARGS } from '../../../worker/devices/lspci.js';
import { NVIDIA_SMI_QUERY_ARGS } from '../../../worker/devices/nvidia-smi.js';
import { ROCM_SMI_ARGS } from '../../../worker/devices/rocm-smi.js';
import type { CommandResult } from '../../../worker/devices/run-command.js';
import { SYSTEM_PROFILER_ARGS, SYSTEM_PROFILER_PATH } from '../../../worker/devices/system-profiler.js';
import { POWERSHELL_ARGS } from '../../../worker/devices/win32-video-controller.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { fixture, mib, writeSysfsTree } from './fixtures.js';
import { commandLine, printed, scriptedRunner } from './scripted-runner.js';

// Every machine below is one this test host is not: the tools' outputs are recorded fixtures served by
// scriptedRunner, and /sys is a fixture tree in a temp dir.
const NVIDIA_QUERY = commandLine('nvidia-smi', NVIDIA_SMI_QUERY_ARGS);
const NVIDIA_BANNER = commandLine('nvidia-smi', []);
const ROCM = commandLine('rocm-smi', ROCM_SMI_ARGS);
const LSPCI = commandLine('lspci', LSPCI_ARGS);
const SYSTEM_PROFILER = commandLine(SYSTEM_PROFILER_PATH, SYSTEM_PROFILER_ARGS);
const POWERSHELL = commandLine('powershell.exe', POWERSHELL_ARGS);

let sys: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  sys = await makeTempDir('hearth-detect-');
});
afterEach(async () => {
  await sys.remove();
});

async function fromFixture(path: string): Promise<CommandResult> {
  return printed(await fixture(path));
}

describe('detectDevices on Linux', () => {
  it('GeForce desktop: the RTX 4090 from nvidia-smi, the iGPU from sysfs, nothing twice', async () => {
    await writeSysfsTree(sys.dir, 'rtx-4090-uhd-770');
    const { run, calls } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/geforce-rtx-4090.csv'),
      [NVIDIA_BANNER]: await fromFixture('nvidia-smi/geforce-rtx-4090-banner.txt'),
      [LSPCI]: await fromFixture('lspci/rtx-4090-uhd-770.txt'),
    });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices.map((d) => [d.name, d.source, d.vramTotalBytes, d.computeApi])).toEqual([
      ['NVIDIA GeForce RTX 4090', 'nvidia-smi', mib(24564), 'CUDA 12.4'],
      ['Intel UHD Graphics 770', 'linux-drm', null, null],
    ]);
    expect(report.sources).toEqual([
      { name: 'nvidia-smi', status: 'ok' },
      { name: 'rocm-smi', status: 'missing' },
      { name: 'linux-drm', status: 'ok' },
      { name: 'lspci', status: 'ok' },
    ]);
    expect(calls.every((call) => call.timeoutMs > 0 && call.timeoutMs <= 30_000)).toBe(true);
  });

  it('H100 server: one GPU; the ASPEED BMC is not a device', async () => {
    await writeSysfsTree(sys.dir, 'h100-server');
    const { run } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/h100-80gb-hbm3.csv'),
      [NVIDIA_BANNER]: await fromFixture('nvidia-smi/h100-80gb-hbm3-banner.txt'),
      [LSPCI]: await fromFixture('lspci/h100-server.txt'),
    });
    const { devices } = await detectDevices(run, 'linux', sys.dir);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', vramTotalBytes: mib(81559), powerLimitW: 700, computeApi: 'CUDA 12.4' });
  });

  it('two GPUs in one box, in a container without /sys/class/drm or lspci', async () => {
    const { run } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/two-rtx-3090.csv'),
      [NVIDIA_BANNER]: await fromFixture('nvidia-smi/two-rtx-3090-banner.txt'),
    });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices.map((d) => [d.id, d.powerDrawW, d.computeApi])).toEqual([
      ['GPU-7a1c9e42-3d8b-6f05-2e9a-b4c7d1f08e36', 341.27, 'CUDA 12.2'],
      ['GPU-c02e5b18-94f7-a3d6-1b8e-5f2a7c9d0e41', null, 'CUDA 12.2'],
    ]);
    expect(report.sources.map((s) => [s.name, s.status])).toEqual([
      ['nvidia-smi', 'ok'],
      ['rocm-smi', 'missing'],
      ['linux-drm', 'missing'],
      ['lspci', 'missing'],
    ]);
  });

  it('AMD desktop: the 7900 XTX from rocm-smi, the iGPU rocm-smi left out from sysfs', async () => {
    await writeSysfsTree(sys.dir, 'radeon-rx-7900-xtx');
    const { run } = scriptedRunner({
      [ROCM]: await fromFixture('rocm-smi/radeon-rx-7900-xtx.json'),
      [LSPCI]: await fromFixture('lspci/radeon-rx-7900-xtx.txt'),
    });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices.map((d) => [d.name, d.source, d.pciBusId, d.vramTotalBytes])).toEqual([
      ['AMD Radeon RX 7900 XTX', 'rocm-smi', '0000:03:00.0', 25_753_026_560],
      ['AMD GPU [1002:164e]', 'linux-drm', '0000:10:00.0', 536_870_912],
    ]);
    expect(report.sources.find((s) => s.name === 'nvidia-smi')?.status).toBe('missing');
  });

  it('AMD desktop without ROCm: the same card from sysfs, with its readings', async () => {
    await writeSysfsTree(sys.dir, 'radeon-rx-7900-xtx');
    const { run } = scriptedRunner({ [LSPCI]: await fromFixture('lspci/radeon-rx-7900-xtx.txt') });
    const { devices } = await detectDevices(run, 'linux', sys.dir);
    expect(devices[0]).toMatchObject({
      id: 'pci:0000:03:00.0',
      name: 'AMD Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M',
      vramTotalBytes: 25_753_026_560,
      temperatureC: 38,
      powerDrawW: 24,
      source: 'linux-drm',
    });
  });

  it('a machine with no GPU: every tool missing, an empty list, no error', async () => {
    await writeSysfsTree(sys.dir, 'simple-framebuffer');
    const report = await detectDevices(scriptedRunner({}).run, 'linux', sys.dir);
    expect(report).toEqual({
      devices: [],
      sources: [
        { name: 'nvidia-smi', status: 'missing' },
        { name: 'rocm-smi', status: 'missing' },
        { name: 'linux-drm', status: 'ok' },
        { name: 'lspci', status: 'missing' },
      ],
    });
  });

  it('a virtual machine: lspci and sysfs answer, and report no GPU', async () => {
    await writeSysfsTree(sys.dir, 'qemu-virtio');
    const { run } = scriptedRunner({ [LSPCI]: await fromFixture('lspci/qemu-vm.txt') });
    expect((await detectDevices(run, 'linux', sys.dir)).devices).toEqual([]);
  });
});

describe('detectDevices on macOS and Windows', () => {
  it('Apple M2 Pro from system_profiler', async () => {
    const { run } = scriptedRunner({ [SYSTEM_PROFILER]: await fromFixture('system-profiler/apple-m2-pro.json') });
    const report = await detectDevices(run, 'darwin');
    expect(report.devices.map((d) => [d.name, d.vendor, d.vramTotalBytes, d.computeApi])).toEqual([
      ['Apple M2 Pro (19-core GPU)', 'apple', null, 'Metal 3'],
    ]);
    expect(report.sources).toEqual([{ name: 'system_profiler', status: 'ok' }]);
  });

  it('Windows with an Intel iGPU and an RTX 3060: nvidia-smi for the card, WMI for the iGPU', async () => {
    const { run } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/windows-rtx-3060.csv'),
      [NVIDIA_BANNER]: await fromFixture('nvidia-smi/windows-rtx-3060-banner.txt'),
      [POWERSHELL]: await fromFixture('win32-video-controller/intel-uhd-770-rtx-3060.json'),
    });
    const report = await detectDevices(run, 'win32');
    expect(report.devices.map((d) => [d.name, d.source, d.vramTotalBytes])).toEqual([
      ['NVIDIA GeForce RTX 3060', 'nvidia-smi', mib(12288)],
      ['Intel(R) UHD Graphics 770', 'Win32_VideoController', 1024 ** 3],
    ]);
    expect(report.sources).toEqual([
      { name: 'nvidia-smi', status: 'ok' },
      { name: 'Win32_VideoController', status: 'ok' },
    ]);
  });

  it('Windows without nvidia-smi: both adapters from WMI, the RTX 3060 with VRAM unknown', async () => {
    const { run } = scriptedRunner({ [POWERSHELL]: await fromFixture('win32-video-controller/intel-uhd-770-rtx-3060.json') });
    const { devices } = await detectDevices(run, 'win32');
    expect(devices.map((d) => [d.name, d.vramTotalBytes])).toEqual([
      ['Intel(R) UHD Graphics 770', 1024 ** 3],
      ['NVIDIA GeForce RTX 3060', null],
    ]);
  });

  it('machines with no GPU: a Windows VM and a Mac whose tool is missing', async () => {
    const { run } = scriptedRunner({ [POWERSHELL]: await fromFixture('win32-video-controller/basic-display-adapter.json') });
    expect(await detectDevices(run, 'win32')).toEqual({
      devices: [],
      sources: [
        { name: 'nvidia-smi', status: 'missing' },
        { name: 'Win32_VideoController', status: 'ok' },
      ],
    });
    expect(await detectDevices(scriptedRunner({}).run, 'darwin')).toEqual({
      devices: [],
      sources: [{ name: 'system_profiler', status: 'missing' }],
    });
  });

  it('other platforms ask nvidia-smi only', async () => {
    const { run, calls } = scriptedRunner({});
    const report = await detectDevices(run, 'freebsd');
    expect(calls.map((c) => c.line)).toEqual([NVIDIA_QUERY]);
    expect(report).toEqual({ devices: [], sources: [{ name: 'nvidia-smi', status: 'missing' }] });
  });
});

describe('detectDevices when tools misbehave', () => {
  it('reports a broken driver as failed, with what nvidia-smi said', async () => {
    const message = await fixture('nvidia-smi/driver-failure.txt');
    const { run } = scriptedRunner({ [NVIDIA_QUERY]: { status: 'failed', reason: `exited with code 9: ${message.trim()}` } });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices).toEqual([]);
    expect(report.sources[0]).toEqual({ name: 'nvidia-smi', status: 'failed', reason: expect.stringMatching(/couldn't communicate/) });
  });

  it('reports output it cannot read as failed, never as devices with zero readings', async () => {
    const { run } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/driver-failure.txt'),
      [ROCM]: await fromFixture('rocm-smi/truncated.json'),
      [LSPCI]: await fromFixture('garbage/binary.bin'),
    });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices).toEqual([]);
    expect(report.sources.map((s) => [s.name, s.status])).toEqual([
      ['nvidia-smi', 'failed'],
      ['rocm-smi', 'failed'],
      ['linux-drm', 'missing'],
      ['lspci', 'ok'],
    ]);
    const mac = await detectDevices(scriptedRunner({ [SYSTEM_PROFILER]: await fromFixture('garbage/binary.bin') }).run, 'darwin');
    expect(mac).toEqual({ devices: [], sources: [{ name: 'system_profiler', status: 'failed', reason: expect.any(String) }] });
  });

  it('keeps the good lines of partly garbled output and says what it skipped', async () => {
    const { run } = scriptedRunner({ [NVIDIA_QUERY]: await fromFixture('nvidia-smi/unmeasurable-and-junk.csv') });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices).toHaveLength(2);
    expect(report.sources[0]).toEqual({ name: 'nvidia-smi', status: 'ok', reason: expect.stringMatching(/line 3 .*and 2 more/) });
  });

  it('leaves the CUDA version unknown when the banner fails, and says so', async () => {
    const { run } = scriptedRunner({
      [NVIDIA_QUERY]: await fromFixture('nvidia-smi/h100-80gb-hbm3.csv'),
      [NVIDIA_BANNER]: { status: 'failed', reason: 'timed out after 10000 ms' },
    });
    const report = await detectDevices(run, 'linux', sys.dir);
    expect(report.devices[0]?.computeApi).toBeNull();
    expect(report.sources[0]).toEqual({ name: 'nvidia-smi', status: 'ok', reason: expect.stringMatching(/CUDA version unknown.*timed out/) });
  });

  it('survives a runner that throws or rejects', async () => {
    const report = await detectDevices(
      (cmd) => (cmd === 'lspci' ? Promise.reject(new Error('spawn EPERM')) : Promise.resolve().then(() => { throw new Error('boom'); })),
      'linux',
      sys.dir,
    );
    expect(report.devices).toEqual([]);
    expect(report.sources.map((s) => s.status)).toEqual(['failed', 'failed', 'missing', 'failed']);
    expect(report.sources[3]?.reason).toMatch(/EPERM/);
  });
});
