/**
 * safetensors files: an 8-byte little-endian header length N, N bytes of JSON (tensor name ->
 * { dtype, shape, data_offsets: [begin, end] }, plus an optional `__metadata__` map of strings),
 * then the data; offsets count from the end of the header and the tensors must tile the data with
 * no gap and no overlap. Any valid file is read; one canonical form is written.
 * @module
 */

/** safetensors element types this entry reads and writes. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'U16' | 'U32' | 'U64';

/** float16 / bfloat16 are their 16-bit patterns; BOOL is bytes 0 / 1. */
export type SafetensorsData = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint32Array | BigUint64Array;

/** One tensor of a safetensors file. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** A read safetensors file. */
export interface Safetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

type Ctor = { new (b: ArrayBuffer, o: number, n: number): SafetensorsData; new (n: number): SafetensorsData; BYTES_PER_ELEMENT: number; name: string };

const CTORS: Record<SafetensorsDtype, Ctor> = {
  F64: Float64Array as unknown as Ctor,
  F32: Float32Array as unknown as Ctor,
  F16: Uint16Array as unknown as Ctor,
  BF16: Uint16Array as unknown as Ctor,
  I64: BigInt64Array as unknown as Ctor,
  I32: Int32Array as unknown as Ctor,
  I16: Int16Array as unknown as Ctor,
  I8: Int8Array as unknown as Ctor,
  U8: Uint8Array as unknown as Ctor,
  BOOL: Uint8Array as unknown as Ctor,
  U16: Uint16Array as unknown as Ctor,
  U32: Uint32Array as unknown as Ctor,
  U64: BigUint64Array as unknown as Ctor,
};

/** The largest header this reader accepts (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function product(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Read a safetensors file. Tensor data views the bytes passed in where the offset is aligned to
 * the element size, else it is a copy. A header that does not match the data is a RangeError (or a
 * TypeError for a wrong JSON type) naming the tensor and what is wrong.
 */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer): Safetensors {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) throw new TypeError(`bytes: expected a Uint8Array or an ArrayBuffer, got ${typeName(bytes)}`);
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length < 8) throw new RangeError(`bytes: ${b.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(b.length - 8)) throw new RangeError(`bytes: the header length ${n64} runs past the end of the file (${b.length - 8} bytes after the length)`);
  const n = Number(n64);
  if (n > MAX_HEADER) throw new RangeError(`bytes: header length ${n} is over the ${MAX_HEADER}-byte limit`);
  if (n < 2) throw new RangeError(`bytes: header length ${n} is too short for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(8, 8 + n));
  } catch {
    throw new TypeError('header: not valid UTF-8');
  }
  if (text[0] !== '{') throw new TypeError(`header: expected a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`header: not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TypeError(`header: expected a JSON object, got ${typeName(header)}`);
  const dataStart = 8 + n;
  const dataLen = b.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, SafetensorsTensor> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new TypeError(`header.__metadata__: expected an object of strings, got ${typeName(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new TypeError(`header.__metadata__.${k}: expected a string, got ${typeName(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const what = `tensor '${name}'`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new TypeError(`${what}: expected an object { dtype, shape, data_offsets }, got ${typeName(entry)}`);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== 'string') throw new TypeError(`${what}.dtype: expected a string, got ${typeName(e.dtype)}`);
    const ctor = Object.prototype.hasOwnProperty.call(CTORS, e.dtype) ? CTORS[e.dtype as SafetensorsDtype] : undefined;
    if (!ctor) throw new TypeError(`${what}.dtype: unknown dtype '${e.dtype}' (known: ${Object.keys(CTORS).join(' ')})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new TypeError(`${what}.shape: expected an array of integers >= 0, got ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new TypeError(`${what}.data_offsets: expected [begin, end], two integers >= 0, got ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) throw new RangeError(`${what}.data_offsets: end ${end} is before begin ${begin}`);
    if (end > dataLen) throw new RangeError(`${what}.data_offsets: end ${end} is past the end of the data (${dataLen} bytes)`);
    const shape = e.shape as number[];
    const count = product(shape);
    const expected = count * ctor.BYTES_PER_ELEMENT;
    if (end - begin !== expected) {
      throw new RangeError(`${what}: data_offsets span ${end - begin} bytes, but ${e.dtype} [${shape.join(', ')}] needs ${expected}`);
    }
    const at = dataStart + begin;
    const data = (b.byteOffset + at) % ctor.BYTES_PER_ELEMENT === 0
      ? new ctor(b.buffer as ArrayBuffer, b.byteOffset + at, count)
      : new ctor(b.slice(at, dataStart + end).buffer, 0, count);
    tensors[name] = { dtype: e.dtype as SafetensorsDtype, shape: shape.slice(), data };
    spans.push({ name, begin, end });
  }
  // the tensors must cover the data exactly: sorted by offset, each begins where the last ended
  spans.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let pos = 0;
  let prev = '';
  for (const s of spans) {
    if (s.begin < pos) throw new RangeError(`tensor '${s.name}': data_offsets [${s.begin}, ${s.end}] overlap tensor '${prev}' (which ends at ${pos})`);
    if (s.begin > pos) throw new RangeError(`tensor '${s.name}': data_offsets begin at ${s.begin}, leaving a gap after byte ${pos}`);
    pos = s.end;
    prev = s.name;
  }
  if (pos !== dataLen) throw new RangeError(`bytes: ${dataLen - pos} bytes of data after the last tensor (the header's offsets end at ${pos} of ${dataLen})`);
  return { tensors, metadata };
}

/**
 * Write a safetensors file in one canonical form: `__metadata__` first (when given), then the
 * tensors ordered by element size (largest first) and name, with their data in that order, so
 * every tensor starts at a multiple of its element size; the JSON header is padded with spaces to
 * a multiple of 8 bytes.
 */
export function writeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) throw new TypeError(`tensors: expected an object of tensors by name, got ${typeName(tensors)}`);
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new TypeError(`metadata: expected an object of strings, got ${typeName(metadata)}`);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`metadata.${k}: expected a string, got ${typeName(v)}`);
  }
  const items = Object.entries(tensors).map(([name, t]) => {
    const what = `tensors['${name}']`;
    if (name === '__metadata__') throw new RangeError(`${what}: '__metadata__' is reserved for the metadata`);
    if (typeof t !== 'object' || t === null) throw new TypeError(`${what}: expected { dtype, shape, data }, got ${typeName(t)}`);
    const ctor = typeof t.dtype === 'string' && Object.prototype.hasOwnProperty.call(CTORS, t.dtype) ? CTORS[t.dtype] : undefined;
    if (!ctor) throw new TypeError(`${what}.dtype: unknown dtype ${JSON.stringify(t.dtype)} (known: ${Object.keys(CTORS).join(' ')})`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new TypeError(`${what}.shape: expected an array of integers >= 0`);
    if (!(t.data instanceof ctor)) throw new TypeError(`${what}.data: expected a ${ctor.name} for ${t.dtype}, got ${(t.data as object)?.constructor?.name ?? typeName(t.data)}`);
    const count = product(t.shape);
    if (t.data.length !== count) throw new RangeError(`${what}.data: holds ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${count}`);
    return { name, t, size: ctor.BYTES_PER_ELEMENT };
  });
  items.sort((x, y) => y.size - x.size || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length) header.__metadata__ = metadata;
  let pos = 0;
  for (const { name, t } of items) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + t.data.byteLength] };
    pos += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + pos);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  json = new Uint8Array(0);
  let at = 8 + padded;
  for (const { t } of items) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
