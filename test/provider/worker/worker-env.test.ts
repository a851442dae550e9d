import { describe, expect, it } from 'vitest';
import { workerEnv } from '../../../provider/worker/worker-env.js';

describe('workerEnv', () => {
  it('is an allowlist: telemetry off, HOME and temp in the private folder, nothing of the parent but LANG', () => {
    const parent = { LANG: 'de_DE.UTF-8', HOME: '/home/ann', PATH: '/home/ann/bin:/usr/bin', NODE_OPTIONS: '--require evil.js', HEARTH_WALLET_PASSPHRASE: 'x', LD_PRELOAD: '/tmp/x.so' };
    expect(workerEnv('/p', parent, 'linux')).toEqual({ ORT_DISABLE_TELEMETRY: '1', HOME: '/p', TMPDIR: '/p', LANG: 'de_DE.UTF-8', PATH: '/usr/bin:/bin' });
  });

  it('drops a LANG that is not a locale name', () => {
    expect(workerEnv('/p', { LANG: 'x; rm -rf /' }, 'linux').LANG).toBe('C.UTF-8');
  });

  it('on Windows keeps only what Node needs there', () => {
    expect(workerEnv('C:\\p', { SystemRoot: 'D:\\Win', APPDATA: 'C:\\Users\\ann' }, 'win32')).toEqual({
      ORT_DISABLE_TELEMETRY: '1',
      HOME: 'C:\\p',
      TMPDIR: 'C:\\p',
      TEMP: 'C:\\p',
      TMP: 'C:\\p',
      USERPROFILE: 'C:\\p',
      LANG: 'C.UTF-8',
      SystemRoot: 'D:\\Win',
      PATH: 'D:\\Win\\System32',
    });
  });
});
