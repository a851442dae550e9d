import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { WorkerLimits } from '../../../common/worker-protocol.js';
import { AdmissionError } from '../../../worker/admission/admission-error.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { type AdmittedModel, admitModel, sha256Hex } from '../../../worker/admission/model-admission.js';
import {
  buildCustomDomainModel,
  buildDeepNesting,
  buildExternalDataModel,
  buildFunctionModel,
  buildIdentity,
  buildMlp,
  buildNodeChain,
  buildSparseInitializerModel,
  concatBytes,
  encodeModel,
  garbage,
  lengthDelimitedField,
  readRealModel,
  truncated,
  valueInfo,
  varint,
} from '../../helpers/onnx-models.js';

const SILERO = () => readRealModel('sileroVad');
const MLP = () => buildMlp({ inputDim: 4, hidden: 8, outputDim: 3, batch: 'dynamic', seed: 1 });

function admit(bytes: Uint8Array, limits: Partial<WorkerLimits> = {}): AdmittedModel {
  return admitModel(bytes, sha256Hex(bytes), { ...DEFAULT_WORKER_LIMITS, ...limits });
}

function refusal(run: () => unknown): AdmissionError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AdmissionError);
    return err as AdmissionError;
  }
  throw new Error('expected admission to refuse the model');
}

function refused(bytes: Uint8Array, limits: Partial<WorkerLimits> = {}): AdmissionError {
  return refusal(() => admit(bytes, limits));
}

describe('admitModel on the real npm models', () => {
  it('admits Silero VAD v5 with its inputs, outputs and four levels of If', () => {
    const bytes = SILERO();
    const model = admit(bytes);
    expect(model.sha256).toBe(sha256Hex(bytes));
    expect(model).toMatchObject({ bytes: bytes.byteLength, opsetVersion: 16, opsets: { '': 16 }, maxDepth: 4, nodeCount: 689, functionCount: 0 });
    expect(model.inputs).toEqual([
      { name: 'input', kind: 'tensor', elemType: 1, datatype: 'FP32', dims: [null, null] },
      { name: 'state', kind: 'tensor', elemType: 1, datatype: 'FP32', dims: [2, null, 128] },
      { name: 'sr', kind: 'tensor', elemType: 7, datatype: 'INT64', dims: [] },
    ]);
    expect(model.outputs.map((o) => [o.name, o.datatype, o.dims])).toEqual([
      ['output', 'FP32', [null, 1]],
      ['stateN', 'FP32', [null, null, null]],
    ]);
  });

  it.each([
    ['ocrDetection', 11, [3, null, null], [1, null, null]],
    ['ocrRecognition', 9, [3, 48, null], [null, 6625]],
    ['ocrOrientation', 9, [3, null, null], [2]],
  ] as const)('admits PP-OCRv4 %s with its symbolic shapes', (name, opset, inputTail, outputTail) => {
    const model = admit(readRealModel(name));
    expect(model.opsetVersion).toBe(opset);
    expect(model.maxDepth).toBe(0);
    expect(model.inputs).toHaveLength(1);
    expect(model.inputs[0]).toMatchObject({ name: 'x', datatype: 'FP32' });
    expect(model.inputs[0]!.dims![0]).toBe('p2o.DynamicDimension.0');
    const tail = (dims: unknown[] | null) => dims!.slice(1).map((d) => (typeof d === 'string' ? null : d));
    expect(tail(model.inputs[0]!.dims)).toEqual(inputTail);
    expect(model.outputs).toHaveLength(1);
    expect(tail(model.outputs[0]!.dims)).toEqual(outputTail);
  });

  it('leaves initializer-backed graph inputs out of what a job must supply', () => {
    // silero_vad_16k_op15 lists no weights as inputs; build one that does, as IR 3 exporters did.
    const model = admit(buildIdentity('FP32', { shape: [2] }));
    expect(model.inputs.map((i) => i.name)).toEqual(['x']);
    const weightsAsInputs = concatBytes(MLP(), lengthDelimitedField(7, lengthDelimitedField(11, lengthDelimitedField(1, new TextEncoder().encode('W1')))));
    expect(admit(weightsAsInputs).inputs.map((i) => i.name)).toEqual(['x']);
  });
});

