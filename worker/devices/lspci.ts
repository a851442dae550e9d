/**
 * lspci (pciutils) in its machine-readable form, `lspci -D -mm -nn`: one device per line, the slot
 * then quoted fields, each name followed by its numeric id in brackets:
 *
 *   0000:01:00.0 "VGA compatible controller [0300]" "NVIDIA Corporation [10de]" "GA106 [GeForce RTX 3060 Lite Hash Rate] [2504]" -ra1 "…" "…"
 *
 * Only display controllers are kept (class 0300 VGA, 0302 3D, 0380 other display). lspci needs no
 * driver, so it names cards that sysfs alone knows only by number; names come from the pci.ids file,
 * which may be too old to know a new card ("Device [2b85]").
 */
import { normalizePciBusId } from './pci.js';
import { displayName } from './reading.js';

export interface PciDisplayController {
  pciBusId: string;
  vendorId: string;
  deviceId: string;
  /** The product as pci.ids names it, e.g. "GeForce RTX 3060 Lite Hash Rate"; null when unnamed. */
  productName: string | null;
}

/** Arguments for `lspci`: full domain in addresses, machine-readable fields, numeric ids. */
export const LSPCI_ARGS: readonly string[] = ['-D', '-mm', '-nn'];

const DISPLAY_CLASSES = new Set(['0300', '0302', '0380']);

/** Parses `lspci -D -mm -nn` output into its display controllers; other lines are ignored. */
export function parseLspci(stdout: string): PciDisplayController[] {
  const controllers: PciDisplayController[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const controller = parseLine(line.trim());
    if (controller) controllers.push(controller);
  }
  return controllers;
}

function parseLine(line: string): PciDisplayController | null {
  const slot = /^(\S+)\s/.exec(line)?.[1];
  const pciBusId = slot ? normalizePciBusId(slot) : null;
  if (pciBusId === null) return null;
  const quoted = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
  const [classField = '', vendorField = '', deviceField = ''] = quoted;
  const classId = trailingId(classField);
  const vendor = trailingId(vendorField);
  const device = trailingId(deviceField);
  if (!classId || !DISPLAY_CLASSES.has(classId.id) || !vendor || !device) return null;
  return {
    pciBusId,
    vendorId: vendor.id,
    deviceId: device.id,
    productName: productName(device.name),
  };
}

/** "NVIDIA Corporation [10de]" → { name: "NVIDIA Corporation", id: "10de" }. */
function trailingId(field: string): { name: string; id: string } | null {
  const match = /^(.*?)\s*\[([0-9a-f]{4})\]$/i.exec(field.trim());
  return match ? { name: match[1] ?? '', id: (match[2] ?? '').toLowerCase() } : null;
}

/** "GA106 [GeForce RTX 3060]" → "GeForce RTX 3060" (the chip's codename is not the product). */
function productName(deviceName: string): string | null {
  const bracketed = /\[([^\]]+)\]\s*$/.exec(deviceName)?.[1];
  const name = displayName(bracketed ?? deviceName);
  return name === null || /^device$/i.test(name) ? null : name;
}
