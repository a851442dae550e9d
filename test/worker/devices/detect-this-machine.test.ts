import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Device } from '../../../common/api.js';
import { detectDevices } from '../../../worker/devices/detect.js';
import { toApiDevice } from '../../../worker/devices/device.js';
import { runCommand } from '../../../worker/devices/run-command.js';

/** Whether `tool` is on PATH here, found the way execFile will look for it. */
function onPath(tool: string): boolean {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => extensions.some((ext) => existsSync(join(dir, tool + ext))));
}

// The real tools and the real /sys of whatever machine runs the tests. The development machine this was
// written on has no GPU, no nvidia-smi, rocm-smi or lspci, and no /sys/class/drm; a CI runner or a
// developer's GPU box may have some of them, so the expectations are taken from what is installed.
describe('detectDevices on this machine', () => {
  it('does not throw, and lists every device in the dashboard shape', async () => {
    const report = await detectDevices(runCommand, process.platform);
    expect(report.sources.length).toBeGreaterThan(0);
    for (const device of report.devices) expect(Device.safeParse(toApiDevice(device)).success).toBe(true);
  });

  it.runIf(process.platform === 'linux')('reports each missing Linux tool as missing, and finds nothing without them', async () => {
    const report = await detectDevices(runCommand, 'linux');
    const expected = [
      { name: 'nvidia-smi', present: onPath('nvidia-smi') },
      { name: 'rocm-smi', present: onPath('rocm-smi') },
      { name: 'linux-drm', present: existsSync('/sys/class/drm') },
      { name: 'lspci', present: onPath('lspci') },
    ];
    expect(report.sources.map((s) => s.name)).toEqual(expected.map((e) => e.name));
    for (const { name, present } of expected) {
      const source = report.sources.find((s) => s.name === name);
      if (present) expect(source?.status).not.toBe('missing');
      else expect(source?.status).toBe('missing');
    }
    if (expected.every((e) => !e.present)) expect(report.devices).toEqual([]);
  });
});
