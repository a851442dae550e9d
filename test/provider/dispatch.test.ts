import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, Status, apiMethodNames, parseApiResult } from '../../common/api.js';
import { ApiFailure, createDispatcher } from '../../provider/api/dispatch.js';
import { SAMPLE_INPUTS, SAMPLE_OUTPUTS, sampleHandlers } from './sample-handlers.js';

const status: Status = { version: '0.1.0', mode: 'headless', state: 'running', startedAt: 1, uptimeMs: 2, dataDir: '/d', devices: null, workers: [], marketplace: null };
const expected = (method: string) => (method === 'status.get' ? status : SAMPLE_OUTPUTS[method as keyof typeof SAMPLE_OUTPUTS]);

describe('API dispatcher', () => {
  it('answers every method of the contract with a valid envelope', async () => {
    const dispatch = createDispatcher(sampleHandlers({ 'status.get': () => status }), () => undefined);
    for (const method of apiMethodNames) {
      const result = await dispatch(method, SAMPLE_INPUTS[method] ?? {});
      expect(result, method).toEqual({ ok: true, value: expected(method) });
    }
  });

  it('does not treat inherited object properties as methods', async () => {
    const dispatch = createDispatcher(sampleHandlers({ 'status.get': () => status }), () => undefined);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await dispatch(name, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('reports a handler failure with its code, and hides unexpected errors behind `internal`', async () => {
    const seen: unknown[] = [];
    const failing = createDispatcher(sampleHandlers({ 'status.get': () => { throw new ApiFailure('unavailable', 'Not yet.'); } }), (_m, e) => seen.push(e));
    expect(await failing('status.get', {})).toEqual({ ok: false, error: { code: 'unavailable', message: 'Not yet.' } });
    const crashing = createDispatcher(sampleHandlers({ 'status.get': () => { throw new Error('secret path /root/x'); } }), (_m, e) => seen.push(e));
    const result = await crashing('status.get', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(seen).toHaveLength(1);
  });

  it('never throws and always returns a well-formed envelope, whatever arrives (fuzz, 10k runs)', async () => {
    const dispatch = createDispatcher(sampleHandlers({ 'status.get': () => status }), () => undefined);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...apiMethodNames), fc.string()), fc.anything(), async (method, input) => {
        const result = await dispatch(method, input);
        if (result.ok) expect(result.value).toEqual(expected(method));
        else expect(ApiError.safeParse(result.error).success).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('parseApiResult (the renderer side of every reply)', () => {
  it('passes a conforming reply and an error envelope through', () => {
    expect(parseApiResult({ ok: true, value: status }, Status)).toEqual({ ok: true, value: status });
    const error = { ok: false, error: { code: 'forbidden', message: 'No.' } };
    expect(parseApiResult(error, Status)).toEqual(error);
  });

  it('turns a reply off the contract into an `internal` error', () => {
    expect(parseApiResult({ ok: true, value: { ...status, state: 'exploded' } }, Status)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(parseApiResult({ ok: false, error: { code: 'made_up', message: 'x' } }, Status)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('never throws on arbitrary input (fuzz, 10k runs)', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = parseApiResult(raw, Status);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });
});
