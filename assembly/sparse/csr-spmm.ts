/**
 * CSR spmm: Y[rows x n] = A X for a CSR A (f32 values, or int8 values with a per-row f32 scale),
 * X [cols x n] row-major.
 *
 * Accumulation order (both builds, no FMA): every Y[i, c] starts at +0 and adds v * X[j, c] over
 * the stored entries (j, v) of row i in increasing column order, one f32 multiply then one add.
 * The SIMD path vectorises across c and keeps up to 24 columns of one output row in registers;
 * the scalar path adds row by row (axpy), which is the same sequence of operations for every
 * element. Sparse int8: the sum uses f32(q) as v and is multiplied once by the row's scale at the
 * end. The row kernel (csrRow) also runs the N:M spmm over decoded byte offsets.
 * @module
 */
import { SPARSE_IDX_OFF16 } from '../consts';
import { colAt, splatVal, valAt } from './shared';

// V vectors (1 to 8: 4 to 32 columns) of one output row, over the row's nonzeros [p0, p1).
@inline function csrTile(V: i32, p0: usize, p1: usize, indices: usize, idx16: bool, values: usize, q8: bool,
  xj: usize, ldx: usize, yp: usize, scale: f32, pre: bool, first: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  if (!first) {
    // continue the sums stored by an earlier block of this row's entries (exact: f32 in memory)
    a0 = v128.load(yp);
    if (V > 1) a1 = v128.load(yp, 16);
    if (V > 2) a2 = v128.load(yp, 32);
    if (V > 3) a3 = v128.load(yp, 48);
    if (V > 4) a4 = v128.load(yp, 64);
    if (V > 5) a5 = v128.load(yp, 80);
    if (V > 6) a6 = v128.load(yp, 96);
    if (V > 7) a7 = v128.load(yp, 112);
  }
  for (let p = p0; p < p1; p++) {
    const v = splatVal(values, p, q8);
    const xp = xj + (pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) * ldx);
    a0 = f32x4.add(a0, f32x4.mul(v, v128.load(xp, 0)));
    if (V > 1) a1 = f32x4.add(a1, f32x4.mul(v, v128.load(xp, 16)));
    if (V > 2) a2 = f32x4.add(a2, f32x4.mul(v, v128.load(xp, 32)));
    if (V > 3) a3 = f32x4.add(a3, f32x4.mul(v, v128.load(xp, 48)));
    if (V > 4) a4 = f32x4.add(a4, f32x4.mul(v, v128.load(xp, 64)));
    if (V > 5) a5 = f32x4.add(a5, f32x4.mul(v, v128.load(xp, 80)));
    if (V > 6) a6 = f32x4.add(a6, f32x4.mul(v, v128.load(xp, 96)));
    if (V > 7) a7 = f32x4.add(a7, f32x4.mul(v, v128.load(xp, 112)));
  }
  if (q8) {
    const s = f32x4.splat(scale);
    a0 = f32x4.mul(a0, s); a1 = f32x4.mul(a1, s); a2 = f32x4.mul(a2, s); a3 = f32x4.mul(a3, s);
    a4 = f32x4.mul(a4, s); a5 = f32x4.mul(a5, s); a6 = f32x4.mul(a6, s); a7 = f32x4.mul(a7, s);
  }
  v128.store(yp, a0, 0);
  if (V > 1) v128.store(yp, a1, 16);
  if (V > 2) v128.store(yp, a2, 32);
  if (V > 3) v128.store(yp, a3, 48);
  if (V > 4) v128.store(yp, a4, 64);
  if (V > 5) v128.store(yp, a5, 80);
  if (V > 6) v128.store(yp, a6, 96);
  if (V > 7) v128.store(yp, a7, 112);
}

// Column tile of the CSR row kernel: 6 vectors (24 columns). With 8, V8 hoists the 8 X loads above
// the multiplies and spills accumulators to the stack (2:4 spmm 67 -> 45 ms going to 4, CSR 90%
// 12.3 -> 10.5 ms; 6 measured a further 3-10% faster than 4, 7 no better than 6).
const TILE_V: i32 = 6;

