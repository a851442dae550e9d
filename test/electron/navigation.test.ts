import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_EXTERNAL_HOSTS,
  attachNavigationGuards,
  denyAllPermissions,
  externalUrlToOpen,
  isAllowedExternalUrl,
  isAppUrl,
} from '../../electron/navigation.js';
import { FakeEvent, FakeWebContents } from './fakes.js';

const HOSTS = ['github.com'];

/** [url, may it be opened in the browser?] */
const CORPUS: [string, boolean][] = [
  ['https://github.com/hearth/hearth/issues', true],
  ['HTTPS://GITHUB.COM/x', true],
  ['https://github.com:443/x', true],
  ['https://github.com/%2e%2e/%2e%2e/etc/passwd', true],
  ['https://github.com/x#@evil.io', true],
  ['javascript:alert(1)', false],
  ['JaVaScRiPt:alert(1)', false],
  ['data:text/html,<script>alert(1)</script>', false],
  ['file:///etc/passwd', false],
  ['http://github.com', false],
  ['ftp://github.com', false],
  ['blob:https://github.com/3f2a', false],
  ['https://github.com.evil.io', false],
  ['https://github.com.', false],
  ['https://evil.io/github.com', false],
  ['https://api.github.com', false],
  ['https://githubXcom', false],
  ['https://user@github.com', false],
  ['https://user:pass@github.com', false],
  ['https://github.com@evil.io', false],
  ['https://evil.io%2f@github.com', false],
  ['https://g\u0456thub.com', false], // Cyrillic і
  ['https://xn--gthub-n4a.com', false],
  ['https://\uff47ithub.com', false], // fullwidth g, which IDNA maps to "g"
  ['https://github.com:8443', false],
  ['https://github.com\\@evil.io', false],
  ['https:\\\\github.com', false],
  ['https:github.com', false],
  ['https:/github.com', false],
  ['https://git\thub.com', false],
  ['https://git\nhub.com', false],
  [' https://github.com', false],
  ['\u0000https://github.com', false],
  ['%2e%2e', false],
  ['https://%2e%2e', false],
  ['//github.com', false],
  ['github.com', false],
  ['', false],
  ['\u0000\uffff garbage ::: //', false],
  ['https://[::1]/', false],
  ['https://140.82.112.3/', false],
  [`https://github.com/${'a'.repeat(5000)}`, false],
];

describe('isAllowedExternalUrl: hostile corpus', () => {
  it.each(CORPUS)('%j → %s', (url, expected) => {
    expect(isAllowedExternalUrl(url, HOSTS)).toBe(expected);
  });

  it('opens the canonical form, not the string it was given', () => {
    expect(externalUrlToOpen('HTTPS://GITHUB.COM:443/x', HOSTS)).toBe('https://github.com/x');
  });

  it('allows nothing when no host is listed', () => {
    expect(isAllowedExternalUrl('https://github.com/', [])).toBe(false);
  });

  it('ships with a short, canonical host list', () => {
    for (const host of ALLOWED_EXTERNAL_HOSTS) expect(new URL(`https://${host}`).hostname).toBe(host);
  });
});

