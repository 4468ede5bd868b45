/**
 * Plain-TS reference of the gemm family. `matmul`: C = A B (numpy.matmul in float32), each C[i, j]
 * the sequential sum over p = 0 .. k - 1 from +0, one f32 multiply and one f32 add a step.
 * `gemm`, from the ONNX Gemm definition (Y = alpha * A' * B' + beta * C, A' = transpose(A) if
 * transA, B' likewise, C broadcast to [M, N]) with BLAS's rule that beta = 0 does not read C, in
 * float32: each product element is matmul's sum, then t = alpha * acc (skipped when alpha = 1) and
 * t + beta * c (skipped when beta = 0 or there is no C).
 * @module
 */
import { checkCount } from '../runtime/check.js';
import { WasmArray } from '../runtime/runtime.js';

const f = Math.fround;

/** The Float32Array of a typed array or WasmArray<f32> argument. */
function vec(name: string, x: unknown): Float32Array {
  const v = x instanceof WasmArray ? (x.view as Float32Array) : x;
  if (!(v instanceof Float32Array)) throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>`);
  return v;
}

/** C = A B, each C[i, j] the sequential f32 sum over p of A[i, p] * B[p, j] from +0. */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out?: Float32Array): Float32Array {
  checkCount('m', m, 1); checkCount('k', k, 1); checkCount('n', n, 1);
  const av = vec('a', a), bv = vec('b', b);
  if (av.length !== m * k) throw new RangeError(`a: expected m x k = ${m} x ${k} = ${m * k} elements, got ${av.length}`);
  if (bv.length !== k * n) throw new RangeError(`b: expected k x n = ${k} x ${n} = ${k * n} elements, got ${bv.length}`);
  const c = out ?? new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f(s + f(av[i * k + p] * bv[p * n + j]));
      c[i * n + j] = s;
    }
  }
  return c;
}

export interface RefGemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  c?: Float32Array | null;
}

export function gemm(a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: RefGemmOptions = {}, out?: Float32Array): Float32Array {
  checkCount('m', m, 1);
  checkCount('k', k, 1);
  checkCount('n', n, 1);
  if (!(a instanceof Float32Array) || a.length !== m * k) throw new RangeError(`a: expected ${m * k} elements`);
  if (!(b instanceof Float32Array) || b.length !== k * n) throw new RangeError(`b: expected ${k * n} elements`);
  const alpha = f(opts.alpha ?? 1), beta = f(opts.beta ?? 1);
  const c = opts.c ?? null;
  if (c && c.length !== m * n && c.length !== n && c.length !== 1) throw new RangeError('opts.c: expected m x n, n or 1 elements');
  // op(A)[i, p] and op(B)[p, j] read from the stored layouts
  const A = (i: number, p: number) => (opts.transA ? a[p * m + i] : a[i * k + p]);
  const B = (p: number, j: number) => (opts.transB ? b[j * k + p] : b[p * n + j]);
  const C = (i: number, j: number) => (c!.length === m * n ? c![i * n + j] : c!.length === n ? c![j] : c![0]);
  const y = out ?? new Float32Array(m * n);
  if (y.length !== m * n) throw new RangeError(`out: expected length ${m * n}`);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = f(acc + f(A(i, p) * B(p, j)));
      if (alpha !== 1) acc = f(alpha * acc);
      if (c && beta !== 0) acc = f(acc + f(beta * C(i, j)));
      y[i * n + j] = acc;
    }
  }
  return y;
}
