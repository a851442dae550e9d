/**
 * What the worker knows about a loaded model's inputs and outputs, in a form that crosses threads
 * (structured-clonable) and that input validation and batching can read without onnxruntime.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { Datatype } from '../../common/tensor.js';
import { datatypeOfOrtType } from './datatypes.js';

/** One input or output. `datatype` is null when OIP cannot carry it; `shape` is null when unknown. */
export type TensorSpec = {
  name: string;
  datatype: Datatype | null;
  /** onnxruntime's own name for the type ('float32', 'int4', 'sequence'…), for messages. */
  ortType: string;
  /** Fixed dims are numbers; symbolic dims are strings ('' when the model leaves them unnamed). */
  shape: (number | string)[] | null;
};

export type ModelSignature = { inputs: TensorSpec[]; outputs: TensorSpec[] };

/** What model admission read from the file about a value (only the declared rank is used here). */
export type DeclaredValue = { name: string; dims: readonly unknown[] | null };

function specOf(meta: InferenceSession.ValueMetadata, declared: ReadonlyMap<string, DeclaredValue>): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, datatype: null, ortType: 'non-tensor', shape: null };
  // onnxruntime reports an undeclared shape and a scalar the same way (an empty array); the file itself
  // tells them apart, so a declared rank of 0 makes it a scalar and anything else leaves it unknown.
  const scalar = meta.shape.length === 0 && declared.get(meta.name)?.dims?.length === 0;
  const shape = meta.shape.length === 0 && !scalar ? null : [...meta.shape];
  return { name: meta.name, datatype: datatypeOfOrtType(meta.type), ortType: meta.type, shape };
}

/** The signature of an onnxruntime session, from its metadata and (for scalars) the model's declarations. */
export function signatureOf(
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>,
  declared: { inputs: readonly DeclaredValue[]; outputs: readonly DeclaredValue[] } = { inputs: [], outputs: [] },
): ModelSignature {
  const byName = new Map([...declared.inputs, ...declared.outputs].map((d) => [d.name, d]));
  return { inputs: session.inputMetadata.map((m) => specOf(m, byName)), outputs: session.outputMetadata.map((m) => specOf(m, byName)) };
}
