/**
 * The Open Inference Protocol v2 request body (KServe / Triton), as JSON. Datatypes are checked after
 * parsing so the error can name the input; tensor `data` is checked against its datatype in json-tensor.ts.
 */
import { z } from 'zod';
import { MAX_RANK, TensorName } from '../../common/tensor.js';

/** OIP parameters: string → string, number or boolean. */
export const OipParameters = z.record(z.string().max(256), z.union([z.string().max(4096), z.number(), z.boolean()]));
export type OipParameters = z.infer<typeof OipParameters>;

export const OipInferInput = z.object({
  name: TensorName,
  shape: z.array(z.number().int().nonnegative().max(2 ** 31 - 1)).max(MAX_RANK),
  datatype: z.string().max(32),
  parameters: OipParameters.optional(),
  data: z.unknown().optional(),
});

export const OipRequestedOutput = z.object({ name: TensorName, parameters: OipParameters.optional() });

export const OipInferRequest = z.object({
  id: z.string().max(256).optional(),
  parameters: OipParameters.optional(),
  inputs: z.array(OipInferInput).min(1).max(64),
  outputs: z.array(OipRequestedOutput).max(64).optional(),
});
export type OipInferRequest = z.infer<typeof OipInferRequest>;