describe('admitModel refuses', () => {
  it('bytes that do not hash to the declared sha256', () => {
    const bytes = MLP();
    const other = sha256Hex(garbage(10));
    const error = refusal(() => admitModel(bytes, other, DEFAULT_WORKER_LIMITS));
    expect(error.code).toBe('model_hash_mismatch');
    expect(error.message).toBe(`Model ${other.slice(0, 8)}… does not match its hash: the bytes hash to ${sha256Hex(bytes).slice(0, 8)}…. The download is corrupt or the model was swapped; fetch it again.`);
    expect(refusal(() => admitModel(bytes, 'not-a-hash', DEFAULT_WORKER_LIMITS)).code).toBe('model_hash_mismatch');
    expect(refusal(() => admitModel(bytes, sha256Hex(bytes).toUpperCase(), DEFAULT_WORKER_LIMITS)).code).toBe('model_hash_mismatch');
  });

  it('a model over the size limit, saying how big it is', () => {
    const bytes = MLP();
    const error = refused(bytes, { maxModelBytes: 100 });
    expect(error.code).toBe('model_too_large');
    expect(error.message).toBe(`Model ${sha256Hex(bytes).slice(0, 8)}… is ${bytes.byteLength} bytes; the limit is 100 bytes.`);
    expect(refused(SILERO(), { maxModelBytes: 1024 * 1024 }).message).toMatch(/is 2\.2 MB; the limit is 1 MB\.$/);
  });

  it.each([
    ['a truncated model', () => truncated(MLP())],
    ['the first bytes of a real model', () => truncated(SILERO(), 0.3)],
    ['random bytes', () => garbage()],
    ['empty bytes', () => new Uint8Array(0)],
    ['a model without a graph', () => Uint8Array.of(0x08, 0x08)],
    ['a varint longer than 64 bits', () => Uint8Array.of(0x08, ...new Array<number>(10).fill(0xff), 0x01)],
    ['a field key of field number 0', () => Uint8Array.of(0x02, 0x00)],
    ['a deprecated group wire type', () => Uint8Array.of(0x3b, 0x3c)],
    ['a graph field sent as a varint', () => Uint8Array.of(0x38, 0x01)],
    ['an op_type that is not UTF-8', () => lengthDelimitedField(7, lengthDelimitedField(1, lengthDelimitedField(4, Uint8Array.of(0xff, 0xfe))))],
  ])('%s as model_invalid', (_label, bytes) => {
    const error = refused(bytes());
    expect(error.code).toBe('model_invalid');
    expect(error.message).toMatch(/^Model [0-9a-f]{8}… is not a valid ONNX file \(.+\)\.$/);
  });

  it('an operator from a domain that is not allowed, even when the opset import is honest', () => {
    const error = refused(buildCustomDomainModel('evil.domain'));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/imports operator set "evil\.domain", which is not allowed \(allowed: ai\.onnx, ai\.onnx\.ml, com\.microsoft\)\.$/);
    expect(refused(buildCustomDomainModel('com.microsoft'), { allowedOpDomains: [''] }).message).toMatch(/"com\.microsoft", which is not allowed/);
  });

  it('a node whose domain is not allowed, even when the model does not import that domain', () => {
    const bytes = encodeModel({
      name: 'sneaky',
      node: [{ opType: 'Exfiltrate', domain: 'evil.domain', input: ['x'], output: ['y'] }],
      input: [valueInfo('x', 1, null)],
      output: [valueInfo('y', 1, null)],
    });
    const error = refused(bytes);
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/uses operator "Exfiltrate" from domain "evil\.domain", which is not allowed/);
    // The same model passes once the domain is allowed, so the domain is what was refused.
    expect(admit(bytes, { allowedOpDomains: ['', 'evil.domain'] }).nodeCount).toBe(1);
  });

  it('a graph split over two fields, which onnxruntime merges but a generated decoder would replace', async () => {
    // First `graph` field: the forbidden node. Second: a harmless Identity. protobufjs keeps only the
    // second; protobuf C++ (onnxruntime) merges both, so a check built on onnx-proto would miss the node.
    const evil = encodeModel(
      { name: 'g', node: [{ opType: 'Exfiltrate', domain: 'evil.domain', input: ['x'], output: ['t'] }] },
      { opsetImport: [{ domain: '', version: 17 }, { domain: 'evil.domain', version: 1 }] },
    );
    const benign = onnx.GraphProto.encode(
      onnx.GraphProto.create({ name: 'g', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [valueInfo('x', 1, null)], output: [valueInfo('y', 1, null)] }),
    ).finish();
    const split = concatBytes(evil, lengthDelimitedField(7, benign));
    expect(onnx.ModelProto.decode(split).graph!.node!.map((n) => n.opType)).toEqual(['Identity']);
    await expect(ort.InferenceSession.create(split, { logSeverityLevel: 4 })).rejects.toThrow(/evil\.domain:Exfiltrate/);
    const error = refused(split, { allowedOpDomains: ['', 'com.microsoft'] });
    expect(error.message).toMatch(/"evil\.domain", which is not allowed/);
  });

  it('subgraphs nested deeper than the limit, and admits the limit itself', () => {
    expect(admit(buildDeepNesting(6)).maxDepth).toBe(6);
    const error = refused(buildDeepNesting(7));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/nests subgraphs \(If, Loop, Scan bodies\) more than 6 levels deep, which is the limit\.$/);
    expect(refused(SILERO(), { maxSubgraphDepth: 3 }).code).toBe('model_rejected');
    // Deep enough to overflow a recursive parser: refused at the limit, without recursing further.
    expect(refused(buildDeepNesting(2000)).code).toBe('model_rejected');
  });

  it('more nodes than the limit, counting subgraphs', () => {
    expect(admit(buildNodeChain(100_000)).nodeCount).toBe(100_000);
    expect(refused(buildNodeChain(100_001)).message).toMatch(/has more than 100,000 nodes \(subgraphs and functions included\), which is the limit\.$/);
    expect(admit(buildDeepNesting(3)).nodeCount).toBe(7);
    expect(refused(buildDeepNesting(3), { maxNodes: 6 }).code).toBe('model_rejected');
  });

  it.each([
    [6, 'uses ONNX opset 6; supported opsets are 7 to 26'],
    [27, 'uses ONNX opset 27; supported opsets are 7 to 26'],
    [1000, 'uses ONNX opset 1000; supported opsets are 7 to 26'],
  ])('ONNX opset %i', (opset, reason) => {
    const error = refused(buildIdentity('FP32', { opset }));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(new RegExp(`${reason}\\.$`));
  });

  it('a model that names no ONNX opset at all', () => {
    const bytes = lengthDelimitedField(7, lengthDelimitedField(1, lengthDelimitedField(4, new TextEncoder().encode('Relu'))));
    expect(refused(bytes).message).toMatch(/does not say which ONNX opset the model uses\.$/);
  });

  describe('external data, wherever it hides and whatever path it names', () => {
    const locations = ['../../etc/passwd', '/etc/passwd', 'weights.bin', 'C:\\Windows\\win.ini', 'link-to-home/.ssh/id_ed25519', '*/_ORT_MEM_ADDR_/*', ''];
    const vias = ['initializer', 'constant', 'subgraph'] as const;
    it.each(locations.flatMap((location) => vias.map((via) => [location, via] as const)))('location %j via %s', (location, via) => {
      const error = refused(buildExternalDataModel(location, { via }));
      expect(error.code).toBe('model_rejected');
      expect(error.message).toContain('in external data');
      expect(error.message).toContain('never reads external data');
      if (location !== '') expect(error.message).toContain(JSON.stringify(location));
    });

    it.each(['location-only', 'entries-only'] as const)('with only one marker set (%s)', (marker) => {
      expect(refused(buildExternalDataModel('weights.bin', { marker })).code).toBe('model_rejected');
    });

    it('inside a model-local function', () => {
      // A Constant node with an external tensor, spliced into a function body after onnx-proto encoding.
      const external = buildExternalDataModel('weights.bin', { via: 'constant' });
      const graph = readTopLevelField(external, 7);
      const constantNode = readTopLevelField(graph, 1);
      const fn = concatBytes(lengthDelimitedField(1, new TextEncoder().encode('f')), lengthDelimitedField(10, new TextEncoder().encode('local')), lengthDelimitedField(7, constantNode));
      const bytes = concatBytes(MLP(), lengthDelimitedField(25, fn));
      expect(refused(bytes).message).toContain('in external data at "weights.bin"');
    });
  });

  it.each(['initializer', 'constant'] as const)('sparse tensors (via %s)', (via) => {
    const error = refused(buildSparseInitializerModel({ via }));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/sparse/);
  });

  it('an ORT-format file, whose four magic bytes would send onnxruntime past every check', () => {
    // Valid ONNX protobuf that also carries "ORTM" at byte 4: producer_name = "\0\0ORTM…", then the model.
    const polyglot = concatBytes(lengthDelimitedField(2, new TextEncoder().encode('\0\0ORTMpadding')), MLP());
    expect(polyglot.subarray(4, 8)).toEqual(new TextEncoder().encode('ORTM'));
    const error = refused(polyglot);
    expect(error.code).toBe('model_rejected');
    expect(error.message).toMatch(/ORT format/);
  });

  it('training_info, which inference never needs', () => {
    expect(refused(concatBytes(MLP(), lengthDelimitedField(20, new Uint8Array(0)))).message).toMatch(/training_info/);
  });

  it.each([
    ['ModelProto', (m: Uint8Array) => concatBytes(m, Uint8Array.of(...varint(99 * 8), 1))],
    ['GraphProto', (m: Uint8Array) => concatBytes(m, lengthDelimitedField(7, Uint8Array.of(...varint(3 * 8), 1)))],
    ['NodeProto', (m: Uint8Array) => concatBytes(m, lengthDelimitedField(7, lengthDelimitedField(1, Uint8Array.of(...varint(11 * 8), 1))))],
    ['AttributeProto (the deprecated v)', (m: Uint8Array) => concatBytes(m, lengthDelimitedField(7, lengthDelimitedField(1, lengthDelimitedField(5, lengthDelimitedField(12, new Uint8Array(0))))))],
    ['TensorProto', (m: Uint8Array) => concatBytes(m, lengthDelimitedField(7, lengthDelimitedField(5, Uint8Array.of(...varint(15 * 8), 1))))],
  ])('fields of %s that this version does not know, since they could carry what it cannot check', (message, splice) => {
    const error = refused(splice(MLP()));
    expect(error.code).toBe('model_rejected');
    expect(error.message).toContain(`of ${message.split(' ')[0]}, which this version of Hearth does not know`);
  });

  describe('model-local functions', () => {
    it('admits functions and counts their nodes as onnxruntime inlines them', () => {
      const model = admit(buildFunctionModel({ levels: 3, callsPerLevel: 2 }));
      expect(model.functionCount).toBe(3);
      // f2 = 1 Relu; f1 = 2 calls + 2·f2 = 4; f0 = 2 calls + 2·f1 = 10; the graph = 1 call + f0 = 11.
      expect(model.nodeCount).toBe(11);
      expect(model.opsets).toEqual({ '': 17, local: 1 });
    });

    it('refuses a small file whose functions expand past the node limit', () => {
      const bytes = buildFunctionModel({ levels: 8, callsPerLevel: 10 });
      expect(bytes.byteLength).toBeLessThan(4096);
      expect(refused(bytes).message).toMatch(/expands to more than 100,000 nodes once its functions are inlined/);
    });

    it('refuses functions that call each other in a cycle', () => {
      expect(refused(buildFunctionModel({ levels: 3, callsPerLevel: 1, cycle: true })).message).toMatch(/cycle \(f0 → f1 → f2 → f0\)/);
      expect(refused(buildFunctionModel({ levels: 1, callsPerLevel: 1, cycle: true })).message).toMatch(/cycle \(f0 → f0\)/);
    });

    it('refuses a chain of functions deeper than 32', () => {
      expect(admit(buildFunctionModel({ levels: 32, callsPerLevel: 1 })).functionCount).toBe(32);
      expect(refused(buildFunctionModel({ levels: 33, callsPerLevel: 1 })).message).toMatch(/nests function calls more than 32 deep/);
    });
  });

  it('quotes and shortens text taken from the model, so it cannot forge or flood a message', () => {
    const domain = `evil\n[info] payout sent ${'x'.repeat(500)}`;
    const error = refused(buildCustomDomainModel(domain));
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(300);
    expect(error.toWorkerError()).toEqual({ code: 'model_rejected', message: error.message });
  });
});

/** The payload of the first length-delimited top-level field with this number. */
function readTopLevelField(bytes: Uint8Array, field: number): Uint8Array {
  let pos = 0;
  const readVarint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return value;
    }
  };
  while (pos < bytes.byteLength) {
    const key = readVarint();
    const wire = key % 8;
    if (wire === 0) readVarint();
    else if (wire === 2) {
      const length = readVarint();
      if (Math.floor(key / 8) === field) return bytes.subarray(pos, pos + length);
      pos += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  throw new Error(`no field ${field}`);
}
