import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../common/csp.js';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from '../../electron/app-protocol.js';
import { resolveStaticFile } from '../../provider/static-files.js';

let base: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'hearth-app-protocol-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hearth</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("hearth");');
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.js'), 'wallet key');
  writeFileSync(join(base, 'secret.js'), 'wallet key');
  symlinkSync(join(base, 'outside', 'secret.js'), join(root, 'assets', 'leak.js'));
  symlinkSync(join(base, 'outside'), join(root, 'linked-dir'));
  handle = createAppProtocolHandler(root, resolveStaticFile);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, init?: RequestInit) => handle(new Request(url, init));

function expectHardened(response: Response): void {
  expect(response.headers.get('content-security-policy')).toBe(RENDERER_CSP);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

describe('the app:// scheme', () => {
  it('is registered standard and secure with fetch, and nothing more', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });
});

describe('createAppProtocolHandler', () => {
  it.each(['app://hearth/', 'app://hearth/index.html', 'app://hearth'])('serves index.html for %s under the CSP', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectHardened(response);
    expect(await response.text()).toContain('<title>Hearth</title>');
  });

  it('serves assets with their content type', async () => {
    const js = await get('app://hearth/assets/app.js?v=1#x');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log("hearth");');
    expect((await get('app://hearth/assets/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['a symlink to a file outside', 'app://hearth/assets/leak.js'],
    ['a symlinked folder outside', 'app://hearth/linked-dir/secret.js'],
    ['a dot-dot traversal', 'app://hearth/../secret.js'],
    ['an encoded dot-dot traversal', 'app://hearth/%2e%2e/%2e%2e/secret.js'],
    ['encoded slashes', 'app://hearth/assets%2f..%2f..%2fsecret.js'],
    ['encoded backslashes', 'app://hearth/..%5c..%5csecret.js'],
    ['a raw backslash', 'app://hearth/..\\..\\secret.js'],
    ['a NUL byte', 'app://hearth/index.html%00.js'],
    ['a malformed escape', 'app://hearth/%E0%A4%A.js'],
    ['a folder', 'app://hearth/assets/'],
    ['a missing file', 'app://hearth/missing.js'],
    ['another host', 'app://evil/index.html'],
    ['a port', 'app://hearth:8080/index.html'],
  ])('answers 404 for %s, still under the CSP', async (_label, url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expectHardened(response);
    expect(await response.text()).not.toContain('wallet key');
  });

  it.each(['POST', 'PUT', 'DELETE', 'HEAD'])('refuses %s', async (method) => {
    const response = await get('app://hearth/index.html', { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expectHardened(response);
  });

  it('answers 404 when the resolver returns a file that cannot be read', async () => {
    const broken = createAppProtocolHandler(base, async () => ({ path: join(base, 'nope.html'), contentType: 'text/html' }));
    const response = await broken(new Request('app://hearth/index.html'));
    expect(response.status).toBe(404);
  });
});
