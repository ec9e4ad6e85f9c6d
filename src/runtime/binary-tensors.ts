/**
 * The Open Inference Protocol's binary tensor data extension (what Triton and KServe clients
 * send for large tensors): the body is a JSON header of `Inference-Header-Content-Length` bytes
 * followed by each binary input's raw bytes, little-endian, row-major, in the order the inputs
 * appear in the header, each sized by its `parameters.binary_data_size`. Outputs asked for with
 * `parameters.binary_data: true` (or all, with `parameters.binary_data_output: true`) come back
 * the same way. The tensors skip JSON entirely: no number parsing, no per-element checks.
 */
import { endianness } from 'node:os';
import { HttpError } from './http-errors.js';
import { DTYPES, type HostTensor } from './tensor.js';
import type { TensorDtype } from '../bento/schema.js';

/** The header naming the JSON part's size, in requests and in responses with binary outputs. */
export const INFERENCE_HEADER = 'inference-header-content-length';

// Typed arrays use the host's byte order; the protocol fixes little-endian. Every image runs on
// linux-x64 (little-endian), so the bytes are copied as they are; a big-endian host is refused.
const LITTLE_ENDIAN = endianness() === 'LE';

/** Bytes per element, as the extension lays them out (BOOL: one byte). */
export function elementBytes(dtype: TensorDtype): number {
  return DTYPES[dtype].create(0).BYTES_PER_ELEMENT;
}

/** The JSON header and the binary tail of a body sent with `Inference-Header-Content-Length`. */
export function splitBinaryBody(
  body: Buffer,
  headerLength: string,
): { readonly json: Buffer; readonly binary: Buffer } {
  if (!/^\d{1,12}$/.test(headerLength.trim())) {
    throw new HttpError(
      'INVALID_BINARY_DATA',
      `Inference-Header-Content-Length must be the JSON header's size in bytes; got ${JSON.stringify(headerLength.slice(0, 40))}`,
    );
  }
  const length = Number(headerLength.trim());
  if (length === 0 || length > body.length) {
    throw new HttpError(
      'INVALID_BINARY_DATA',
      `Inference-Header-Content-Length is ${length} but the body has ${body.length} bytes; it must be the size of the JSON header at the start of the body`,
    );
  }
  return { json: body.subarray(0, length), binary: body.subarray(length) };
}

/**
 * Hands out the binary tail input by input: each call takes the next `size` bytes, and
 * `finish` checks that nothing was left over (a size that does not add up is an error, not a
 * silently truncated tensor).
 */
export class BinaryCursor {
  private offset = 0;
  constructor(private readonly binary: Buffer) {}

  take(size: number, label: string): Buffer {
    if (this.offset + size > this.binary.length) {
      throw new HttpError(
        'INVALID_BINARY_DATA',
        `"${label}" declares binary_data_size ${size} but only ${this.binary.length - this.offset} bytes of binary data are left after the JSON header`,
      );
    }
    const slice = this.binary.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  finish(): void {
    if (this.offset !== this.binary.length) {
      throw new HttpError(
        'INVALID_BINARY_DATA',
        `the body has ${this.binary.length - this.offset} bytes of binary data that no input's binary_data_size accounts for`,
      );
    }
  }
}

/** `binary_data_size` of a request input, or undefined when its data is JSON. */
export function binaryDataSize(item: Record<string, unknown>, label: string): number | undefined {
  const parameters = item.parameters;
  if (parameters === undefined) return undefined;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    throw new HttpError('INVALID_BODY', `"${label}".parameters must be an object`);
  const size = (parameters as Record<string, unknown>).binary_data_size;
  if (size === undefined) return undefined;
  if (!Number.isSafeInteger(size) || (size as number) < 0) {
    throw new HttpError(
      'INVALID_BINARY_DATA',
      `"${label}".parameters.binary_data_size must be a non-negative integer; got ${JSON.stringify(size)}`,
    );
  }
  return size as number;
}

/** A tensor from its raw bytes, checked against the count its shape gives. */
export function decodeBinaryTensor(
  bytes: Buffer,
  dtype: TensorDtype,
  dims: readonly number[],
  count: number,
  label: string,
): HostTensor {
  if (!LITTLE_ENDIAN) {
    throw new HttpError('INVALID_BINARY_DATA', 'binary tensor data needs a little-endian host');
  }
  const width = elementBytes(dtype);
  if (bytes.length !== count * width) {
    throw new HttpError(
      'INVALID_BINARY_DATA',
      `"${label}" has ${bytes.length} bytes of binary data but shape [${dims.join(', ')}] of ${DTYPES[dtype].v2} needs ${count * width} (${count} x ${width})`,
    );
  }
  const data = DTYPES[dtype].create(count);
  // Copy: the slice of the body may not be aligned for the element type, and the inference
  // thread takes ownership of the tensor's memory.
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  if (dtype === 'bool') {
    const index = (data as Uint8Array).findIndex((byte) => byte > 1);
    if (index !== -1) {
      throw new HttpError(
        'WRONG_DTYPE',
        `"${label}" element ${index} is byte ${(data as Uint8Array)[index]}; BOOL binary data is one byte, 0 or 1`,
      );
    }
  }
  return { dtype, dims, data };
}

/** Raw little-endian bytes of a tensor, for a binary output (a view: no copy). */
export function tensorBytes(tensor: HostTensor): Buffer {
  const { data } = tensor;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
