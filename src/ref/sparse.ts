/**
 * Plain-TS reference of the sparse family, written for clarity from the definitions: a matrix is a
 * list of stored entries (column, value) per row, and every product is the documented f32 sum over
 * them (Math.fround after each multiply and add) (the dense product matmul: gemm.ts):
 * - spmm / sparseLinear: y = +0, then y = y + v * x over the row's entries in column order
 *   (int8: the sum of f32(q) * x, times the row's scale at the end; sparseLinear: then + bias);
 * - spmv on CSR, sparse int8 and N:M: entry t of a row goes to partial sum s[t mod 8];
 *   y = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)) (int8: times the scale); BSR uses the spmm order.
 * Validation reuses the instance's checks so errors match. The oracle of the tests.
 * @module
 */
import { checkCount } from '../runtime/check.js';
import { WasmArray } from '../runtime/runtime.js';
import {
  type Csr, type CsrInt8, type SparseFormat, checkBsr, checkCsr, checkMask, checkNm, nmBits, nmPositions, quantizeCsrRows,
} from '../sparse.js';

const f = Math.fround;

/** A reference "resident" matrix: the stored entries of every row. */
export class RefSparseMatrix {
  readonly format: SparseFormat;
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  /** Stored entries of each row, in increasing column order. */
  readonly cols_: number[][];
  readonly vals: number[][];
  readonly scale: Float32Array | undefined;
  private _bytes: number;
  constructor(format: SparseFormat, rows: number, cols: number, c: number[][], v: number[][], bytes: number, scale?: Float32Array) {
    this.format = format;
    this.rows = rows;
    this.cols = cols;
    this.cols_ = c;
    this.vals = v;
    this.scale = scale;
    this.nnz = v.reduce((s, r) => s + r.length, 0);
    this._bytes = bytes;
  }
  get bytes(): number { return this._bytes; }
  get disposed(): boolean { return this._bytes < 0; }
  dispose(): void { this._bytes = -1; }
  [Symbol.dispose](): void { this.dispose(); }
}

const a16 = (b: number) => (b + 15) & ~15;

function fromCsr(c: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; data: ArrayLike<number> }, format: SparseFormat, scale?: Float32Array): RefSparseMatrix {
  const cs: number[][] = [], vs: number[][] = [];
  for (let i = 0; i < c.rows; i++) {
    cs.push([]); vs.push([]);
    for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) { cs[i].push(c.indices[p]); vs[i].push(c.data[p]); }
  }
  const nnz = c.indices.length, q8 = format === 'csr-int8';
  const bytes = a16(a16(a16(4 * (c.rows + 1)) + nnz * (c.cols <= 65536 ? 2 : 4)) + nnz * (q8 ? 1 : 4)) + (q8 ? 4 * c.rows : 0);
  return new RefSparseMatrix(format, c.rows, c.cols, cs, vs, Math.max(bytes, 16), scale);
}

function matrixOf(name: string, a: unknown): RefSparseMatrix {
  if (a instanceof RefSparseMatrix) {
    if (a.disposed) throw new TypeError(`${name}: this sparse matrix was disposed`);
    return a;
  }
  return fromCsr(checkCsr(name, a), 'csr');
}

function dense(name: string, w: unknown, rows: number, cols: number): Float32Array {
  const v = w instanceof WasmArray ? (w.view as Float32Array) : w;
  if (!(v instanceof Float32Array)) throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>`);
  if (v.length !== rows * cols) throw new RangeError(`${name}: expected rows x cols = ${rows * cols} elements, got ${v.length}`);
  return v;
}

function vec(name: string, x: unknown): Float32Array {
  const v = x instanceof WasmArray ? (x.view as Float32Array) : x;
  if (!(v instanceof Float32Array)) throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>`);
  return v;
}

export function csr(a: Csr): Csr {
  const c = checkCsr<Float32Array>('a', a);
  return { rows: c.rows, cols: c.cols, indptr: c.indptr, indices: c.indices, data: c.data };
}

/** scipy.sparse.csr_matrix(dense): row by row, the columns where w != 0 (or mask != 0). */
export function csrFromDense(w: Float32Array, rows: number, cols: number, mask?: Uint8Array): Csr {
  checkCount('rows', rows); checkCount('cols', cols);
  const v = dense('w', w, rows, cols);
  mask = checkMask(mask, rows * cols);
  const indptr = [0], indices: number[] = [], data: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const e = i * cols + j;
      if (mask ? mask[e] !== 0 : v[e] !== 0) { indices.push(j); data.push(v[e]); }
    }
    indptr.push(indices.length);
  }
  return { rows, cols, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), data: Float32Array.from(data) };
}

export function csrToDense(a: Csr): Float32Array {
  const c = checkCsr('a', a);
  const out = new Float32Array(c.rows * c.cols);
  for (let i = 0; i < c.rows; i++) for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) out[i * c.cols + c.indices[p]] = c.data[p];
  return out;
}

export function sparseMatrix(a: Csr): RefSparseMatrix {
  return fromCsr(checkCsr('a', a), 'csr');
}

export function sparseInt8Matrix(a: Csr | CsrInt8): RefSparseMatrix {
  if (a && (a as CsrInt8).data instanceof Int8Array) {
    const c = checkCsr('a', a, Int8Array);
    const s = (a as CsrInt8).scale;
    if (!(s instanceof Float32Array)) throw new TypeError('a.scale: expected Float32Array');
    if (s.length !== c.rows) throw new RangeError(`a.scale: expected one scale per row (${c.rows}), got ${s.length}`);
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) throw new RangeError(`a.scale: scale ${i} is ${s[i]}, expected a finite number`);
    return fromCsr(c, 'csr-int8', s.slice());
  }
  const q = quantizeCsrRows(checkCsr('a', a));
  return fromCsr(q, 'csr-int8', q.scale);
}

