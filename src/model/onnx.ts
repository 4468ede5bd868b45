/**
 * ONNX model files: decode with protobufjs against the schema of ./onnx-schema.ts, turn every
 * TensorProto into a typed array (raw_data, the typed fields or external data), and write the
 * model back (raw_data, optionally large initializers in one external data file).
 * @module
 */
import protobuf from 'protobufjs/light.js';
import { onnxSchema } from './onnx-schema.js';
import { atomicWrite, basename, dirname, errCode, join, nodeFs, toPath } from './node-io.js';
import { DTYPES, type TensorData, dataLength, dtypeName, numel } from './onnx-types.js';

/** A 64-bit integer: a number when it is a safe integer, else a bigint (exact). */
export type Int64 = number | bigint;

/** StringStringEntryProto. */
export interface StringEntry {
  key?: string;
  value?: string;
}

/** TensorProto, decoded: `data` holds the values (external data already read in). */
export interface OnnxTensor {
  name?: string;
  /** ONNX element type (1 FLOAT, 7 INT64, ...; see `DataType`). */
  dataType: number;
  dims: number[];
  data: TensorData;
  docString?: string;
  segment?: { begin?: Int64; end?: Int64 };
  metadataProps?: StringEntry[];
}

/** SparseTensorProto. */
export interface OnnxSparseTensor {
  values?: OnnxTensor;
  indices?: OnnxTensor;
  dims?: number[];
}

/** TensorShapeProto. */
export interface OnnxShape {
  dim?: { dimValue?: Int64; dimParam?: string; denotation?: string }[];
}

/** TypeProto (one of the kinds is set). */
export interface OnnxType {
  tensorType?: { elemType?: number; shape?: OnnxShape };
  sequenceType?: { elemType?: OnnxType };
  mapType?: { keyType?: number; valueType?: OnnxType };
  optionalType?: { elemType?: OnnxType };
  sparseTensorType?: { elemType?: number; shape?: OnnxShape };
  opaqueType?: { domain?: string; name?: string };
  denotation?: string;
}

/** AttributeProto. */
export interface OnnxAttribute {
  name: string;
  /** AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, 9 TENSORS, 10 GRAPHS, 11 SPARSE_TENSOR, 12 SPARSE_TENSORS, 13 TYPE_PROTO, 14 TYPE_PROTOS. */
  type?: number;
  refAttrName?: string;
  docString?: string;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  sparseTensor?: OnnxSparseTensor;
  tp?: OnnxType;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: OnnxTensor[];
  graphs?: OnnxGraph[];
  sparseTensors?: OnnxSparseTensor[];
  typeProtos?: OnnxType[];
}

/** NodeProto. */
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  overload?: string;
  attribute: OnnxAttribute[];
  docString?: string;
  metadataProps?: StringEntry[];
  deviceConfigurations?: unknown[];
}

/** ValueInfoProto. */
export interface OnnxValueInfo {
  name: string;
  type?: OnnxType;
  docString?: string;
  metadataProps?: StringEntry[];
}

/** GraphProto. */
export interface OnnxGraph {
  node: OnnxNode[];
  name?: string;
  initializer: OnnxTensor[];
  sparseInitializer?: OnnxSparseTensor[];
  docString?: string;
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
  quantizationAnnotation?: { tensorName?: string; quantParameterTensorNames?: StringEntry[] }[];
  metadataProps?: StringEntry[];
}

/** OperatorSetIdProto. */
export interface OnnxOpset {
  domain?: string;
  version?: Int64;
}

/** FunctionProto. */
export interface OnnxFunction {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attributeProto?: OnnxAttribute[];
  node?: OnnxNode[];
  docString?: string;
  opsetImport?: OnnxOpset[];
  domain?: string;
  overload?: string;
  valueInfo?: OnnxValueInfo[];
  metadataProps?: StringEntry[];
}

