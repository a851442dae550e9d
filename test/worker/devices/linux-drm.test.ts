import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fallbackDevices, readDrmCards } from '../../../worker/devices/linux-drm.js';
import type { DrmCard } from '../../../worker/devices/linux-drm.js';
import { parseLspci } from '../../../worker/devices/lspci.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { fixture, writeSysfsTree } from './fixtures.js';

let sys: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  sys = await makeTempDir('hearth-sysfs-');
});
afterEach(async () => {
  await sys.remove();
});

async function cardsOf(tree: string): Promise<DrmCard[]> {
  await writeSysfsTree(sys.dir, tree);
  const result = await readDrmCards(sys.dir);
  if (result.status !== 'ok') throw new Error(`expected a DRM tree in ${tree}`);
  return result.cards;
}

describe('/sys/class/drm', () => {
  it('reads each PCI card once, skipping connectors and render nodes, with the nvidia module version', async () => {
    const cards = await cardsOf('rtx-4090-uhd-770');
    expect(cards.map((c) => [c.card, c.pciBusId, c.vendorId, c.deviceId, c.driver, c.driverVersion])).toEqual([
      ['card0', '0000:01:00.0', '10de', '2684', 'nvidia', '550.67'],
      ['card1', '0000:00:02.0', '8086', 'a780', 'i915', null],
    ]);
    // Neither driver exposes VRAM or sensors in sysfs: unknown, not zero.
    expect(cards[0]).toMatchObject({ vramTotalBytes: null, temperatureC: null, powerDrawW: null });
  });

  it("reads amdgpu's VRAM, load, temperature and power, and drops an unreadable sensor", async () => {
    const cards = await cardsOf('radeon-rx-7900-xtx');
    expect(cards[0]).toMatchObject({
      pciBusId: '0000:03:00.0',
      vramTotalBytes: 25_753_026_560,
      vramUsedBytes: 1_249_112_064,
      utilizationPercent: 2,
      temperatureC: 38,
      powerDrawW: 24,
      powerLimitW: 327,
    });
    expect(cards[1]).toMatchObject({ pciBusId: '0000:10:00.0', vramTotalBytes: 536_870_912, temperatureC: 44, powerDrawW: null });
  });

  it('finds no usable card on a headless box with only a boot framebuffer', async () => {
    expect(await cardsOf('simple-framebuffer')).toEqual([]);
  });

  it('says missing when there is no /sys/class/drm at all', async () => {
    expect(await readDrmCards(sys.dir)).toEqual({ status: 'missing' });
  });
});

describe('fallback devices from sysfs and lspci', () => {
  it('names sysfs cards with lspci and leaves out those a vendor tool already reported', async () => {
    const cards = await cardsOf('rtx-4090-uhd-770');
    const controllers = parseLspci(await fixture('lspci/rtx-4090-uhd-770.txt'));
    const all = fallbackDevices(cards, controllers, new Set());
    expect(all.map((d) => [d.id, d.name, d.vendor, d.source, d.driverVersion])).toEqual([
      ['pci:0000:01:00.0', 'NVIDIA GeForce RTX 4090', 'nvidia', 'linux-drm', '550.67'],
      ['pci:0000:00:02.0', 'Intel UHD Graphics 770', 'intel', 'linux-drm', null],
    ]);
    const rest = fallbackDevices(cards, controllers, new Set(['0000:01:00.0']));
    expect(rest.map((d) => d.name)).toEqual(['Intel UHD Graphics 770']);
  });

  it('reports a GPU with no DRM node from lspci alone, and never a BMC or virtual adapter', async () => {
    const h100 = fallbackDevices(await cardsOf('h100-server'), parseLspci(await fixture('lspci/h100-server.txt')), new Set());
    expect(h100.map((d) => [d.name, d.source, d.vramTotalBytes])).toEqual([['NVIDIA H100 SXM5 80GB', 'lspci', null]]);
  });

  it('reports nothing in a virtual machine', async () => {
    const cards = await cardsOf('qemu-virtio');
    expect(cards.map((c) => c.vendorId)).toEqual(['1af4']);
    expect(fallbackDevices(cards, parseLspci(await fixture('lspci/qemu-vm.txt')), new Set())).toEqual([]);
  });

  it('names a card by its ids when lspci is missing or does not know it', async () => {
    const devices = fallbackDevices(await cardsOf('radeon-rx-7900-xtx'), [], new Set());
    expect(devices.map((d) => d.name)).toEqual(['AMD GPU [1002:744c]', 'AMD GPU [1002:164e]']);
  });
});
