/**
 * General matrix product with transposes (BLAS sgemm / ONNX Gemm, row-major):
 * Y = alpha * op(A) op(B) + beta * C. The product is matmul's: each element the sequential f32
 * sum over p = 0 .. k - 1 from +0 (no FMA), computed by matmul's micro-kernel on packed copies of
 * transposed operands, so the bits equal matmul on explicitly transposed inputs.
 * @module
 */
import { checkCount, checkFinite, checkObject } from './runtime/check.js';
import { type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';

/** Options of `gemm`. */
export interface GemmOptions {
  /** A is stored [k x m] (op(A) = A^T). */
  transA?: boolean;
  /** B is stored [n x k] (op(B) = B^T). */
  transB?: boolean;
  /** Default 1 (rounded to f32). */
  alpha?: number;
  /** Default 1 (rounded to f32); 0 means C is not read. */
  beta?: number;
  /** Added as beta * C: m x n, one row of n (broadcast down the rows) or one value. */
  c?: Float32Array | WasmArray<'f32'> | null;
}

/** k blocking of the micro-kernel (assembly/gemm.ts KC): the packed op(A) block is m x KC. */
const KC = 256;

function bool(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${typeName(v)}`);
  return v;
}

/** Y[m x n] = alpha * op(A) op(B) + beta * C. */
export function gemm(rt: Runtime, a: unknown, b: unknown, m: unknown, k: unknown, n: unknown, opts?: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const M = checkCount('m', m, 1);
  const K = checkCount('k', k, 1);
  const N = checkCount('n', n, 1);
  const o = checkObject<GemmOptions>('opts', opts, true);
  const transA = bool('opts.transA', o.transA);
  const transB = bool('opts.transB', o.transB);
  const alpha = o.alpha === undefined ? 1 : checkFinite('opts.alpha', o.alpha);
  const beta = o.beta === undefined ? 1 : checkFinite('opts.beta', o.beta);
  let as: Slot | undefined, bs: Slot | undefined, cs: Slot | undefined, os: ReturnType<Runtime['output']> | undefined;
  let ap = 0, bp = 0;
  try {
    as = rt.input('a', a, ['f32'] as const);
    if (as.length !== M * K) throw new RangeError(`a: expected ${transA ? 'k x m' : 'm x k'} = ${transA ? `${K} x ${M}` : `${M} x ${K}`} = ${M * K} elements, got ${as.length}`);
    bs = rt.input('b', b, ['f32'] as const);
    if (bs.length !== K * N) throw new RangeError(`b: expected ${transB ? 'n x k' : 'k x n'} = ${transB ? `${N} x ${K}` : `${K} x ${N}`} = ${K * N} elements, got ${bs.length}`);
    let cMode = 0;
    if (o.c !== undefined && o.c !== null) {
      cs = rt.input('opts.c', o.c, ['f32'] as const);
      if (cs.length === M * N) cMode = 3;
      else if (cs.length === N) cMode = 2;
      else if (cs.length === 1) cMode = 1;
      else throw new RangeError(`opts.c: expected m x n = ${M * N}, n = ${N} (one row, broadcast) or 1 element, got ${cs.length}`);
    }
    os = rt.output('out', out, 'f32', M * N);
    if (!transA && !transB) {
      (rt.exports.gemm_f32 as (...a: number[]) => void)(as.ptr, bs.ptr, os.ptr, M, K, N);
    } else {
      if (transA && rt.simd) ap = rt.alloc(M * Math.min(K, KC) * 4);
      if (transB && rt.simd) bp = rt.alloc(KC * 8 * 4);
      (rt.exports.gemm_trans_f32 as (...a: number[]) => void)(as.ptr, bs.ptr, os.ptr, M, K, N, transA ? 1 : 0, transB ? 1 : 0, ap, bp);
    }
    (rt.exports.gemm_epilogue_f32 as (...a: number[]) => void)(os.ptr, M, N, alpha, beta, cs?.ptr ?? 0, cMode);
    return rt.finish('f32', os) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(as, bs, cs, os);
    rt.free(ap);
    rt.free(bp);
  }
}