/** ModelProto, decoded. */
export interface OnnxModel {
  irVersion?: Int64;
  opsetImport: OnnxOpset[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph: OnnxGraph;
  metadataProps?: StringEntry[];
  trainingInfo?: { initialization?: OnnxGraph; algorithm?: OnnxGraph; initializationBinding?: StringEntry[]; updateBinding?: StringEntry[] }[];
  functions?: OnnxFunction[];
  configuration?: { name?: string; numDevices?: number; device?: string[] }[];
}

/** Options of `readOnnx`. */
export interface ReadOnnxOptions {
  /** External data files by their `location` (what a browser passes instead of a directory). */
  externalData?: Record<string, Uint8Array | ArrayBuffer> | Map<string, Uint8Array | ArrayBuffer>;
}

/** Options of `writeOnnx`. */
export interface WriteOnnxOptions {
  /** Initializers of at least this many bytes go to one external data file. Absent: everything in the model bytes. */
  externalDataThreshold?: number;
  /** The external data file's name, relative to the model file. Default 'model.onnx.data'. */
  location?: string;
}

// ------------------------------------------------------------------------------------------------
// Schema
// ------------------------------------------------------------------------------------------------

let schema: { Model: protobuf.Type } | undefined;
function types(): { Model: protobuf.Type } {
  if (!schema) {
    const root = protobuf.Root.fromJSON(onnxSchema);
    root.resolveAll();
    schema = { Model: root.lookupType('onnx.ModelProto') };
  }
  return schema;
}

/** Fields that are always arrays in the decoded model (empty when absent from the file). */
const ALWAYS_ARRAYS: Record<string, string[]> = {
  ModelProto: ['opsetImport'],
  GraphProto: ['node', 'initializer', 'input', 'output'],
  NodeProto: ['input', 'output', 'attribute'],
};

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A decoded varint (Long, or number when protobufjs has no Long) -> number when safe, else bigint. */
function fromLong(v: unknown, unsigned: boolean): Int64 {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return toSafe(BigInt(v));
  const { low, high } = v as { low: number; high: number };
  if (!unsigned && ((high === 0 && low >= 0) || (high === -1 && low < 0))) return low;
  if (unsigned && high === 0) return low >>> 0;
  const b = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return toSafe(unsigned ? b : BigInt.asIntN(64, b));
}

function toSafe(b: bigint): Int64 {
  return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b;
}

/** number | bigint -> what protobufjs' writer takes for a 64-bit field. */
function toLong(v: unknown, name: string): number | { low: number; high: number } {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name}: expected an integer (a bigint beyond 2^53), got ${v}`);
    return v;
  }
  if (typeof v === 'bigint') return { low: Number(BigInt.asIntN(32, v)), high: Number(BigInt.asIntN(32, v >> 32n)) };
  throw new TypeError(`${name}: expected a number or a bigint, got ${v === null ? 'null' : typeof v}`);
}

const asU8 = (b: Uint8Array | ArrayBuffer): Uint8Array => (b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b));

// ------------------------------------------------------------------------------------------------
// Decoding
// ------------------------------------------------------------------------------------------------

type Msg = Record<string, unknown>;

interface DecodeCtx {
  external: (location: string, what: string) => Uint8Array;
}

/** Walk a decoded message by its type into a plain object (TensorProto -> OnnxTensor). */
function fromWire(type: protobuf.Type, msg: Msg, ctx: DecodeCtx, path: string): Msg {
  const out: Msg = {};
  for (const f of type.fieldsArray) {
    const v = msg[f.name];
    const present = f.repeated ? Array.isArray(v) && v.length > 0 : Object.prototype.hasOwnProperty.call(msg, f.name) && v != null;
    if (!present) continue;
    const conv = (x: unknown, i?: number): unknown => {
      const where = i === undefined ? `${path}.${f.name}` : `${path}.${f.name}[${i}]`;
      const rt = f.resolvedType;
      if (rt instanceof protobuf.Type) {
        if (rt.name === 'TensorProto') return tensorFromWire(x as Msg, ctx, where);
        return fromWire(rt, x as Msg, ctx, where);
      }
      if (INT64_TYPES.has(f.type)) return fromLong(x, f.type === 'uint64' || f.type === 'fixed64');
      if (f.type === 'bytes') return asU8(x as Uint8Array);
      return x;
    };
    out[f.name] = f.repeated ? (v as unknown[]).map(conv) : conv(v);
  }
  for (const k of ALWAYS_ARRAYS[type.name] ?? []) out[k] ??= [];
  if (type.name === 'TensorShapeProto' || type.name === 'SparseTensorProto') {
    if (out.dims) out.dims = (out.dims as Int64[]).map((d) => dim(d, `${path}.dims`));
  }
  return out;
}

function dim(d: Int64, where: string): number {
  if (typeof d !== 'number' || d < 0) throw new RangeError(`${where}: a dimension must be an integer in [0, 2^53), got ${d}`);
  return d;
}

/** View `bytes` as `ctor` values (copied when the offset is not aligned to the element size). */
function viewAs(ctor: NonNullable<(typeof DTYPES)[number]['ctor']>, bytes: Uint8Array, length: number): TensorData {
  const size = ctor.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % size === 0) return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  const copy = bytes.slice();
  return new ctor(copy.buffer, 0, length);
}

function tensorFromWire(m: Msg, ctx: DecodeCtx, where: string): OnnxTensor {
  const name = typeof m.name === 'string' && Object.prototype.hasOwnProperty.call(m, 'name') ? (m.name as string) : undefined;
  const what = name !== undefined ? `tensor '${name}'` : where;
  const dataType = Object.prototype.hasOwnProperty.call(m, 'dataType') ? (m.dataType as number) : 0;
  const info = DTYPES[dataType];
  if (!info) throw new TypeError(`${what}: unknown data type ${dataType}`);
  const dims = ((m.dims as unknown[] | undefined) ?? []).map((d) => dim(fromLong(d, false), `${what}.dims`));
  const segment = m.segment as Msg | undefined;
  const begin = segment && Object.prototype.hasOwnProperty.call(segment, 'begin') ? fromLong(segment.begin, false) : undefined;
  const end = segment && Object.prototype.hasOwnProperty.call(segment, 'end') ? fromLong(segment.end, false) : undefined;
  const n = segment ? Number(end ?? 0) - Number(begin ?? 0) : numel(dims);
  const len = dataLength(dataType, n);
  let data: TensorData;
  const external = m.dataLocation === 1;
  const raw = Object.prototype.hasOwnProperty.call(m, 'rawData') ? asU8(m.rawData as Uint8Array) : undefined;
  if (external || raw) {
    if (!info.ctor) throw new TypeError(`${what}: STRING tensors cannot use ${external ? 'external data' : 'raw_data'}`);
    let bytes: Uint8Array;
    if (external) {
      const kv = new Map(((m.externalData as Msg[] | undefined) ?? []).map((e) => [e.key as string, e.value as string]));
      const location = kv.get('location');
      if (!location) throw new RangeError(`${what}: external data without a location`);
      const file = ctx.external(location, what);
      const offset = kv.has('offset') ? Number(kv.get('offset')) : 0;
      const length = kv.has('length') ? Number(kv.get('length')) : file.length - offset;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.length) {
        throw new RangeError(`${what}: external data offset ${kv.get('offset') ?? 0} length ${kv.get('length') ?? '(rest)'} lies outside '${location}' (${file.length} bytes)`);
      }
      bytes = file.subarray(offset, offset + length);
    } else bytes = raw as Uint8Array;
    const expected = len * info.ctor.BYTES_PER_ELEMENT;
    if (bytes.length !== expected) {
      throw new RangeError(`${what}: ${external ? 'external' : 'raw'} data has ${bytes.length} bytes, expected ${expected} for ${dtypeName(dataType)} [${dims.join(', ')}]`);
    }
    data = viewAs(info.ctor, bytes, len);
  } else {
    const values = (m[info.field] as unknown[] | undefined) ?? [];
    if (values.length !== len) {
      throw new RangeError(`${what}: holds ${values.length} values in ${info.field}, expected ${len} for ${dtypeName(dataType)} [${dims.join(', ')}]`);
    }
    if (!info.ctor) data = (values as Uint8Array[]).map((s) => asU8(s).slice());
    else if (dataType === 7) data = BigInt64Array.from(values, (v) => BigInt(fromLong(v, false)));
    else if (dataType === 13) data = BigUint64Array.from(values, (v) => BigInt(fromLong(v, true)));
    else if (dataType === 12) data = Uint32Array.from(values, (v) => Number(fromLong(v, true)));
    else data = (info.ctor as unknown as { from(a: ArrayLike<number>): TensorData }).from(values as number[]);
  }
  const t: OnnxTensor = { dataType, dims, data };
  if (name !== undefined) t.name = name;
  if (Object.prototype.hasOwnProperty.call(m, 'docString')) t.docString = m.docString as string;
  if (segment) {
    t.segment = {};
    if (begin !== undefined) t.segment.begin = begin;
    if (end !== undefined) t.segment.end = end;
  }
  if ((m.metadataProps as unknown[] | undefined)?.length) t.metadataProps = (m.metadataProps as Msg[]).map((e) => ({ ...e }) as StringEntry);
  return t;
}

/** Every external data location a decoded message refers to. */
function externalLocations(type: protobuf.Type, msg: Msg, out: Set<string>): void {
  if (type.name === 'TensorProto') {
    if (msg.dataLocation === 1) for (const e of (msg.externalData as Msg[] | undefined) ?? []) if (e.key === 'location') out.add(e.value as string);
    return;
  }
  for (const f of type.fieldsArray) {
    const rt = f.resolvedType;
    if (!(rt instanceof protobuf.Type)) continue;
    const v = msg[f.name];
    if (v == null) continue;
    if (Array.isArray(v)) for (const x of v) externalLocations(rt, x as Msg, out);
    else if (Object.prototype.hasOwnProperty.call(msg, f.name)) externalLocations(rt, v as Msg, out);
  }
}

function decodeModel(bytes: Uint8Array): Msg {
  const { Model } = types();
  let msg: Msg;
  try {
    msg = Model.decode(bytes) as unknown as Msg;
  } catch (e) {
    throw new RangeError(`bytes: not a valid ONNX model, the protobuf data is truncated or corrupt (${(e as Error).message})`);
  }
  if (!Object.prototype.hasOwnProperty.call(msg, 'graph')) throw new RangeError('bytes: not an ONNX model (no graph in the ModelProto)');
  return msg;
}

function convert(msg: Msg, ctx: DecodeCtx): OnnxModel {
  const m = fromWire(types().Model, msg, ctx, 'model') as unknown as OnnxModel;
  return m;
}

/** Checks a location names a file beside the model (no absolute path, no '..'). */
function checkLocation(location: string, what: string): void {
  if (location.startsWith('/') || location.startsWith('\\') || /^[a-zA-Z]:/.test(location) || location.split(/[\\/]/).includes('..')) {
    throw new RangeError(`${what}: external data location '${location}' must be a relative path inside the model's directory`);
  }
}

