import { describe, expect, it } from 'vitest';
import { BASE_ADDRESS_SPACE_BYTES, MAX_ADDRESS_SPACE_BYTES, addressSpaceLimit } from '../../../provider/worker/address-space.js';
import { testConfig } from './supervisor-fixtures.js';

const GiB = 1024 ** 3;

describe('addressSpaceLimit', () => {
  it('gives a CPU worker room for its budget and tensors, within the machine and the cap', () => {
    const config = { ...testConfig(), sessionBudgetBytes: 2 * GiB };
    const { maxInputBytes, maxOutputBytes } = config.limits;
    expect(addressSpaceLimit(config, 64 * GiB)).toBe(BASE_ADDRESS_SPACE_BYTES + 4 * GiB + maxInputBytes + maxOutputBytes);
    expect(addressSpaceLimit(config, 6 * GiB)).toBe(6 * GiB);
    expect(addressSpaceLimit({ ...config, sessionBudgetBytes: 64 * GiB }, 256 * GiB)).toBe(MAX_ADDRESS_SPACE_BYTES);
    expect(addressSpaceLimit(config, 1 * GiB)).toBe(BASE_ADDRESS_SPACE_BYTES);
  });

  it('sets none when a GPU runtime may be used', () => {
    expect(addressSpaceLimit({ ...testConfig(), executionProviders: ['cuda', 'cpu'] }, 64 * GiB)).toBeNull();
    expect(addressSpaceLimit({ ...testConfig(), executionProviders: ['webgpu', 'cpu'] }, 64 * GiB)).toBeNull();
  });
});
