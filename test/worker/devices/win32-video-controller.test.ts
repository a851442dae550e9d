import { describe, expect, it } from 'vitest';
import { WIN32_VIDEO_CONTROLLER_SCRIPT, parseWin32VideoControllerJson } from '../../../worker/devices/win32-video-controller.js';
import { fixture } from './fixtures.js';

describe('Win32_VideoController as JSON', () => {
  it('selects the properties the parser reads', () => {
    expect(WIN32_VIDEO_CONTROLLER_SCRIPT).toBe(
      'Get-CimInstance Win32_VideoController | Select-Object Name,AdapterRAM,DriverVersion,PNPDeviceID,AdapterCompatibility | ConvertTo-Json',
    );
  });

  it('reads an Intel iGPU plus an RTX 3060 (an array), treating the capped uint32 AdapterRAM as unknown', async () => {
    const { devices, problems } = parseWin32VideoControllerJson(
      await fixture('win32-video-controller/intel-uhd-770-rtx-3060.json'),
    );
    expect(problems).toEqual([]);
    expect(devices).toEqual([
      {
        id: 'pnp:PCI\\VEN_8086&DEV_A780&SUBSYS_7D251462&REV_04\\3&11583659&0&10',
        name: 'Intel(R) UHD Graphics 770',
        vendor: 'intel',
        pciBusId: null,
        vramTotalBytes: 1024 ** 3,
        vramUsedBytes: null,
        driverVersion: '31.0.101.5186',
        computeApi: null,
        temperatureC: null,
        utilizationPercent: null,
        powerDrawW: null,
        powerLimitW: null,
        source: 'Win32_VideoController',
      },
      {
        id: 'pnp:PCI\\VEN_10DE&DEV_2504&SUBSYS_397D1462&REV_A1\\4&2B8C5C2B&0&0008',
        name: 'NVIDIA GeForce RTX 3060',
        vendor: 'nvidia',
        pciBusId: null,
        vramTotalBytes: null,
        vramUsedBytes: null,
        driverVersion: '552.22',
        computeApi: null,
        temperatureC: null,
        utilizationPercent: null,
        powerDrawW: null,
        powerLimitW: null,
        source: 'Win32_VideoController',
      },
    ]);
  });

  it('reads a single adapter printed as an object', async () => {
    const { devices } = parseWin32VideoControllerJson(await fixture('win32-video-controller/geforce-gtx-1650-single.json'));
    expect(devices.map((d) => [d.name, d.vendor, d.vramTotalBytes, d.driverVersion])).toEqual([
      ['NVIDIA GeForce GTX 1650', 'nvidia', null, '536.23'],
    ]);
  });

  it('treats a negative AdapterRAM as unknown and leaves software adapters out', async () => {
    const { devices } = parseWin32VideoControllerJson(await fixture('win32-video-controller/radeon-rx-580-signed.json'));
    expect(devices.map((d) => [d.name, d.vendor, d.vramTotalBytes])).toEqual([['Radeon RX 580 Series', 'amd', null]]);
    const basic = parseWin32VideoControllerJson(await fixture('win32-video-controller/basic-display-adapter.json'));
    expect(basic).toEqual({ devices: [], problems: [] });
  });

  it('reads a UTF-8 byte-order mark and finds nothing in empty output', () => {
    const bom = '\uFEFF{"Name":"NVIDIA GeForce RTX 4070","AdapterRAM":4293918720,"DriverVersion":"32.0.15.6094","PNPDeviceID":"PCI\\\\VEN_10DE&DEV_2786\\\\4&1","AdapterCompatibility":"NVIDIA"}';
    expect(parseWin32VideoControllerJson(bom).devices[0]).toMatchObject({ name: 'NVIDIA GeForce RTX 4070', driverVersion: '560.94' });
    expect(parseWin32VideoControllerJson('\r\n')).toEqual({ devices: [], problems: [] });
  });

  it('reports binary junk as a problem with no devices', async () => {
    const { devices, problems } = parseWin32VideoControllerJson(await fixture('garbage/binary.bin'));
    expect(devices).toEqual([]);
    expect(problems).toHaveLength(1);
  });
});