/**
 * Read an ONNX model. Bytes in: the model, synchronously (external data comes from
 * `options.externalData`). A path (string or file URL) in: a Promise; external data files are
 * read from the model's directory. Tensor data may share memory with the bytes passed in.
 */
export function readOnnx(source: Uint8Array | ArrayBuffer, options?: ReadOnnxOptions): OnnxModel;
export function readOnnx(source: string | URL, options?: ReadOnnxOptions): Promise<OnnxModel>;
export function readOnnx(source: Uint8Array | ArrayBuffer | string | URL, options?: ReadOnnxOptions): OnnxModel | Promise<OnnxModel> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`options: expected an object, got ${options === null ? 'null' : typeof options}`);
  if (typeof source === 'string' || source instanceof URL) return readOnnxFile(source, options);
  if (!(source instanceof Uint8Array) && !(source instanceof ArrayBuffer)) {
    throw new TypeError(`source: expected a Uint8Array, an ArrayBuffer or a path, got ${source === null ? 'null' : typeof source}`);
  }
  const given = options?.externalData;
  const lookup = (loc: string): Uint8Array | ArrayBuffer | undefined => (given instanceof Map ? given.get(loc) : given?.[loc]);
  const msg = decodeModel(asU8(source));
  return convert(msg, {
    external(location, what) {
      const b = lookup(location);
      if (b === undefined) throw new RangeError(`${what}: external data '${location}' was not given (options.externalData['${location}'])`);
      return asU8(b);
    },
  });
}

