import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureJson } from '../../electron/json-size.js';

describe('measureJson', () => {
  it('equals the UTF-8 length of JSON.stringify for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(measureJson(value, Number.POSITIVE_INFINITY)).toEqual({ ok: true, bytes: Buffer.byteLength(JSON.stringify(value), 'utf8') });
      }),
      { numRuns: 2000 },
    );
  });

  it('counts non-ASCII and escapes as JSON writes them', () => {
    for (const value of ['é', '😀', '\ud800', '"\\\n', { 'ключ': ['значение', null, true, -0, 1e21] }]) {
      expect(measureJson(value, 1e9)).toEqual({ ok: true, bytes: Buffer.byteLength(JSON.stringify(value), 'utf8') });
    }
  });

  it('is too large one byte past the limit, and not at it', () => {
    const value = { s: 'x'.repeat(100) };
    const exact = JSON.stringify(value).length;
    expect(measureJson(value, exact)).toEqual({ ok: true, bytes: exact });
    expect(measureJson(value, exact - 1)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('treats undefined as JSON does: skipped in objects, null in arrays', () => {
    expect(measureJson({ a: undefined, b: 1 }, 100)).toEqual({ ok: true, bytes: JSON.stringify({ b: 1 }).length });
    expect(measureJson([undefined], 100)).toEqual({ ok: true, bytes: 6 });
    expect(measureJson(undefined, 100)).toEqual({ ok: true, bytes: 0 });
  });

  it('refuses what is not plain JSON data', () => {
    class Thing {
      a = 1;
    }
    const nested: unknown[] = [];
    let cursor = nested;
    for (let i = 0; i < 100; i++) {
      const next: unknown[] = [];
      cursor.push(next);
      cursor = next;
    }
    for (const value of [1n, Symbol('s'), () => 1, new Thing(), new Map(), new Set(), new Date(), new Uint8Array(2), new ArrayBuffer(8), /x/, new Error('e'), Infinity, nested]) {
      expect(measureJson(value, 1e9)).toEqual({ ok: false, reason: 'not_json' });
    }
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(measureJson(bare, 100)).toEqual({ ok: true, bytes: 7 });
  });
});
