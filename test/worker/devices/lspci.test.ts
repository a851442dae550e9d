import { describe, expect, it } from 'vitest';
import { parseLspci } from '../../../worker/devices/lspci.js';
import { fixture } from './fixtures.js';

describe('lspci -D -mm -nn', () => {
  it('keeps display controllers only, naming the product rather than the chip', async () => {
    expect(parseLspci(await fixture('lspci/rtx-4090-uhd-770.txt'))).toEqual([
      { pciBusId: '0000:00:02.0', vendorId: '8086', deviceId: 'a780', productName: 'UHD Graphics 770' },
      { pciBusId: '0000:01:00.0', vendorId: '10de', deviceId: '2684', productName: 'GeForce RTX 4090' },
    ]);
  });

  it('sees a datacenter card as a 3D controller next to the BMC', async () => {
    expect(parseLspci(await fixture('lspci/h100-server.txt'))).toEqual([
      { pciBusId: '0000:02:00.0', vendorId: '1a03', deviceId: '2000', productName: 'ASPEED Graphics Family' },
      { pciBusId: '0000:18:00.0', vendorId: '10de', deviceId: '2330', productName: 'H100 SXM5 80GB' },
    ]);
  });

  it('gives no name for a device pci.ids does not know, and accepts the short slot form', async () => {
    const controllers = parseLspci(await fixture('lspci/radeon-rx-7900-xtx.txt'));
    expect(controllers.map((c) => [c.pciBusId, c.productName])).toEqual([
      ['0000:03:00.0', 'Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M'],
      ['0000:10:00.0', null],
    ]);
    expect(parseLspci('01:00.0 "VGA compatible controller [0300]" "NVIDIA Corporation [10de]" "Device [2b85]" -ra1 "" ""')).toEqual([
      { pciBusId: '0000:01:00.0', vendorId: '10de', deviceId: '2b85', productName: null },
    ]);
  });

  it('ignores binary junk', async () => {
    expect(parseLspci(await fixture('garbage/binary.bin'))).toEqual([]);
  });
});