export function nmMatrix(w: Float32Array, rows: number, cols: number, opts: { n: number; m: number }): RefSparseMatrix {
  checkCount('rows', rows); checkCount('cols', cols);
  const v = dense('w', w, rows, cols);
  const { n, m } = checkNm(v, rows, cols, opts);
  const cs: number[][] = [], vs: number[][] = [];
  for (let i = 0; i < rows; i++) {
    cs.push([]); vs.push([]);
    for (let g = 0; g < cols / m; g++) {
      for (const pos of nmPositions(v, i * cols + g * m, n, m)) { cs[i].push(g * m + pos); vs[i].push(v[i * cols + g * m + pos]); }
    }
  }
  const per = (cols / m) * n;
  return new RefSparseMatrix('nm', rows, cols, cs, vs, Math.max(a16(4 * rows * per) + rows * Math.ceil((per * nmBits(m)) / 8), 16));
}

export function bsrMatrix(w: Float32Array, rows: number, cols: number, opts: { block: [number, number] }): RefSparseMatrix {
  checkCount('rows', rows); checkCount('cols', cols);
  const v = dense('w', w, rows, cols);
  const [bh, bw] = checkBsr(rows, cols, opts);
  const cs: number[][] = Array.from({ length: rows }, () => []), vs: number[][] = Array.from({ length: rows }, () => []);
  let nb = 0;
  for (let R = 0; R < rows / bh; R++) {
    for (let C = 0; C < cols / bw; C++) {
      let any = false;
      for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) if (v[(R * bh + y) * cols + C * bw + x] !== 0) any = true;
      if (!any) continue;
      nb++;
      for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) { cs[R * bh + y].push(C * bw + x); vs[R * bh + y].push(v[(R * bh + y) * cols + C * bw + x]); }
    }
  }
  const bytes = a16(a16(4 * (rows / bh + 1)) + nb * (cols / bw <= 65536 ? 2 : 4)) + 4 * nb * bh * bw;
  return new RefSparseMatrix('bsr', rows, cols, cs, vs, Math.max(bytes, 16));
}

/** Sequential sum over row i's entries of v * x[col * stride + off] (the spmm order). */
function rowSum(A: RefSparseMatrix, i: number, x: ArrayLike<number>, stride: number, off: number): number {
  let s = 0;
  const c = A.cols_[i], v = A.vals[i];
  for (let t = 0; t < c.length; t++) s = f(s + f(v[t] * x[c[t] * stride + off]));
  return A.scale ? f(s * A.scale[i]) : s;
}

export function spmv(a: unknown, x: Float32Array, out?: Float32Array): Float32Array {
  const A = matrixOf('a', a);
  const xv = vec('x', x);
  if (xv.length !== A.cols) throw new RangeError(`x: expected ${A.cols} elements (the matrix's cols), got ${xv.length}`);
  const y = out ?? new Float32Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    if (A.format === 'bsr') { y[i] = rowSum(A, i, xv, 1, 0); continue; }
    const s = [0, 0, 0, 0, 0, 0, 0, 0];
    const c = A.cols_[i], v = A.vals[i];
    for (let t = 0; t < c.length; t++) s[t % 8] = f(s[t % 8] + f(v[t] * xv[c[t]]));
    let r = f(f(f(s[0] + s[4]) + f(s[1] + s[5])) + f(f(s[2] + s[6]) + f(s[3] + s[7])));
    if (A.scale) r = f(r * A.scale[i]);
    y[i] = r;
  }
  return y;
}

export function spmm(a: unknown, x: Float32Array, n: number, out?: Float32Array): Float32Array {
  checkCount('n', n, 1);
  const A = matrixOf('a', a);
  const xv = vec('x', x);
  if (xv.length !== A.cols * n) throw new RangeError(`x: expected cols x n = ${A.cols} x ${n} = ${A.cols * n} elements, got ${xv.length}`);
  const y = out ?? new Float32Array(A.rows * n);
  for (let i = 0; i < A.rows; i++) for (let c = 0; c < n; c++) y[i * n + c] = rowSum(A, i, xv, n, c);
  return y;
}

/** torch.nn.functional.linear(x, W, bias) with W sparse: Y[b, o] = sum_j W[o, j] x[b, j] (+ bias[o]). */
export function sparseLinear(x: Float32Array, batch: number, w: unknown, bias?: Float32Array, out?: Float32Array): Float32Array {
  checkCount('batch', batch, 1);
  const A = matrixOf('w', w);
  const xv = vec('x', x);
  if (xv.length !== batch * A.cols) throw new RangeError(`x: expected batch x in = ${batch} x ${A.cols} = ${batch * A.cols} elements, got ${xv.length}`);
  const bv = bias === undefined ? undefined : vec('bias', bias);
  if (bv && bv.length !== A.rows) throw new RangeError(`bias: expected ${A.rows} elements (the rows of w), got ${bv.length}`);
  const y = out ?? new Float32Array(batch * A.rows);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < A.rows; o++) {
      const s = rowSum(A, o, xv.subarray(b * A.cols), 1, 0);
      y[b * A.rows + o] = bv ? f(s + bv[o]) : s;
    }
  }
  return y;
}
