// A tiny ONNX model writer: hand-encoded protobuf for a ModelProto holding one node, its graph
// inputs / outputs and constant initializers, and the opset imports. Enough to run one operator
// in ONNX Runtime (Web or Node) as a peer or an oracle. Field numbers from onnx/onnx.proto.

export const DT = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 };

class Writer {
  constructor() { this.bytes = []; }
  varint(v) {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.bytes.push(b);
    } while (x);
    return this;
  }
  tag(field, wire) { return this.varint((field << 3) | wire); }
  int(field, v) { return this.tag(field, 0).varint(v); }
  float(field, v) {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(...b);
    return this;
  }
  bytesField(field, data) {
    this.tag(field, 2).varint(data.length);
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]);
    return this;
  }
  string(field, s) { return this.bytesField(field, new TextEncoder().encode(s)); }
  message(field, w) { return this.bytesField(field, w.finish()); }
  finish() { return Uint8Array.from(this.bytes); }
}

function tensorType(elemType, shape) {
  const dims = new Writer();
  for (const d of shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d); else dim.string(2, d);
    dims.message(1, dim);
  }
  const tt = new Writer().int(1, elemType).message(2, dims);
  return new Writer().message(1, tt);
}

function valueInfo(name, elemType, shape) {
  return new Writer().string(1, name).message(2, tensorType(elemType, shape));
}

/** A TensorProto with raw little-endian data. */
function tensor(name, elemType, dims, data) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, elemType).string(8, name);
  const raw = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return w.bytesField(9, raw);
}

function attribute(name, v) {
  const w = new Writer().string(1, name);
  if (Number.isInteger(v)) w.int(3, v).int(20, 2); // INT
  else if (typeof v === 'number') w.float(2, v).int(20, 1); // FLOAT
  else if (Array.isArray(v)) { for (const x of v) w.int(8, x); w.int(20, 7); } // INTS
  else throw new TypeError(`attribute ${name}: unsupported value`);
  return w;
}

/**
 * One-node model. inputs / outputs: [{ name, type, shape }]; initializers: [{ name, type, dims, data }];
 * node: { op, inputs: [names], outputs: [names], domain?, attributes? }; opsets: [{ domain, version }].
 */
export function oneNodeModel({ node, inputs, outputs, initializers = [], opsets = [{ domain: '', version: 21 }], irVersion = 10 }) {
  const g = new Writer();
  const n = new Writer();
  for (const i of node.inputs) n.string(1, i);
  for (const o of node.outputs) n.string(2, o);
  n.string(3, 'node0').string(4, node.op);
  for (const [k, v] of Object.entries(node.attributes ?? {})) n.message(5, attribute(k, v));
  if (node.domain) n.string(7, node.domain);
  g.message(1, n).string(2, 'g');
  for (const t of initializers) g.message(5, tensor(t.name, DT[t.type], t.dims, t.data));
  for (const i of inputs) g.message(11, valueInfo(i.name, DT[i.type], i.shape));
  for (const o of outputs) g.message(12, valueInfo(o.name, DT[o.type], o.shape));
  const m = new Writer().int(1, irVersion).string(2, 'sparq-bench');
  for (const o of opsets) m.message(8, new Writer().string(1, o.domain).int(2, o.version));
  m.message(7, g);
  return m.finish();
}
