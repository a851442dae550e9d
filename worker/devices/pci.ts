/**
 * PCI facts shared by the sources: which vendor an id belongs to, and one spelling of a bus address so
 * that what nvidia-smi, rocm-smi, sysfs and lspci report about the same card can be matched.
 */
import type { DeviceVendor } from './device.js';

const VENDOR_BY_PCI_ID: Readonly<Record<string, DeviceVendor>> = {
  '10de': 'nvidia',
  '1002': 'amd',
  '8086': 'intel',
  '106b': 'apple',
};

/** The vendor for a PCI vendor id written as `10de`, `0x10de` or `10DE`; `other` when unknown. */
export function vendorFromPciId(id: string): DeviceVendor {
  const key = id.trim().toLowerCase().replace(/^0x/, '').padStart(4, '0');
  return VENDOR_BY_PCI_ID[key] ?? 'other';
}

/** The vendor's name as a person reads it, to prefix model names that lack one. */
export function vendorLabel(vendor: DeviceVendor): string {
  switch (vendor) {
    case 'nvidia':
      return 'NVIDIA';
    case 'amd':
      return 'AMD';
    case 'intel':
      return 'Intel';
    case 'apple':
      return 'Apple';
    case 'other':
      return 'Unknown vendor';
  }
}

const BUS_ID = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i;

/**
 * A PCI address as `dddd:bb:dd.f` in lower case, from nvidia-smi's `00000000:4C:00.0`, rocm-smi's
 * `0000:C4:00.0`, sysfs's `0000:01:00.0` or lspci's short `01:00.0`; null if the text is not one.
 */
export function normalizePciBusId(text: string): string | null {
  const match = BUS_ID.exec(text.trim());
  if (!match) return null;
  const [, domain = '0', bus = '', device = '', func = ''] = match;
  const domainNumber = Number.parseInt(domain, 16);
  const hex = (value: string, width: number): string => value.toLowerCase().padStart(width, '0');
  return `${domainNumber.toString(16).padStart(4, '0')}:${hex(bus, 2)}:${hex(device, 2)}.${func}`;
}