describe('isAllowedExternalUrl: properties', () => {
  const isListedHttps = (url: string): boolean => {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && HOSTS.includes(parsed.hostname) && parsed.port === '' && parsed.username === '' && parsed.password === '';
  };

  it('anything allowed parses as https on a listed host, without credentials or port', () => {
    const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl().map((u) => u.replace(/\/\/[^/]+/, '//github.com')));
    fc.assert(
      fc.property(anyString, (url) => {
        if (isAllowedExternalUrl(url, HOSTS)) expect(isListedHttps(url)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('web URLs that are not https on a listed host are refused', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'ws', 'wss', 'file'], withQueryParameters: true, withFragments: true }), (url) => {
        if (!isListedHttps(url)) expect(isAllowedExternalUrl(url, HOSTS)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('an https web URL is allowed exactly when its own host is listed', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }), (url) => {
        const host = new URL(url).hostname;
        expect(isAllowedExternalUrl(url, [host])).toBe(true);
        expect(isAllowedExternalUrl(url.replace(/^https:/, 'http:'), [host])).toBe(false);
        expect(isAllowedExternalUrl(url.replace('://', '://someone@'), [host])).toBe(false);
        expect(isAllowedExternalUrl(url.replace(host, `${host}:8443`), [host])).toBe(false);
        expect(isAllowedExternalUrl(url.replace(host, `${host}.evil.io`), [host])).toBe(false);
        expect(isAllowedExternalUrl(url.replace(host, `evil.io@${host}`), [host])).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('a look-alike built around a listed host is refused', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    fc.assert(
      fc.property(label, fc.constantFrom('.', '-', '@', '%2e', '.github.com.'), (other, glue) => {
        expect(isAllowedExternalUrl(`https://github.com${glue}${other}.io/`, HOSTS)).toBe(false);
        expect(isAllowedExternalUrl(`https://${other}${glue}github.com.io/`, HOSTS)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isAppUrl', () => {
  it.each([
    ['app://hearth/index.html', true],
    ['app://hearth/', true],
    ['app://hearth/assets/app.js?x=1#y', true],
    ['app://hearth.evil/index.html', false],
    ['app://evil/index.html', false],
    ['app://hearth@evil/index.html', false],
    ['app://evil@hearth/index.html', false],
    ['app://hearth:8080/index.html', false],
    ['https://hearth/index.html', false],
    ['file:///app/index.html', false],
    ['about:blank', false],
    ['app:hearth/index.html', false],
    ['', false],
  ])('%j → %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});

describe('attachNavigationGuards', () => {
  const setup = () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    attachNavigationGuards(contents, async (url) => void opened.push(url), HOSTS);
    return { contents, opened };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'] as const)('%s leaves the app only never', (event) => {
    const { contents } = setup();
    expect(contents.navigate(event, 'https://evil.io/')).toBe(true);
    expect(contents.navigate(event, 'https://github.com/')).toBe(true);
    expect(contents.navigate(event, 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate(event, 'app://evil/index.html')).toBe(true);
    expect(contents.navigate(event, 'app://hearth/index.html')).toBe(false);
  });

  it('denies every new window and hands only allowed links to the browser', async () => {
    const { contents, opened } = setup();
    const open = (url: string) => contents.windowOpenHandler?.({ url });
    expect(open('https://evil.io/')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(open('app://hearth/index.html')).toEqual({ action: 'deny' });
    expect(open('HTTPS://GITHUB.COM/hearth')).toEqual({ action: 'deny' });
    await settle();
    expect(opened).toEqual(['https://github.com/hearth']);
  });

  it('swallows a browser that fails to open', async () => {
    const contents = new FakeWebContents();
    attachNavigationGuards(contents, () => Promise.reject(new Error('no browser')), HOSTS);
    expect(contents.windowOpenHandler?.({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    await settle();
  });

  it('blocks webviews', () => {
    const { contents } = setup();
    const event = new FakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });

  it('attaches once however often it is called', () => {
    const { contents } = setup();
    attachNavigationGuards(contents, async () => undefined, HOSTS);
    expect(contents.listenerCount('will-navigate')).toBe(1);
  });
});

describe('denyAllPermissions', () => {
  it('refuses requests, checks and devices', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    let device: (() => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      setDevicePermissionHandler: (h) => (device = h),
    });
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'openExternal', 'clipboard-read', 'hid']) {
      request!({}, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false, false, false]);
    expect(check!()).toBe(false);
    expect(device!()).toBe(false);
  });

  it('works on a session without device permissions', () => {
    let check: (() => boolean) | null = null;
    denyAllPermissions({ setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: (h) => (check = h) });
    expect(check!()).toBe(false);
  });
});
