import { describe, expect, it } from 'vitest';
import { type TokenEnvironment, takeToken } from '../../renderer/api/token.js';

const TOKEN = 'ab'.repeat(32);

function environment(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const env: TokenEnvironment = {
    location: { hash, pathname: '/', search: '' },
    history: { state: null, replaceState: (_state, _title, url) => void replaced.push(String(url)) },
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
  };
  return { env, storage, replaced };
}

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for reloads, and wipes the fragment', () => {
    const { env, storage, replaced } = environment(`#token=${TOKEN}`);
    expect(takeToken(env)).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
    expect([...storage.values()]).toEqual([TOKEN]);
  });

  it('uses the stored token after a reload, without touching the address', () => {
    const first = environment(`#token=${TOKEN}`);
    takeToken(first.env);
    const { env, replaced } = environment('', Object.fromEntries(first.storage));
    expect(takeToken(env)).toBe(TOKEN);
    expect(replaced).toEqual([]);
  });

  it('wipes a malformed token from the address but does not keep or use it', () => {
    const { env, storage, replaced } = environment('#token=<script>');
    expect(takeToken(env)).toBeNull();
    expect(replaced).toEqual(['/']);
    expect(storage.size).toBe(0);
  });

  it('leaves page fragments alone', () => {
    const { env, replaced } = environment('#/earnings');
    expect(takeToken(env)).toBeNull();
    expect(replaced).toEqual([]);
  });

  it('still works for this page when storage refuses writes', () => {
    const { env } = environment(`#token=${TOKEN}`);
    env.storage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(takeToken(env)).toBe(TOKEN);
  });
});