async function readOnnxFile(source: string | URL, options?: ReadOnnxOptions): Promise<OnnxModel> {
  const fs = await nodeFs();
  const file = await toPath(source);
  let bytes: Uint8Array;
  try {
    bytes = asU8(await fs.readFile(file));
  } catch (e) {
    throw new RangeError(`source: cannot read '${file}' (${errCode(e)})`);
  }
  const msg = decodeModel(bytes);
  const locations = new Set<string>();
  externalLocations(types().Model, msg, locations);
  const files = new Map<string, Uint8Array>();
  const given = options?.externalData;
  for (const loc of locations) {
    const b = given instanceof Map ? given.get(loc) : given?.[loc];
    if (b !== undefined) {
      files.set(loc, asU8(b));
      continue;
    }
    checkLocation(loc, `'${file}'`);
    try {
      files.set(loc, asU8(await fs.readFile(join(dirname(file), loc))));
    } catch (e) {
      throw new RangeError(`'${file}': cannot read its external data '${loc}' (${errCode(e)})`);
    }
  }
  return convert(msg, { external: (loc) => files.get(loc) as Uint8Array });
}

// ------------------------------------------------------------------------------------------------
// Encoding
// ------------------------------------------------------------------------------------------------

interface EncodeCtx {
  threshold: number;
  location: string;
  chunks: Uint8Array[];
  size: number;
}

