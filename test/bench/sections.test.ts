// `npm run bench --only-section` picks sections by id from the registry, in registry order.
import { describe, expect, it } from 'vitest';
import { SECTIONS, pickSections } from '../../bench/sections.js';

describe('bench sections', () => {
  it('runs every section by default, worker first', () => {
    const picked = pickSections(undefined);
    expect(picked.ok && picked.sections.map((s) => s.id)).toEqual(SECTIONS.map((s) => s.id));
    expect(SECTIONS.map((s) => s.id).slice(0, 3)).toEqual(['worker', 'marketplace', 'scale']);
  });

  it('picks the named sections in registry order', () => {
    const picked = pickSections(['scale', 'marketplace']);
    expect(picked.ok && picked.sections.map((s) => s.id)).toEqual(['marketplace', 'scale']);
  });

  it('names an unknown section instead of running nothing', () => {
    expect(pickSections(['worker', 'gpu'])).toEqual({ ok: false, unknown: 'gpu' });
  });
});
