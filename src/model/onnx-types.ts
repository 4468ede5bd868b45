/**
 * ONNX tensor element types (TensorProto.DataType): names, storage and the typed array each
 * decodes to.
 * @module
 */

/** The data of a decoded tensor. float16 / bfloat16 are their 16-bit patterns; float8 / 4-bit / 2-bit types are their stored bytes. */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Uint8Array[];

interface Info {
  name: string;
  /** Typed array constructor of the decoded data (undefined: STRING, an array of byte strings). */
  ctor?: { new (n: number): TensorData; new (b: ArrayBuffer, o: number, n: number): TensorData; BYTES_PER_ELEMENT: number };
  /** Array elements per tensor element (2 for complex numbers). */
  per: number;
  /** Tensor elements per stored byte for sub-byte types (2 for 4-bit, 4 for 2-bit), else 0. */
  pack: number;
  /** The typed field that holds the data when raw_data is not used. */
  field: 'floatData' | 'int32Data' | 'stringData' | 'int64Data' | 'doubleData' | 'uint64Data';
}

const I = (name: string, ctor: Info['ctor'], field: Info['field'], per = 1, pack = 0): Info => ({ name, ctor, per, pack, field });

/** Element type number -> description. */
export const DTYPES: Record<number, Info> = {
  1: I('FLOAT', Float32Array as Info['ctor'], 'floatData'),
  2: I('UINT8', Uint8Array as Info['ctor'], 'int32Data'),
  3: I('INT8', Int8Array as Info['ctor'], 'int32Data'),
  4: I('UINT16', Uint16Array as Info['ctor'], 'int32Data'),
  5: I('INT16', Int16Array as Info['ctor'], 'int32Data'),
  6: I('INT32', Int32Array as Info['ctor'], 'int32Data'),
  7: I('INT64', BigInt64Array as unknown as Info['ctor'], 'int64Data'),
  8: I('STRING', undefined, 'stringData'),
  9: I('BOOL', Uint8Array as Info['ctor'], 'int32Data'),
  10: I('FLOAT16', Uint16Array as Info['ctor'], 'int32Data'),
  11: I('DOUBLE', Float64Array as Info['ctor'], 'doubleData'),
  12: I('UINT32', Uint32Array as Info['ctor'], 'uint64Data'),
  13: I('UINT64', BigUint64Array as unknown as Info['ctor'], 'uint64Data'),
  14: I('COMPLEX64', Float32Array as Info['ctor'], 'floatData', 2),
  15: I('COMPLEX128', Float64Array as Info['ctor'], 'doubleData', 2),
  16: I('BFLOAT16', Uint16Array as Info['ctor'], 'int32Data'),
  17: I('FLOAT8E4M3FN', Uint8Array as Info['ctor'], 'int32Data'),
  18: I('FLOAT8E4M3FNUZ', Uint8Array as Info['ctor'], 'int32Data'),
  19: I('FLOAT8E5M2', Uint8Array as Info['ctor'], 'int32Data'),
  20: I('FLOAT8E5M2FNUZ', Uint8Array as Info['ctor'], 'int32Data'),
  21: I('UINT4', Uint8Array as Info['ctor'], 'int32Data', 1, 2),
  22: I('INT4', Uint8Array as Info['ctor'], 'int32Data', 1, 2),
  23: I('FLOAT4E2M1', Uint8Array as Info['ctor'], 'int32Data', 1, 2),
  24: I('FLOAT8E8M0', Uint8Array as Info['ctor'], 'int32Data'),
  25: I('UINT2', Uint8Array as Info['ctor'], 'int32Data', 1, 4),
  26: I('INT2', Uint8Array as Info['ctor'], 'int32Data', 1, 4),
};

/** ONNX element type numbers by name. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11,
  UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22, FLOAT4E2M1: 23, FLOAT8E8M0: 24, UINT2: 25, INT2: 26,
} as const;

/** The name of an element type number ("FLOAT"), or "type N" when unknown. */
export function dtypeName(t: number): string {
  return DTYPES[t]?.name ?? `type ${t}`;
}

/** Number of elements of a shape. */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Length of the typed array that holds `n` elements of type `t`. */
export function dataLength(t: number, n: number): number {
  const d = DTYPES[t];
  if (d.pack) return Math.ceil(n / d.pack);
  return n * d.per;
}
