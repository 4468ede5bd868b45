/**
 * compressionReport: what compression did to each weight (storage, bytes, sparsity, the SQNR of
 * the stored weight against the original) and to the file (raw and gzipped bytes).
 * @module
 */
import { type OnnxModel, type OnnxTensor, writeOnnx } from './onnx.js';
import { dtypeName } from './onnx-types.js';
import { attrInt, floatData, weightSlot } from './graph.js';

/** One weight of a compression report. */
export interface WeightReport {
  name: string;
  /** Op type of the first node that reads it in the original model. */
  op: string;
  shape: number[];
  dtypeBefore: string;
  /** 'FLOAT', 'INT8', 'UINT8', 'INT4 (MatMulNBits)', or 'removed'. */
  dtypeAfter: string;
  bytesBefore: number;
  /** Bytes of everything that stores it now (values, scales, zero points). */
  bytesAfter: number;
  /** Fraction of zeros in the stored weight. */
  sparsity: number;
  /** 10 log10(sum w^2 / sum (w - stored)^2) in dB; Infinity when exact. */
  sqnrDb: number;
}

/** A compression report. */
export interface CompressionReport {
  weights: WeightReport[];
  file: { rawBefore: number; rawAfter: number; gzipBefore: number; gzipAfter: number };
}

/** gzip size of bytes (CompressionStream: Node 18+, Deno, Bun, browsers). */
async function gzipSize(b: Uint8Array): Promise<number> {
  const s = new Blob([b as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(s).arrayBuffer()).byteLength;
}

function sqnr(x: Float32Array, y: ArrayLike<number>): number {
  let ss = 0, se = 0;
  for (let i = 0; i < x.length; i++) {
    ss += x[i] * x[i];
    const d = x[i] - y[i];
    se += d * d;
  }
  return se === 0 ? Infinity : 10 * Math.log10(ss / se);
}

function zeros(y: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 0) z++;
  return y.length ? z / y.length : 0;
}

const bytes = (...ts: (OnnxTensor | undefined)[]) => ts.reduce((a, t) => a + (t && !Array.isArray(t.data) ? t.data.byteLength : 0), 0);

/** Compare a model before and after quantizeOnnx / pruneOnnx. */
export async function compressionReport(before: OnnxModel, after: OnnxModel): Promise<CompressionReport> {
  for (const [k, m] of [['before', before], ['after', after]] as const) if (typeof m !== 'object' || m === null || typeof m.graph !== 'object') throw new TypeError(`${k}: expected an OnnxModel`);
  const bInit = new Map(before.graph.initializer.map((t) => [t.name ?? '', t]));
  const aInit = new Map(after.graph.initializer.map((t) => [t.name ?? '', t]));
  const seen = new Set<string>();
  const weights: WeightReport[] = [];
  for (const node of before.graph.node) {
    const slot = weightSlot(node);
    const t = slot ? bInit.get(node.input[slot.input]) : undefined;
    const x = t && floatData(t);
    if (!t || !x || seen.has(t.name as string)) continue;
    seen.add(t.name as string);
    const name = t.name as string;
    const base = { name, op: node.opType, shape: t.dims.slice(), dtypeBefore: dtypeName(t.dataType), bytesBefore: x.byteLength };
    const same = aInit.get(name);
    const q8 = aInit.get(`${name}_quantized`), q4 = aInit.get(`${name}_Q4`);
    let y: Float32Array | undefined, dtypeAfter = 'removed', bytesAfter = 0;
    if (same && floatData(same) && same.data.length === x.length) {
      y = floatData(same) as Float32Array;
      dtypeAfter = 'FLOAT';
      bytesAfter = bytes(same);
    } else if (q8) {
      const s = aInit.get(`${name}_scale`), z = aInit.get(`${name}_zero_point`);
      const sc = s && floatData(s);
      if (sc) {
        const dq = after.graph.node.find((n) => n.opType === 'DequantizeLinear' && n.input[0] === q8.name);
        const axis = sc.length === 1 ? -1 : dq ? Number(dq.attribute.find((a) => a.name === 'axis')?.i ?? 1) : q8.dims.length - 1;
        const C = axis < 0 ? 1 : q8.dims[axis];
        const inner = axis < 0 ? q8.data.length : q8.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
        const qd = q8.data as Int8Array | Uint8Array, zd = (z?.data ?? new Int8Array(C)) as Int8Array | Uint8Array;
        const deq = new Float32Array(qd.length);
        for (let i = 0; i < qd.length; i++) {
          const c = axis < 0 ? 0 : Math.floor(i / inner) % C;
          deq[i] = Math.fround((qd[i] - (zd[c] ?? 0)) * sc[c]);
        }
        // a Gemm with transB = 1 rewritten to MatMul (dynamic-int8) stores the transpose of the original
        const transposed = !dq && node.opType === 'Gemm' && attrInt(node, 'transB', 0) !== 0;
        y = transposed ? transpose(deq, q8.dims[0], q8.dims[1]) : deq;
        dtypeAfter = dtypeName(q8.dataType);
        bytesAfter = bytes(q8, s, z);
      }
    } else if (q4) {
      const s = aInit.get(`${name}_scales`), z = aInit.get(`${name}_zero_points`);
      const [K, N] = t.dims;
      const [, KB, half] = q4.dims;
      const bs = half * 2;
      const sc = floatData(s as OnnxTensor) as Float32Array;
      const pk = q4.data as Uint8Array, zp = z?.data as Uint8Array | undefined;
      y = new Float32Array(K * N);
      for (let j = 0; j < N; j++) {
        for (let k = 0; k < K; k++) {
          const b = Math.floor(k / bs);
          const q = (pk[j * KB * half + (k >> 1)] >> ((k & 1) * 4)) & 15;
          const zz = zp ? (zp[j * Math.ceil(KB / 2) + (b >> 1)] >> ((b & 1) * 4)) & 15 : 8;
          y[k * N + j] = Math.fround((q - zz) * sc[j * KB + b]);
        }
      }
      dtypeAfter = 'INT4 (MatMulNBits)';
      bytesAfter = bytes(q4, s, z);
    }
    weights.push({ ...base, dtypeAfter, bytesAfter, sparsity: y ? zeros(y) : 0, sqnrDb: y ? sqnr(x, y) : 0 });
  }
  const rb = writeOnnx(before), ra = writeOnnx(after);
  return { weights, file: { rawBefore: rb.length, rawAfter: ra.length, gzipBefore: await gzipSize(rb), gzipAfter: await gzipSize(ra) } };
}

function transpose(a: Float32Array, r: number, c: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}
