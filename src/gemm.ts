/**
 * Dense f32 matrix product C[m x n] = A[m x k] B[k x n] (row-major): the baseline every sparse
 * product must beat and the fallback at low sparsity. Each C[i, j] is the sequential f32 sum over
 * p = 0..k-1 of A[i, p] * B[p, j], starting at +0 (no FMA); both builds give the same bits.
 * @module
 */
import { checkCount } from './runtime/check.js';
import type { Runtime, Slot, WasmArray } from './runtime/runtime.js';

/** C = A B. `a` [m x k], `b` [k x n], `out` [m x n]; typed arrays are copied in, WasmArrays used in place. */
export function matmul(rt: Runtime, a: unknown, b: unknown, m: unknown, k: unknown, n: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const M = checkCount('m', m, 1);
  const K = checkCount('k', k, 1);
  const N = checkCount('n', n, 1);
  let as: Slot | undefined, bs: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    as = rt.input('a', a, ['f32'] as const);
    if (as.length !== M * K) throw new RangeError(`a: expected m x k = ${M} x ${K} = ${M * K} elements, got ${as.length}`);
    bs = rt.input('b', b, ['f32'] as const);
    if (bs.length !== K * N) throw new RangeError(`b: expected k x n = ${K} x ${N} = ${K * N} elements, got ${bs.length}`);
    o = rt.output('out', out, 'f32', M * N);
    (rt.exports.gemm_f32 as (...args: number[]) => void)(as.ptr, bs.ptr, o.ptr, M, K, N);
    return rt.finish('f32', o) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(as, bs, o);
  }
}