/** External tensors start at multiples of this many bytes in the data file. */
const EXTERNAL_ALIGN = 64;

function tensorBytes(t: OnnxTensor, what: string): Uint8Array | Uint8Array[] {
  const info = DTYPES[t.dataType];
  if (!info) throw new TypeError(`${what}.dataType: unknown data type ${t.dataType}`);
  if (!Array.isArray(t.dims)) throw new TypeError(`${what}.dims: expected an array of integers`);
  const n = t.segment ? Number(t.segment.end ?? 0) - Number(t.segment.begin ?? 0) : numel(t.dims.map((d) => dim(d, `${what}.dims`)));
  const len = dataLength(t.dataType, n);
  if (!info.ctor) {
    if (!Array.isArray(t.data)) throw new TypeError(`${what}.data: a STRING tensor holds an array of Uint8Array`);
    if (t.data.length !== len) throw new RangeError(`${what}.data: holds ${t.data.length} strings, expected ${len}`);
    return t.data;
  }
  if (!(t.data instanceof info.ctor)) throw new TypeError(`${what}.data: expected a ${info.ctor.name} for ${dtypeName(t.dataType)}, got ${(t.data as object)?.constructor?.name ?? typeof t.data}`);
  const d = t.data as Exclude<TensorData, Uint8Array[]>;
  if (d.length !== len) throw new RangeError(`${what}.data: holds ${d.length} values, expected ${len} for ${dtypeName(t.dataType)} [${t.dims.join(', ')}]`);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function tensorToWire(t: OnnxTensor, ctx: EncodeCtx, initializer: boolean, what: string): Msg {
  if (typeof t !== 'object' || t === null) throw new TypeError(`${what}: expected a tensor object`);
  const out: Msg = {};
  if (t.name !== undefined) out.name = t.name;
  out.dims = t.dims;
  out.dataType = t.dataType;
  if (t.segment) {
    const s: Msg = {};
    if (t.segment.begin !== undefined) s.begin = toLong(t.segment.begin, `${what}.segment.begin`);
    if (t.segment.end !== undefined) s.end = toLong(t.segment.end, `${what}.segment.end`);
    out.segment = s;
  }
  const bytes = tensorBytes(t, what);
  if (Array.isArray(bytes)) out.stringData = bytes;
  else if (initializer && bytes.length >= ctx.threshold) {
    const offset = Math.ceil(ctx.size / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    if (offset > ctx.size) ctx.chunks.push(new Uint8Array(offset - ctx.size));
    ctx.chunks.push(bytes);
    ctx.size = offset + bytes.length;
    out.dataLocation = 1;
    out.externalData = [
      { key: 'location', value: ctx.location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.length) },
    ];
  } else out.rawData = bytes;
  if (t.docString !== undefined) out.docString = t.docString;
  if (t.metadataProps?.length) out.metadataProps = t.metadataProps;
  return out;
}

function toWire(type: protobuf.Type, obj: Msg, ctx: EncodeCtx, path: string): Msg {
  if (typeof obj !== 'object' || obj === null) throw new TypeError(`${path}: expected an object, got ${obj === null ? 'null' : typeof obj}`);
  const out: Msg = {};
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated && !Array.isArray(v)) throw new TypeError(`${path}.${f.name}: expected an array`);
    if (f.repeated && (v as unknown[]).length === 0) continue;
    const conv = (x: unknown, i?: number): unknown => {
      const where = i === undefined ? `${path}.${f.name}` : `${path}.${f.name}[${i}]`;
      const rt = f.resolvedType;
      if (rt instanceof protobuf.Type) {
        if (rt.name === 'TensorProto') return tensorToWire(x as OnnxTensor, ctx, type.name === 'GraphProto' && f.name === 'initializer', where);
        return toWire(rt, x as Msg, ctx, where);
      }
      if (INT64_TYPES.has(f.type)) return toLong(x, where);
      return x;
    };
    out[f.name] = f.repeated ? (v as unknown[]).map(conv) : conv(v);
  }
  return out;
}

