/**
 * The Linux fallback for GPUs that no vendor tool reported: the kernel's DRM devices under
 * `/sys/class/drm/card*`, named with lspci's help.
 *
 * For each `cardN`, `device/` is the PCI device: `vendor` and `device` hold ids ("0x10de"), `uevent`
 * holds `DRIVER=` and `PCI_SLOT_NAME=`. amdgpu also exposes `mem_info_vram_total`/`_used` (bytes),
 * `gpu_busy_percent`, and a hwmon folder with `temp1_input` (m°C), `power1_average` (µW) and
 * `power1_cap` (µW); the nvidia module's version is in `/sys/module/nvidia/version`.
 *
 * Only NVIDIA, AMD and Intel devices are reported: the other display controllers found on real
 * machines are virtual adapters (virtio, QEMU, VMware, Hyper-V), server BMCs (ASPEED, Matrox) or a
 * boot framebuffer, none of which runs inference.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DetectedDevice, DeviceSource } from './device.js';
import type { PciDisplayController } from './lspci.js';
import { normalizePciBusId, vendorFromPciId, vendorLabel } from './pci.js';
import { byteCount, parseReading, percent, temperatureC, versionString, watts } from './reading.js';

export interface DrmCard {
  card: string;
  pciBusId: string | null;
  vendorId: string;
  deviceId: string;
  driver: string | null;
  driverVersion: string | null;
  vramTotalBytes: number | null;
  vramUsedBytes: number | null;
  utilizationPercent: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}

export type DrmReadResult = { status: 'ok'; cards: DrmCard[] } | { status: 'missing' };

/** Reads the PCI GPUs under `<sysDir>/class/drm` (`sysDir` is `/sys` except in tests). */
export async function readDrmCards(sysDir: string): Promise<DrmReadResult> {
  const drmDir = join(sysDir, 'class', 'drm');
  let entries: string[];
  try {
    entries = await readdir(drmDir);
  } catch {
    return { status: 'missing' };
  }
  const names = entries.filter((entry) => /^card\d+$/.test(entry)).sort((a, b) => cardNumber(a) - cardNumber(b));
  const cards: DrmCard[] = [];
  for (const name of names) {
    const card = await readCard(sysDir, join(drmDir, name, 'device'), name);
    if (card) cards.push(card);
  }
  return { status: 'ok', cards };
}

/**
 * The NVIDIA, AMD and Intel GPUs seen by sysfs or lspci whose bus ids are not in `known`, merged by
 * bus id: sysfs gives readings, lspci the name.
 */
export function fallbackDevices(
  cards: readonly DrmCard[],
  controllers: readonly PciDisplayController[],
  known: ReadonlySet<string>,
): DetectedDevice[] {
  const byBus = new Map<string, { card?: DrmCard; controller?: PciDisplayController }>();
  const unaddressed: DrmCard[] = [];
  for (const card of cards) {
    if (card.pciBusId === null) unaddressed.push(card);
    else byBus.set(card.pciBusId, { card });
  }
  for (const controller of controllers) {
    byBus.set(controller.pciBusId, { ...byBus.get(controller.pciBusId), controller });
  }
  const devices: DetectedDevice[] = [];
  for (const [bus, { card, controller }] of byBus) {
    if (known.has(bus)) continue;
    const device = toDevice(bus, card, controller);
    if (device) devices.push(device);
  }
  for (const card of unaddressed) {
    const device = toDevice(null, card, undefined);
    if (device) devices.push(device);
  }
  return devices;
}

