/** How big a value is as JSON, or why it cannot be measured. */
export type JsonSize = { ok: true; bytes: number } | { ok: false; reason: 'too_large' | 'not_json' };

/** Deeper nesting than this is refused: no API input needs it, and it bounds the walk's recursion. */
const MAX_DEPTH = 32;

/**
 * The UTF-8 length of `value` encoded as JSON, refusing anything that is not plain JSON data (class
 * instances, Map, Date, typed arrays, bigint, functions, cycles). IPC payloads arrive by structured
 * clone, which carries all of those and can share one subtree many times; the walk stops as soon as
 * `limit` is passed, so a small message that expands hugely as JSON costs little to refuse.
 */
export function measureJson(value: unknown, limit: number): JsonSize {
  let bytes = 0;
  const add = (n: number): boolean => {
    bytes += n;
    return bytes <= limit;
  };
  const walk = (v: unknown, depth: number): 'ok' | 'too_large' | 'not_json' => {
    if (v === null) return add(4) ? 'ok' : 'too_large';
    switch (typeof v) {
      case 'boolean':
        return add(v ? 4 : 5) ? 'ok' : 'too_large';
      case 'number':
        if (!Number.isFinite(v)) return 'not_json';
        return add(String(v).length) ? 'ok' : 'too_large';
      case 'string':
        // JSON takes at least one byte per UTF-16 unit: refuse a long string before encoding it.
        if (bytes + v.length > limit) return 'too_large';
        return add(Buffer.byteLength(JSON.stringify(v), 'utf8')) ? 'ok' : 'too_large';
      case 'object':
        break;
      default:
        return 'not_json';
    }
    if (depth >= MAX_DEPTH) return 'not_json';
    if (Array.isArray(v)) {
      if (!add(2 + Math.max(0, v.length - 1))) return 'too_large';
      for (let i = 0; i < v.length; i++) {
        // JSON writes a hole or undefined in an array as null.
        const item: unknown = v[i];
        const result = walk(item === undefined ? null : item, depth + 1);
        if (result !== 'ok') return result;
      }
      return 'ok';
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return 'not_json';
    if (!add(2)) return 'too_large';
    let first = true;
    for (const [key, item] of Object.entries(v)) {
      // JSON leaves out properties whose value is undefined (an optional field left unset).
      if (item === undefined) continue;
      if (!add((first ? 0 : 1) + Buffer.byteLength(JSON.stringify(key), 'utf8') + 1)) return 'too_large';
      first = false;
      const result = walk(item, depth + 1);
      if (result !== 'ok') return result;
    }
    return 'ok';
  };
  const result = value === undefined ? 'ok' : walk(value, 0);
  return result === 'ok' ? { ok: true, bytes } : { ok: false, reason: result };
}
