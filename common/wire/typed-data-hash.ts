/**
 * EIP-712 digests of the protocol's own flat structs (Job, Receipt, ReceiptAck) without viem's generic
 * walk: the type hashes and each chain's domain separator are computed once, and each message is
 * encoded straight into one buffer. The result is byte-for-byte viem's `hashTypedData`, and it throws
 * where that throws (an integer out of its range, an address that is not one, a bytes32 of another
 * size), so a message EIP-712 cannot encode is still never validly signed. Measured here: less than half
 * viem's CPU per digest (0.07–0.12 ms against 0.16–0.25 for a receipt); the coordinator takes four per job.
 */
import { type Hex, hashDomain, hexToBytes, isAddress, keccak256 } from 'viem';

type Field = { readonly name: string; readonly type: string };

const encoder = new TextEncoder();
const HEX = /^0x[0-9a-fA-F]*$/;

function keccakBytes(data: Uint8Array): Uint8Array {
  return keccak256(data, 'bytes');
}

/** Short strings whose hashes were computed lately: the model URL, output names, device and job ids repeat. */
const stringHashes = new Map<string, Uint8Array>();
const STRING_HASHES_HELD = 4096;
const STRING_HASH_MAX_LENGTH = 256;

/**
 * keccak256 of a string's UTF-8 bytes. A job's id is hashed three times on the coordinator (job,
 * receipt, ack) and its model URL and output names on every job of that model, so short strings are
 * kept: keccak in JavaScript is about 15 µs a call here, the largest cost after the curve.
 */
function keccakString(value: string): Uint8Array {
  const held = stringHashes.get(value);
  if (held !== undefined) return held;
  const hash = keccakBytes(encoder.encode(value));
  if (value.length <= STRING_HASH_MAX_LENGTH) {
    if (stringHashes.size >= STRING_HASHES_HELD) stringHashes.clear();
    stringHashes.set(value, hash);
  }
  return hash;
}

function writeUint(out: Uint8Array, at: number, value: unknown, bits: number, name: string): void {
  if (typeof value !== 'bigint' && typeof value !== 'number') throw new Error(`${name} is not an integer`);
  const big = BigInt(value);
  if (big < 0n || big >= 1n << BigInt(bits)) throw new Error(`${name} does not fit uint${bits}`);
  let rest = big;
  for (let i = 31; i >= 0 && rest > 0n; i--) {
    out[at + i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

/** The 32-byte word of one field, written at `at`. */
function encodeField(out: Uint8Array, at: number, field: Field, value: unknown): void {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`${field.name} is not a string`);
      return out.set(keccakString(value), at);
    case 'string[]': {
      if (!Array.isArray(value)) throw new Error(`${field.name} is not a list`);
      const words = new Uint8Array(32 * value.length);
      value.forEach((item: unknown, i) => {
        if (typeof item !== 'string') throw new Error(`${field.name}[${i}] is not a string`);
        words.set(keccakString(item), 32 * i);
      });
      return out.set(keccakBytes(words), at);
    }
    case 'bytes32':
      if (typeof value !== 'string' || !HEX.test(value) || value.length !== 66) throw new Error(`${field.name} is not 32 bytes`);
      return out.set(hexToBytes(value as Hex), at);
    case 'address':
      if (typeof value !== 'string' || !isAddress(value)) throw new Error(`${field.name} is not an address`);
      return out.set(hexToBytes(value as Hex), at + 12);
    case 'uint64':
      return writeUint(out, at, value, 64, field.name);
    case 'uint256':
      return writeUint(out, at, value, 256, field.name);
    default:
      throw new Error(`${field.name} has type ${field.type}, which this encoder does not handle`);
  }
}

/** A digest function for one flat struct type under the marketplace's domains. */
export function structHasher<const F extends readonly Field[]>(primaryType: string, fields: F): (domain: { name: string; version: string; chainId: number }, message: { [K in F[number]['name']]: unknown }) => Hex {
  const typeHash = keccakBytes(encoder.encode(`${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`));
  const separators = new Map<string, Uint8Array>();
  return (domain, message) => {
    const key = `${domain.name}\u0000${domain.version}\u0000${domain.chainId}`;
    let separator = separators.get(key);
    if (separator === undefined) {
      separator = hexToBytes(hashDomain({ domain: { ...domain, chainId: BigInt(domain.chainId) }, types: { EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }] } }));
      separators.set(key, separator);
    }
    const struct = new Uint8Array(32 * (fields.length + 1));
    struct.set(typeHash, 0);
    const values = message as Record<string, unknown>;
    fields.forEach((field, i) => encodeField(struct, 32 * (i + 1), field, values[field.name]));
    const digestInput = new Uint8Array(66);
    digestInput[0] = 0x19;
    digestInput[1] = 0x01;
    digestInput.set(separator, 2);
    digestInput.set(keccakBytes(struct), 34);
    return keccak256(digestInput);
  };
}
