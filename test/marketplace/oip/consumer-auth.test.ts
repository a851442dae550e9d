import { describe, expect, it } from 'vitest';
import { consumerAuth } from '../../../marketplace/oip/consumer-auth.js';

describe('consumer keys', () => {
  const check = consumerAuth(['first-key-0123456789', 'second-key-0123456789']);

  it('accepts any configured key as a bearer token and nothing else', () => {
    expect(check('Bearer first-key-0123456789')).toBe(true);
    expect(check('Bearer second-key-0123456789')).toBe(true);
    for (const header of [undefined, '', 'Bearer ', 'Bearer first-key-012345678', 'Bearer first-key-01234567890', 'bearer first-key-0123456789', 'Basic first-key-0123456789', 'Bearer  first-key-0123456789']) {
      expect(check(header)).toBe(false);
    }
  });

  it('refuses to start without a key, or with a short or unprintable one', () => {
    expect(() => consumerAuth([])).toThrow(/At least one consumer key/);
    expect(() => consumerAuth(['short'])).toThrow(/at least 16/);
    expect(() => consumerAuth(['has a space in it, long'])).toThrow(/printable ASCII/);
  });
});