/**
 * One output row: the nonzeros [p0, p1) of `values` / `indices`; with `pre`, indices are u32 byte
 * offsets into X (already multiplied by the row stride) instead of columns.
 */
@inline export function csrRow(p0: usize, p1: usize, indices: usize, idx16: bool, values: usize, q8: bool, s: f32, pre: bool,
  x: usize, n: i32, yr: usize, first: bool = true, imul: usize = 0): void {
  // bytes of X per unit of a stored index: the row stride for column indices, n for byte offsets
  const ldx = imul != 0 ? imul : <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + TILE_V * 4 <= n; j += TILE_V * 4) csrTile(TILE_V, p0, p1, indices, idx16, values, q8, x + (<usize>j << 2), ldx, yr + (<usize>j << 2), s, pre, first);
    if (j + 16 <= n) { csrTile(4, p0, p1, indices, idx16, values, q8, x + (<usize>j << 2), ldx, yr + (<usize>j << 2), s, pre, first); j += 16; }
    if (j + 8 <= n) { csrTile(2, p0, p1, indices, idx16, values, q8, x + (<usize>j << 2), ldx, yr + (<usize>j << 2), s, pre, first); j += 8; }
    if (j + 4 <= n) { csrTile(1, p0, p1, indices, idx16, values, q8, x + (<usize>j << 2), ldx, yr + (<usize>j << 2), s, pre, first); j += 4; }
  }
  if (j < n) {
    // Remaining columns [j, n): row axpy, y[c] = y[c] + v * x[col, c] in nonzero order.
    const yj = yr + (<usize>j << 2);
    const w = <usize>(n - j) << 2;
    if (first) memory.fill(yj, 0, w);
    const xj = x + (<usize>j << 2);
    for (let p = p0; p < p1; p++) {
      const v = valAt(values, p, q8);
      const xp = xj + (pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) * ldx);
      for (let o: usize = 0; o < w; o += 4) store<f32>(yj + o, load<f32>(yj + o) + v * load<f32>(xp + o));
    }
    if (q8) for (let o: usize = 0; o < w; o += 4) store<f32>(yj + o, load<f32>(yj + o) * s);
  }
}

@inline export function csrSpmm(rows: i32, indptr: usize, indices: usize, idx16: bool, values: usize, q8: bool, scale: usize,
  x: usize, n: i32, y: usize, imul: usize): void {
  const ldx = <usize>n << 2;
  for (let i = 0; i < rows; i++) {
    const p0 = <usize>load<i32>(indptr + (<usize>i << 2));
    const p1 = <usize>load<i32>(indptr + (<usize>i << 2), 4);
    const s: f32 = q8 ? load<f32>(scale + (<usize>i << 2)) : 1;
    csrRow(p0, p1, indices, idx16, values, q8, s, false, x, n, y + <usize>i * ldx, true, imul);
  }
}

/** Y[rows x n] = A X for a CSR A (f32 values), X [cols x n] row-major. */
export function sparse_csr_spmm_f32(rows: i32, indptr: usize, indices: usize, idx16: i32, values: usize, x: usize, n: i32, y: usize): void {
  const imul: usize = idx16 == SPARSE_IDX_OFF16 ? <usize>n : <usize>n << 2;
  if (idx16 != 0) csrSpmm(rows, indptr, indices, true, values, false, 0, x, n, y, imul);
  else csrSpmm(rows, indptr, indices, false, values, false, 0, x, n, y, imul);
}

/** Y[rows x n] = diag(scale) (Q X) for a CSR Q with int8 values. */
export function sparse_csrq8_spmm_f32(rows: i32, indptr: usize, indices: usize, idx16: i32, values: usize, scale: usize, x: usize, n: i32, y: usize): void {
  const imul: usize = idx16 == SPARSE_IDX_OFF16 ? <usize>n : <usize>n << 2;
  if (idx16 != 0) csrSpmm(rows, indptr, indices, true, values, true, scale, x, n, y, imul);
  else csrSpmm(rows, indptr, indices, false, values, true, scale, x, n, y, imul);
}