const TWO_GB = 2 ** 31;

/**
 * Write a model. Without `externalDataThreshold`: the model's bytes. With it: `{ model, data }`,
 * where initializers of at least that many bytes are stored in `data` (to be saved as
 * `location` beside the model file).
 */
export function writeOnnx(model: OnnxModel, options?: Omit<WriteOnnxOptions, 'externalDataThreshold'>): Uint8Array;
export function writeOnnx(model: OnnxModel, options: WriteOnnxOptions & { externalDataThreshold: number }): { model: Uint8Array; data: Uint8Array };
export function writeOnnx(model: OnnxModel, options?: WriteOnnxOptions): Uint8Array | { model: Uint8Array; data: Uint8Array };
export function writeOnnx(model: OnnxModel, options: WriteOnnxOptions = {}): Uint8Array | { model: Uint8Array; data: Uint8Array } {
  const { model: out, chunks, size } = encodeOnnx(model, options);
  if (chunks === undefined) return out;
  const data = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { model: out, data };
}

/** The model's bytes and, with a threshold, its external data as the tensors' own byte views (not joined). */
function encodeOnnx(model: OnnxModel, options: WriteOnnxOptions): { model: Uint8Array; chunks?: Uint8Array[]; size: number } {
  if (typeof model !== 'object' || model === null || typeof model.graph !== 'object' || model.graph === null) {
    throw new TypeError('model: expected an OnnxModel (an object with a graph)');
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  const { externalDataThreshold, location = 'model.onnx.data' } = options;
  if (externalDataThreshold !== undefined && !(typeof externalDataThreshold === 'number' && externalDataThreshold >= 0)) {
    throw new RangeError(`options.externalDataThreshold: expected a number of bytes >= 0, got ${externalDataThreshold}`);
  }
  if (typeof location !== 'string' || location === '') throw new TypeError('options.location: expected a file name');
  checkLocation(location, 'options.location');
  const ctx: EncodeCtx = { threshold: externalDataThreshold ?? Infinity, location, chunks: [], size: 0 };
  const { Model } = types();
  const wire = toWire(Model, model as unknown as Msg, ctx, 'model');
  const writer = Model.encode(wire as unknown as protobuf.Message);
  if (writer.len >= TWO_GB) {
    throw new RangeError(`model: ${writer.len} bytes is over protobuf's 2 GiB limit; give options.externalDataThreshold to store large initializers in external data`);
  }
  const bytes = writer.finish();
  const out = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (externalDataThreshold === undefined) return { model: out, size: 0 };
  return { model: out, chunks: ctx.chunks, size: ctx.size };
}

/**
 * Node, Deno, Bun: write a model to `path` (and its external data beside it when
 * `externalDataThreshold` is given), each through a temporary file renamed into place, so a
 * failure never leaves a partial file.
 */
export async function saveOnnx(model: OnnxModel, path: string, options: WriteOnnxOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a file path');
  const opts = { ...options };
  if (opts.externalDataThreshold !== undefined && opts.location === undefined) opts.location = `${basename(path)}.data`;
  // the external data is written tensor by tensor, never joined in memory (peak memory stays near
  // the models' own size)
  const { model: bytes, chunks } = encodeOnnx(model, opts);
  if (chunks !== undefined) await atomicWrite(join(dirname(path), opts.location as string), chunks);
  await atomicWrite(path, bytes);
}