function toDevice(bus: string | null, card?: DrmCard, controller?: PciDisplayController): DetectedDevice | null {
  const vendorId = card?.vendorId ?? controller?.vendorId ?? '';
  const deviceId = card?.deviceId ?? controller?.deviceId ?? '';
  const vendor = vendorFromPciId(vendorId);
  if (vendor !== 'nvidia' && vendor !== 'amd' && vendor !== 'intel') return null;
  const label = vendorLabel(vendor);
  const product = controller?.productName;
  const source: DeviceSource = card ? 'linux-drm' : 'lspci';
  return {
    id: bus ? `pci:${bus}` : `linux-drm:${card?.card ?? ''}`,
    name: product ? withVendor(label, product) : `${label} GPU [${vendorId}:${deviceId}]`,
    vendor,
    pciBusId: bus,
    vramTotalBytes: card?.vramTotalBytes ?? null,
    vramUsedBytes: card?.vramUsedBytes ?? null,
    driverVersion: card?.driverVersion ?? null,
    computeApi: null,
    temperatureC: card?.temperatureC ?? null,
    utilizationPercent: card?.utilizationPercent ?? null,
    powerDrawW: card?.powerDrawW ?? null,
    powerLimitW: card?.powerLimitW ?? null,
    source,
  };
}

async function readCard(sysDir: string, deviceDir: string, card: string): Promise<DrmCard | null> {
  const vendorId = pciId(await readText(join(deviceDir, 'vendor')));
  const deviceId = pciId(await readText(join(deviceDir, 'device')));
  // A boot framebuffer or platform display has no PCI ids: not a GPU we can use.
  if (vendorId === null || deviceId === null) return null;
  const uevent = parseUevent((await readText(join(deviceDir, 'uevent'))) ?? '');
  const driver = uevent.get('DRIVER') ?? null;
  const hwmon = await hwmonDir(deviceDir);
  const reading = async (dir: string | null, file: string): Promise<number | null> =>
    dir === null ? null : parseReading(await readText(join(dir, file)));
  const microwatts = (value: number | null): number | null => (value === null ? null : value / 1e6);
  const millidegrees = await reading(hwmon, 'temp1_input');
  return {
    card,
    pciBusId: normalizePciBusId(uevent.get('PCI_SLOT_NAME') ?? (await linkedBusId(deviceDir))),
    vendorId,
    deviceId,
    driver,
    driverVersion:
      driver && /^[a-z0-9_]+$/.test(driver) ? versionString(await readText(join(sysDir, 'module', driver, 'version'))) : null,
    vramTotalBytes: byteCount(await reading(deviceDir, 'mem_info_vram_total')),
    vramUsedBytes: byteCount(await reading(deviceDir, 'mem_info_vram_used')),
    utilizationPercent: percent(await reading(deviceDir, 'gpu_busy_percent')),
    temperatureC: temperatureC(millidegrees === null ? null : millidegrees / 1000),
    powerDrawW: watts(microwatts((await reading(hwmon, 'power1_average')) ?? (await reading(hwmon, 'power1_input')))),
    powerLimitW: watts(microwatts(await reading(hwmon, 'power1_cap'))),
  };
}

function withVendor(label: string, product: string): string {
  return product.toLowerCase().startsWith(label.toLowerCase()) ? product : `${label} ${product}`;
}

/** `device` is a link to the PCI device's folder, which is named for its address. */
async function linkedBusId(deviceDir: string): Promise<string> {
  try {
    return basename(await realpath(deviceDir));
  } catch {
    return '';
  }
}

async function hwmonDir(deviceDir: string): Promise<string | null> {
  try {
    const entries = (await readdir(join(deviceDir, 'hwmon'))).filter((entry) => /^hwmon\d+$/.test(entry)).sort();
    return entries[0] ? join(deviceDir, 'hwmon', entries[0]) : null;
  } catch {
    return null;
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** "0x10de\n" → "10de". */
function pciId(text: string | null): string | null {
  const match = text === null ? null : /^\s*0x([0-9a-f]{4})\s*$/i.exec(text);
  return match?.[1]?.toLowerCase() ?? null;
}

function parseUevent(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return values;
}

function cardNumber(name: string): number {
  return Number(name.slice('card'.length));
}
