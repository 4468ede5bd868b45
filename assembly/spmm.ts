/**
 * Sparse x dense products: CSR (f32 values, or int8 values with a per-row f32 scale), N:M and
 * block-sparse (BSR) matrices times a dense row-major X.
 *
 * Accumulation orders (both builds, no FMA):
 * - spmm (Y[rows x n] = A X, X [cols x n]): every Y[i, c] starts at +0 and adds v * X[j, c] over
 *   the stored entries (j, v) of row i in increasing column order, one f32 multiply then one add.
 *   The SIMD path vectorises across c and keeps up to 24 columns of one output row in registers
 *   (BSR: 4 rows x 8 columns, sharing each X load); the scalar path adds row by row (axpy), which
 *   is the same sequence of operations for every element. Sparse int8: the sum uses f32(q) as v
 *   and is multiplied once by the row's scale at the end.
 * - spmv on CSR / sparse int8 (y = A x): the row's stored entries are dealt round-robin into 8
 *   partial sums (entry t of the row goes to s[t mod 8], each a sequential sum from +0), then
 *   y = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)). Eight chains hide the add latency.
 *   N:M spmv likewise (over its stored values, padding zeros included); BSR spmv uses the spmm
 *   order with n = 1.
 * CSR column indices are i32 (idx16 = 0), u16 (idx16 = 1) or, when cols <= 16384, u16 byte offsets
 * col * 4 (idx16 = 2: spmv copies x to a fixed address and gathers with no address arithmetic);
 * the caller has checked every index.
 * @module
 */
import { SPARSE_IDX_OFF16 } from './consts';

// ---------------------------------------------------------------------------------------------
// CSR spmm
// ---------------------------------------------------------------------------------------------

@inline function colAt(indices: usize, p: usize, idx16: bool): usize {
  return idx16 ? <usize>load<u16>(indices + (p << 1)) : <usize>load<i32>(indices + (p << 2));
}

@inline function valAt(values: usize, p: usize, q8: bool): f32 {
  return q8 ? <f32>load<i8>(values + p) : load<f32>(values + (p << 2));
}

@inline function splatVal(values: usize, p: usize, q8: bool): v128 {
  return q8 ? f32x4.splat(<f32>load<i8>(values + p)) : v128.load32_splat(values + (p << 2));
}

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
@inline function csrRow(p0: usize, p1: usize, indices: usize, idx16: bool, values: usize, q8: bool, s: f32, pre: bool,
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

@inline function csrSpmm(rows: i32, indptr: usize, indices: usize, idx16: bool, values: usize, q8: bool, scale: usize,
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

// ---------------------------------------------------------------------------------------------
// CSR spmv: 8 round-robin partial sums per row (the same scalar code in both builds).
// ---------------------------------------------------------------------------------------------

@inline function xAt(x: usize, indices: usize, p: usize, idx16: bool, pre: bool): f32 {
  return load<f32>(x + (pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) << 2));
}

/** Byte offset into x of entry p's column. */
@inline function xOff(indices: usize, p: usize, idx16: bool, pre: bool): usize {
  return pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) << 2;
}

/** x gathered at the 4 entries p .. p + 3 (lane k: entry p + k). */
@inline function gather4(p: usize, indices: usize, idx16: bool, pre: bool, x: usize): v128 {
  let xv = v128.load32_zero(x + xOff(indices, p, idx16, pre));
  xv = v128.load32_lane(x + xOff(indices, p + 1, idx16, pre), xv, 1);
  xv = v128.load32_lane(x + xOff(indices, p + 2, idx16, pre), xv, 2);
  return v128.load32_lane(x + xOff(indices, p + 3, idx16, pre), xv, 3);
}

/** One row's dot product over [p0, p1) in the spmv order; the result (unscaled) is stored at yp. */
@inline function rowSpmv8(p0: usize, p1: usize, indices: usize, idx16: bool, values: usize, q8: bool, pre: bool, x: usize, yp: usize): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  let p = p0;
  if (ASC_FEATURE_SIMD) {
    // The same 8 partial sums as two vectors: lanes of a are s0..s3, lanes of b are s4..s7; one
    // lane-wise multiply then add per entry, exactly the scalar operations below.
    let a = f32x4.splat(0), b = a;
    // Indices are read through a pointer with constant offsets, which V8 folds into the loads
    // (f32 0.56 -> 0.53 ms, int8 0.53 -> 0.47 ms at 90%, against index arithmetic per entry).
    let ip = indices + (pre || !idx16 ? p << 2 : p << 1);
    const istep: usize = pre || !idx16 ? 64 : 32;
    for (; p + 16 <= p1; p += 16) {
      let v0: v128, v1: v128, v2: v128, v3: v128;
      if (q8) {
        const w = v128.load(values + p); // 16 int8
        const lo = i16x8.extend_low_i8x16_s(w), hi = i16x8.extend_high_i8x16_s(w);
        v0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo));
        v1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo));
        v2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi));
        v3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi));
      } else {
        v0 = v128.load(values + (p << 2));
        v1 = v128.load(values + (p << 2), 16);
        v2 = v128.load(values + (p << 2), 32);
        v3 = v128.load(values + (p << 2), 48);
      }
      let g0 = v128.load32_zero(x + (pre ? <usize>load<u32>(ip, 0) : idx16 ? <usize>load<u16>(ip, 0) << 2 : <usize>load<i32>(ip, 0) << 2));
      let g1 = v128.load32_zero(x + (pre ? <usize>load<u32>(ip, 16) : idx16 ? <usize>load<u16>(ip, 8) << 2 : <usize>load<i32>(ip, 16) << 2));
      let g2 = v128.load32_zero(x + (pre ? <usize>load<u32>(ip, 32) : idx16 ? <usize>load<u16>(ip, 16) << 2 : <usize>load<i32>(ip, 32) << 2));
      let g3 = v128.load32_zero(x + (pre ? <usize>load<u32>(ip, 48) : idx16 ? <usize>load<u16>(ip, 24) << 2 : <usize>load<i32>(ip, 48) << 2));
      g0 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 4) : idx16 ? <usize>load<u16>(ip, 2) << 2 : <usize>load<i32>(ip, 4) << 2), g0, 1);
      g1 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 20) : idx16 ? <usize>load<u16>(ip, 10) << 2 : <usize>load<i32>(ip, 20) << 2), g1, 1);
      g2 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 36) : idx16 ? <usize>load<u16>(ip, 18) << 2 : <usize>load<i32>(ip, 36) << 2), g2, 1);
      g3 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 52) : idx16 ? <usize>load<u16>(ip, 26) << 2 : <usize>load<i32>(ip, 52) << 2), g3, 1);
      g0 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 8) : idx16 ? <usize>load<u16>(ip, 4) << 2 : <usize>load<i32>(ip, 8) << 2), g0, 2);
      g1 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 24) : idx16 ? <usize>load<u16>(ip, 12) << 2 : <usize>load<i32>(ip, 24) << 2), g1, 2);
      g2 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 40) : idx16 ? <usize>load<u16>(ip, 20) << 2 : <usize>load<i32>(ip, 40) << 2), g2, 2);
      g3 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 56) : idx16 ? <usize>load<u16>(ip, 28) << 2 : <usize>load<i32>(ip, 56) << 2), g3, 2);
      g0 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 12) : idx16 ? <usize>load<u16>(ip, 6) << 2 : <usize>load<i32>(ip, 12) << 2), g0, 3);
      g1 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 28) : idx16 ? <usize>load<u16>(ip, 14) << 2 : <usize>load<i32>(ip, 28) << 2), g1, 3);
      g2 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 44) : idx16 ? <usize>load<u16>(ip, 22) << 2 : <usize>load<i32>(ip, 44) << 2), g2, 3);
      g3 = v128.load32_lane(x + (pre ? <usize>load<u32>(ip, 60) : idx16 ? <usize>load<u16>(ip, 30) << 2 : <usize>load<i32>(ip, 60) << 2), g3, 3);
      ip += istep;
      a = f32x4.add(a, f32x4.mul(v0, g0));
      b = f32x4.add(b, f32x4.mul(v1, g1));
      a = f32x4.add(a, f32x4.mul(v2, g2));
      b = f32x4.add(b, f32x4.mul(v3, g3));
    }
    for (; p + 8 <= p1; p += 8) {
      let xa = v128.load32_zero(x + xOff(indices, p, idx16, pre));
      let xb = v128.load32_zero(x + xOff(indices, p + 4, idx16, pre));
      xa = v128.load32_lane(x + xOff(indices, p + 1, idx16, pre), xa, 1);
      xb = v128.load32_lane(x + xOff(indices, p + 5, idx16, pre), xb, 1);
      xa = v128.load32_lane(x + xOff(indices, p + 2, idx16, pre), xa, 2);
      xb = v128.load32_lane(x + xOff(indices, p + 6, idx16, pre), xb, 2);
      xa = v128.load32_lane(x + xOff(indices, p + 3, idx16, pre), xa, 3);
      xb = v128.load32_lane(x + xOff(indices, p + 7, idx16, pre), xb, 3);
      let va: v128, vb: v128;
      if (q8) {
        const w = v128.load8x8_s(values + p); // 8 int8 -> i16x8
        va = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w));
        vb = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w));
      } else {
        va = v128.load(values + (p << 2));
        vb = v128.load(values + (p << 2), 16);
      }
      a = f32x4.add(a, f32x4.mul(va, xa));
      b = f32x4.add(b, f32x4.mul(vb, xb));
    }
    s0 = f32x4.extract_lane(a, 0); s1 = f32x4.extract_lane(a, 1); s2 = f32x4.extract_lane(a, 2); s3 = f32x4.extract_lane(a, 3);
    s4 = f32x4.extract_lane(b, 0); s5 = f32x4.extract_lane(b, 1); s6 = f32x4.extract_lane(b, 2); s7 = f32x4.extract_lane(b, 3);
  }
  for (; p + 8 <= p1; p += 8) {
    s0 += valAt(values, p, q8) * xAt(x, indices, p, idx16, pre);
    s1 += valAt(values, p + 1, q8) * xAt(x, indices, p + 1, idx16, pre);
    s2 += valAt(values, p + 2, q8) * xAt(x, indices, p + 2, idx16, pre);
    s3 += valAt(values, p + 3, q8) * xAt(x, indices, p + 3, idx16, pre);
    s4 += valAt(values, p + 4, q8) * xAt(x, indices, p + 4, idx16, pre);
    s5 += valAt(values, p + 5, q8) * xAt(x, indices, p + 5, idx16, pre);
    s6 += valAt(values, p + 6, q8) * xAt(x, indices, p + 6, idx16, pre);
    s7 += valAt(values, p + 7, q8) * xAt(x, indices, p + 7, idx16, pre);
  }
  const r = <i32>(p1 - p);
  if (r > 0) s0 += valAt(values, p, q8) * xAt(x, indices, p, idx16, pre);
  if (r > 1) s1 += valAt(values, p + 1, q8) * xAt(x, indices, p + 1, idx16, pre);
  if (r > 2) s2 += valAt(values, p + 2, q8) * xAt(x, indices, p + 2, idx16, pre);
  if (r > 3) s3 += valAt(values, p + 3, q8) * xAt(x, indices, p + 3, idx16, pre);
  if (r > 4) s4 += valAt(values, p + 4, q8) * xAt(x, indices, p + 4, idx16, pre);
  if (r > 5) s5 += valAt(values, p + 5, q8) * xAt(x, indices, p + 5, idx16, pre);
  if (r > 6) s6 += valAt(values, p + 6, q8) * xAt(x, indices, p + 6, idx16, pre);
  const t = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
  store<f32>(yp, t);
  return t;
}

@inline function csrSpmv(rows: i32, indptr: usize, indices: usize, idx16: bool, values: usize, q8: bool, scale: usize, x: usize, y: usize): void {
  for (let i = 0; i < rows; i++) {
    const p0 = <usize>load<i32>(indptr + (<usize>i << 2));
    const p1 = <usize>load<i32>(indptr + (<usize>i << 2), 4);
    const yp = y + (<usize>i << 2);
    const t = rowSpmv8(p0, p1, indices, idx16, values, q8, false, x, yp);
    if (q8) store<f32>(yp, t * load<f32>(scale + (<usize>i << 2)));
  }
}

/** y = A x for a CSR A (f32 values) with `cols` columns. */
export function sparse_csr_spmv_f32(rows: i32, indptr: usize, indices: usize, idx16: i32, values: usize, x: usize, y: usize, cols: i32): void {
  if (idx16 == SPARSE_IDX_OFF16) csrSpmvOff(rows, indptr, indices, values, false, 0, x, y, cols);
  else if (idx16 != 0) csrSpmv(rows, indptr, indices, true, values, false, 0, x, y);
  else csrSpmv(rows, indptr, indices, false, values, false, 0, x, y);
}

/** y = diag(scale) (Q x) for a CSR Q with int8 values and `cols` columns. */
export function sparse_csrq8_spmv_f32(rows: i32, indptr: usize, indices: usize, idx16: i32, values: usize, scale: usize, x: usize, y: usize, cols: i32): void {
  if (idx16 == SPARSE_IDX_OFF16) csrSpmvOff(rows, indptr, indices, values, true, scale, x, y, cols);
  else if (idx16 != 0) csrSpmv(rows, indptr, indices, true, values, true, scale, x, y);
  else csrSpmv(rows, indptr, indices, false, values, true, scale, x, y);
}

// ---------------------------------------------------------------------------------------------
// CSR spmv with u16 byte-offset indices (idx16 = 2, cols <= 16384): x is copied to XS, a fixed
// address, so a gather is one load at [XS + offset] with no shift or add, and the indices are read
// four at a time as a u64. Same 8 partial sums, same order as rowSpmv8. Measured at 90% (4096 x
// 4096): f32 0.46 -> 0.42 ms, int8 0.41 -> 0.37 ms against u16 column indices; then 32 entries an
// iteration (the same adds in the same order): f32 0.44 -> 0.38 ms, int8 0.395 -> 0.353 ms.
// ---------------------------------------------------------------------------------------------

const XS: usize = memory.data(65536, 16);

/** x at the 4 byte offsets packed in w (lane k: bits 16k .. 16k + 15). */
@inline function gatherOff4(w: u64): v128 {
  let g = v128.load32_zero(<usize>(<u32>w & 0xffff), XS);
  g = v128.load32_lane(<usize>(<u32>(w >> 16) & 0xffff), g, 1, XS);
  g = v128.load32_lane(<usize>(<u32>(w >> 32) & 0xffff), g, 2, XS);
  return v128.load32_lane(<usize>(<u32>(w >> 48)), g, 3, XS);
}

@inline function xOffAt(indices: usize, p: usize): f32 {
  return load<f32>(<usize>load<u16>(indices + (p << 1)), XS);
}

/**
 * Entries p .. p + 15 of a byte-offset row into the spmv sums: offStepA adds entries p .. p + 3
 * and p + 8 .. p + 11 to the lanes s0..s3 (acc), offStepB entries p + 4 .. p + 7 and p + 12 ..
 * p + 15 to s4..s7, each in entry order; ip points at entry p's offset.
 */
@inline function offStepA(acc: v128, values: usize, p: usize, ip: usize, q8: bool): v128 {
  let v0: v128, v2: v128;
  if (q8) {
    const w = v128.load(values + p); // 16 int8
    v0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(w)));
    v2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_high_i8x16_s(w)));
  } else {
    v0 = v128.load(values + (p << 2), 0);
    v2 = v128.load(values + (p << 2), 32);
  }
  acc = f32x4.add(acc, f32x4.mul(v0, gatherOff4(load<u64>(ip, 0))));
  return f32x4.add(acc, f32x4.mul(v2, gatherOff4(load<u64>(ip, 16))));
}

@inline function offStepB(acc: v128, values: usize, p: usize, ip: usize, q8: bool): v128 {
  let v1: v128, v3: v128;
  if (q8) {
    const w = v128.load(values + p);
    v1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(i16x8.extend_low_i8x16_s(w)));
    v3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(i16x8.extend_high_i8x16_s(w)));
  } else {
    v1 = v128.load(values + (p << 2), 16);
    v3 = v128.load(values + (p << 2), 48);
  }
  acc = f32x4.add(acc, f32x4.mul(v1, gatherOff4(load<u64>(ip, 8))));
  return f32x4.add(acc, f32x4.mul(v3, gatherOff4(load<u64>(ip, 24))));
}

@inline function rowSpmvOff(p0: usize, p1: usize, indices: usize, values: usize, q8: bool): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  let p = p0;
  if (ASC_FEATURE_SIMD) {
    let a = f32x4.splat(0), b = a;
    let ip = indices + (p << 1);
    // 32 entries an iteration (0.44 -> 0.38 ms against 16): two steps of 16, each adding its
    // entries to a (s0..s3) and b (s4..s7) in entry order
    for (; p + 32 <= p1; p += 32) {
      a = offStepA(a, values, p, ip, q8);
      b = offStepB(b, values, p, ip, q8);
      a = offStepA(a, values, p + 16, ip + 32, q8);
      b = offStepB(b, values, p + 16, ip + 32, q8);
      ip += 64;
    }
    if (p + 16 <= p1) {
      a = offStepA(a, values, p, ip, q8);
      b = offStepB(b, values, p, ip, q8);
      ip += 32;
      p += 16;
    }
    if (p + 8 <= p1) {
      let va: v128, vb: v128;
      if (q8) {
        const w = v128.load8x8_s(values + p); // 8 int8 -> i16x8
        va = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w));
        vb = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w));
      } else {
        va = v128.load(values + (p << 2));
        vb = v128.load(values + (p << 2), 16);
      }
      a = f32x4.add(a, f32x4.mul(va, gatherOff4(load<u64>(ip, 0))));
      b = f32x4.add(b, f32x4.mul(vb, gatherOff4(load<u64>(ip, 8))));
      p += 8;
    }
    // (a branch-free masked tail for the last 0..15 entries measured no faster)
    s0 = f32x4.extract_lane(a, 0); s1 = f32x4.extract_lane(a, 1); s2 = f32x4.extract_lane(a, 2); s3 = f32x4.extract_lane(a, 3);
    s4 = f32x4.extract_lane(b, 0); s5 = f32x4.extract_lane(b, 1); s6 = f32x4.extract_lane(b, 2); s7 = f32x4.extract_lane(b, 3);
  }
  for (; p + 8 <= p1; p += 8) {
    s0 += valAt(values, p, q8) * xOffAt(indices, p);
    s1 += valAt(values, p + 1, q8) * xOffAt(indices, p + 1);
    s2 += valAt(values, p + 2, q8) * xOffAt(indices, p + 2);
    s3 += valAt(values, p + 3, q8) * xOffAt(indices, p + 3);
    s4 += valAt(values, p + 4, q8) * xOffAt(indices, p + 4);
    s5 += valAt(values, p + 5, q8) * xOffAt(indices, p + 5);
    s6 += valAt(values, p + 6, q8) * xOffAt(indices, p + 6);
    s7 += valAt(values, p + 7, q8) * xOffAt(indices, p + 7);
  }
  const r = <i32>(p1 - p);
  if (r > 0) s0 += valAt(values, p, q8) * xOffAt(indices, p);
  if (r > 1) s1 += valAt(values, p + 1, q8) * xOffAt(indices, p + 1);
  if (r > 2) s2 += valAt(values, p + 2, q8) * xOffAt(indices, p + 2);
  if (r > 3) s3 += valAt(values, p + 3, q8) * xOffAt(indices, p + 3);
  if (r > 4) s4 += valAt(values, p + 4, q8) * xOffAt(indices, p + 4);
  if (r > 5) s5 += valAt(values, p + 5, q8) * xOffAt(indices, p + 5);
  if (r > 6) s6 += valAt(values, p + 6, q8) * xOffAt(indices, p + 6);
  return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
}

@inline function csrSpmvOff(rows: i32, indptr: usize, indices: usize, values: usize, q8: bool, scale: usize, x: usize, y: usize, cols: i32): void {
  memory.copy(XS, x, <usize>cols << 2);
  for (let i = 0; i < rows; i++) {
    const p0 = <usize>load<i32>(indptr + (<usize>i << 2));
    const p1 = <usize>load<i32>(indptr + (<usize>i << 2), 4);
    const t = rowSpmvOff(p0, p1, indices, values, q8);
    store<f32>(y + (<usize>i << 2), q8 ? t * load<f32>(scale + (<usize>i << 2)) : t);
  }
}

// ---------------------------------------------------------------------------------------------
// N:M: per row, G = cols / M groups of N values; value t of a row has an index of `bits` bits
// (2, 4 or 8) at bit t * bits of the row's index bytes (little-endian within a byte), giving its
// position inside group t / N. Positions increase within a group.
// ---------------------------------------------------------------------------------------------

/**
 * Decode groups [g0, g1) of row `ir`'s N:M indices into u32 byte offsets (g * M + pos) * stride,
 * stored from `off` (entry (g0 * N) first).
 */
@inline function nmDecode(g0: i32, g1: i32, N: i32, M: i32, bits: i32, ir: usize, stride: usize, off: usize): void {
  const mask: u32 = (1 << bits) - 1;
  let t: u32 = <u32>(g0 * N);
  const gstep = <usize>M * stride;
  let gb: usize = <usize>g0 * gstep;
  let o = off;
  for (let g = g0; g < g1; g++) {
    for (let k = 0; k < N; k++) {
      const bit = t * <u32>bits;
      const pos = (<u32>load<u8>(ir + <usize>(bit >> 3)) >> (bit & 7)) & mask;
      store<u32>(o, <u32>(gb + <usize>pos * stride));
      o += 4;
      t++;
    }
    gb += gstep;
  }
}

// 2:4 decode table: for an index byte (4 entries, 2 groups), the i32 column of each entry
// relative to the first group's column: (k >> 1) * 4 + pos_k.
const NM24_COLS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 6, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  0, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0,
  2, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0, 0
]);

/** SIMD decode of 2:4 groups [g0, g1) (g0 even) into u32 byte offsets col * stride, as nmDecode. */
@inline function nm24Decode(g0: i32, g1: i32, ir: usize, stride: usize, off: usize): void {
  const st = i32x4.splat(<i32>stride);
  const step = i32x4.splat(<i32>(stride << 3));
  let base = i32x4.splat(<i32>(<usize>g0 * (stride << 2)));
  let g = g0;
  let o = off;
  for (; g + 2 <= g1; g += 2) {
    const cols = v128.load(NM24_COLS + (<usize>load<u8>(ir + <usize>(g >> 1)) << 4));
    v128.store(o, i32x4.add(base, i32x4.mul(cols, st)));
    base = i32x4.add(base, step);
    o += 16;
  }
  if (g < g1) nmDecode(g, g1, 2, 4, 2, ir, stride, o);
}

// N:M spmm blocking (2:4 4096^2 x 64: no blocking 53 ms; X blocks of 8/16/32/64 KB 46/43/45/49 ms).
const NM_XBYTES: i32 = 16384;
const NM_ROWS: i32 = 256;

/**
 * Y[rows x n] = A X for an N:M matrix: values f32 [rows x G*N], index bytes [rows x ib]
 * (ib = ceil(G * N * bits / 8)). Each row's indices are decoded once into `scratch`
 * (u32 [G * N], from the caller) as byte offsets into X, then run by the CSR row kernel
 * (measured 107 -> 75 ms for 2:4 4096^2 x 64 against decoding inside every column tile); for
 * 2:4 the SIMD build decodes 4 entries per index byte with a table (43 -> 34 ms).
 */
export function sparse_nm_spmm_f32(rows: i32, G: i32, N: i32, M: i32, bits: i32, values: usize, idx: usize, ib: i32,
  x: usize, n: i32, y: usize, scratch: usize): void {
  const ldx = <usize>n << 2;
  const per = <usize>G * <usize>N;
  // Blocks of NM_ROWS rows x KB groups: the X rows of a group block (about NM_XBYTES) stay in
  // cache while every row of the row block runs over them; the sums carry over between group
  // blocks through Y, so each element still adds its entries in column order.
  let KB = <i32>(<usize>NM_XBYTES / (<usize>M * ldx));
  const fast24 = ASC_FEATURE_SIMD && N == 2 && M == 4;
  if (fast24) KB &= ~1; // even: every group block starts on an index byte
  if (KB < 2) KB = fast24 ? 2 : 1;
  for (let i0 = 0; i0 < rows; i0 += NM_ROWS) {
    const i1 = min(rows, i0 + NM_ROWS);
    for (let g0 = 0; g0 < G; g0 += KB) {
      const g1 = min(G, g0 + KB);
      const cnt = <usize>((g1 - g0) * N);
      for (let i = i0; i < i1; i++) {
        if (ASC_FEATURE_SIMD && fast24) nm24Decode(g0, g1, idx + <usize>i * <usize>ib, ldx, scratch);
        else nmDecode(g0, g1, N, M, bits, idx + <usize>i * <usize>ib, ldx, scratch);
        csrRow(0, cnt, scratch, false, values + ((<usize>i * per + <usize>(g0 * N)) << 2), false, 1, true, x, n, y + <usize>i * ldx, g0 == 0);
      }
    }
  }
}


// 2:4 swizzle masks, 16 bytes per 4-bit pair of positions (p0 = bits 0-1, p1 = bits 2-3):
// NM24_LO puts x lanes p0, p1 of a group into lanes 0, 1 (lanes 2, 3 zero); NM24_HI into lanes 2, 3.
const NM24_LO = memory.data<u8>([
  0, 1, 2, 3, 0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128,
  12, 13, 14, 15, 0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  12, 13, 14, 15, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  12, 13, 14, 15, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  12, 13, 14, 15, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128
]);
const NM24_HI = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 0, 1, 2, 3,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 0, 1, 2, 3,
  128, 128, 128, 128, 128, 128, 128, 128, 8, 9, 10, 11, 0, 1, 2, 3,
  128, 128, 128, 128, 128, 128, 128, 128, 12, 13, 14, 15, 0, 1, 2, 3,
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 4, 5, 6, 7,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 4, 5, 6, 7,
  128, 128, 128, 128, 128, 128, 128, 128, 8, 9, 10, 11, 4, 5, 6, 7,
  128, 128, 128, 128, 128, 128, 128, 128, 12, 13, 14, 15, 4, 5, 6, 7,
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 8, 9, 10, 11, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 12, 13, 14, 15, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 12, 13, 14, 15,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 12, 13, 14, 15,
  128, 128, 128, 128, 128, 128, 128, 128, 8, 9, 10, 11, 12, 13, 14, 15,
  128, 128, 128, 128, 128, 128, 128, 128, 12, 13, 14, 15, 12, 13, 14, 15
]);

/**
 * 2:4 spmv, SIMD: per 8 stored values (4 groups, 16 index bits) the 16 contiguous x values are
 * loaded and the 8 picked with swizzles, instead of decoding offsets and gathering. The lanes and
 * the order are those of rowSpmv8 (entry t into partial sum t mod 8), so the bits are the same.
 */
@inline function nm24Spmv(rows: i32, G: i32, values: usize, idx: usize, ib: i32, x: usize, y: usize): void {
  const per = <usize>G << 1;
  for (let i = 0; i < rows; i++) {
    const ir = idx + <usize>i * <usize>ib;
    const vr = values + ((<usize>i * per) << 2);
    let a = f32x4.splat(0), b = a;
    let t: usize = 0;
    for (; t + 8 <= per; t += 8) {
      const bits = <usize>load<u16>(ir + (t >> 2)); // entries t .. t + 7, 2 bits each
      const xg = x + (t << 3); // group t / 2, 16 bytes a group
      const xa = v128.or(
        i8x16.swizzle(v128.load(xg), v128.load(NM24_LO + ((bits & 15) << 4))),
        i8x16.swizzle(v128.load(xg, 16), v128.load(NM24_HI + (((bits >> 4) & 15) << 4))));
      const xb = v128.or(
        i8x16.swizzle(v128.load(xg, 32), v128.load(NM24_LO + (((bits >> 8) & 15) << 4))),
        i8x16.swizzle(v128.load(xg, 48), v128.load(NM24_HI + (((bits >> 12) & 15) << 4))));
      a = f32x4.add(a, f32x4.mul(v128.load(vr + (t << 2)), xa));
      b = f32x4.add(b, f32x4.mul(v128.load(vr + (t << 2), 16), xb));
    }
    let s0 = f32x4.extract_lane(a, 0), s1 = f32x4.extract_lane(a, 1), s2 = f32x4.extract_lane(a, 2), s3 = f32x4.extract_lane(a, 3);
    let s4 = f32x4.extract_lane(b, 0), s5 = f32x4.extract_lane(b, 1), s6 = f32x4.extract_lane(b, 2);
    const s7 = f32x4.extract_lane(b, 3);
    // fewer than 8 entries left: they go to s0 .. s6 in turn, as in rowSpmv8
    for (let k = 0; t < per; t++, k++) {
      const pos = (<usize>load<u8>(ir + (t >> 2)) >> ((t & 3) << 1)) & 3;
      const v = load<f32>(vr + (t << 2)) * load<f32>(x + ((((t >> 1) << 2) + pos) << 2));
      if (k == 0) s0 += v; else if (k == 1) s1 += v; else if (k == 2) s2 += v;
      else if (k == 3) s3 += v; else if (k == 4) s4 += v; else if (k == 5) s5 += v; else s6 += v;
    }
    store<f32>(y + (<usize>i << 2), ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)));
  }
}

/** y = A x for an N:M matrix, in the spmv order (8 round-robin partial sums per row). */
export function sparse_nm_spmv_f32(rows: i32, G: i32, N: i32, M: i32, bits: i32, values: usize, idx: usize, ib: i32,
  x: usize, y: usize, scratch: usize): void {
  if (ASC_FEATURE_SIMD) {
    if (N == 2 && M == 4) { nm24Spmv(rows, G, values, idx, ib, x, y); return; }
  }
  const per = <usize>G * <usize>N;
  for (let i = 0; i < rows; i++) {
    nmDecode(0, G, N, M, bits, idx + <usize>i * <usize>ib, 4, scratch);
    rowSpmv8(0, per, scratch, false, values + ((<usize>i * per) << 2), false, true, x, y + (<usize>i << 2));
  }
}

// ---------------------------------------------------------------------------------------------
// BSR: block rows BR = rows / bh; block row R holds blocks bptr[R] .. bptr[R+1] - 1, block b at
// block column bcol[b] (u16 or i32), values [bh x bw] row-major at values + b * bh * bw * 4.
// ---------------------------------------------------------------------------------------------

// R rows (1..4) of a block row x V vectors (1, 2) of columns: each X load serves R rows.
@inline function bsrTile(R: i32, V: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32,
  r0: i32, xj: usize, ldx: usize, yp: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const bsz = <usize>(bh * bw) << 2;
  const rs = <usize>bw << 2;
  const bwx = <usize>bw * ldx;
  for (let q = q0; q < q1; q++) {
    let vp = vals + q * bsz + <usize>r0 * rs;
    let xp = xj + colAt(bcol, q, idx16) * bwx;
    for (let jj = 0; jj < bw; jj++) {
      const x0 = v128.load(xp);
      const x1 = V > 1 ? v128.load(xp, 16) : x0;
      const w0 = v128.load32_splat(vp);
      c00 = f32x4.add(c00, f32x4.mul(w0, x0));
      if (V > 1) c01 = f32x4.add(c01, f32x4.mul(w0, x1));
      if (R > 1) {
        const w1 = v128.load32_splat(vp + rs);
        c10 = f32x4.add(c10, f32x4.mul(w1, x0));
        if (V > 1) c11 = f32x4.add(c11, f32x4.mul(w1, x1));
      }
      if (R > 2) {
        const w2 = v128.load32_splat(vp + 2 * rs);
        c20 = f32x4.add(c20, f32x4.mul(w2, x0));
        if (V > 1) c21 = f32x4.add(c21, f32x4.mul(w2, x1));
      }
      if (R > 3) {
        const w3 = v128.load32_splat(vp + 3 * rs);
        c30 = f32x4.add(c30, f32x4.mul(w3, x0));
        if (V > 1) c31 = f32x4.add(c31, f32x4.mul(w3, x1));
      }
      vp += 4;
      xp += ldx;
    }
  }
  v128.store(yp, c00); if (V > 1) v128.store(yp, c01, 16);
  if (R > 1) { v128.store(yp + ldx, c10); if (V > 1) v128.store(yp + ldx, c11, 16); }
  if (R > 2) { v128.store(yp + 2 * ldx, c20); if (V > 1) v128.store(yp + 2 * ldx, c21, 16); }
  if (R > 3) { v128.store(yp + 3 * ldx, c30); if (V > 1) v128.store(yp + 3 * ldx, c31, 16); }
}

@inline function bsrRows(R: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32, r0: i32,
  x: usize, n: i32, ldx: usize, yr: usize): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) bsrTile(R, 2, q0, q1, bcol, idx16, vals, bh, bw, r0, x + (<usize>j << 2), ldx, yr + (<usize>j << 2));
  if (j + 4 <= n) { bsrTile(R, 1, q0, q1, bcol, idx16, vals, bh, bw, r0, x + (<usize>j << 2), ldx, yr + (<usize>j << 2)); j += 4; }
  if (j < n) bsrScalar(R, q0, q1, bcol, idx16, vals, bh, bw, r0, x, n, ldx, yr, j);
}

/** Rows [r0, r0 + R) of a block row, columns [j, n), by row axpy in entry order. */
@inline function bsrScalar(R: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32, r0: i32,
  x: usize, n: i32, ldx: usize, yr: usize, j: i32): void {
  const bsz = <usize>(bh * bw) << 2;
  const w = <usize>(n - j) << 2;
  for (let r = 0; r < R; r++) {
    const yj = yr + <usize>r * ldx + (<usize>j << 2);
    memory.fill(yj, 0, w);
    for (let q = q0; q < q1; q++) {
      const vp = vals + q * bsz + (<usize>((r0 + r) * bw) << 2);
      let xp = x + (<usize>j << 2) + colAt(bcol, q, idx16) * <usize>bw * ldx;
      for (let jj = 0; jj < bw; jj++) {
        const v = load<f32>(vp + (<usize>jj << 2));
        for (let o: usize = 0; o < w; o += 4) store<f32>(yj + o, load<f32>(yj + o) + v * load<f32>(xp + o));
        xp += ldx;
      }
    }
  }
}

@inline function bsrSpmm(BR: i32, bh: i32, bw: i32, bptr: usize, bcol: usize, idx16: bool, vals: usize, x: usize, n: i32, y: usize): void {
  const ldx = <usize>n << 2;
  for (let R = 0; R < BR; R++) {
    const q0 = <usize>load<i32>(bptr + (<usize>R << 2));
    const q1 = <usize>load<i32>(bptr + (<usize>R << 2), 4);
    const yb = y + <usize>(R * bh) * ldx;
    if (ASC_FEATURE_SIMD) {
      let r = 0;
      for (; r + 4 <= bh; r += 4) bsrRows(4, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx);
      if (r + 2 <= bh) { bsrRows(2, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx); r += 2; }
      if (r < bh) bsrRows(1, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx);
    } else {
      for (let r = 0; r < bh; r++) bsrScalar(1, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx, 0);
    }
  }
}

/** Y[rows x n] = A X for a BSR A with bh x bw blocks (rows = BR * bh). */
export function sparse_bsr_spmm_f32(BR: i32, bh: i32, bw: i32, bptr: usize, bcol: usize, idx16: i32, values: usize, x: usize, n: i32, y: usize): void {
  if (idx16 != 0) bsrSpmm(BR, bh, bw, bptr, bcol, true, values, x, n, y);
  else bsrSpmm(BR, bh, bw, bptr, bcol, false, values, x, n, y);
}

// ---------------------------------------------------------------------------------------------
// Helpers for sparseLinear: transposes.
// ---------------------------------------------------------------------------------------------

/** out[c x r] = transpose of x[r x c] (f32). */
export function sparse_transpose_f32(x: usize, r: i32, c: i32, out: usize): void {
  // 4 x 4 blocks keep both sides within few cache lines; element copies give the same bits.
  let i = 0;
  for (; i + 4 <= r; i += 4) {
    const x0 = x + ((<usize>i * <usize>c) << 2);
    const ldx = <usize>c << 2;
    for (let j = 0; j < c; j++) {
      const o = out + ((<usize>j * <usize>r + <usize>i) << 2);
      const s = x0 + (<usize>j << 2);
      store<f32>(o, load<f32>(s));
      store<f32>(o, load<f32>(s + ldx), 4);
      store<f32>(o, load<f32>(s + 2 * ldx), 8);
      store<f32>(o, load<f32>(s + 3 * ldx), 12);
    }
  }
  for (; i < r; i++) {
    for (let j = 0; j < c; j++) store<f32>(out + ((<usize>j * <usize>r + <usize>i) << 2), load<f32>(x + ((<usize>i * <usize>c + <usize>j) << 2)));
  }
}

/** y[b x o] = transpose of yt[o x b], plus bias[o] when hasBias (one f32 add). */
export function sparse_untranspose_bias_f32(yt: usize, o: i32, b: i32, bias: usize, hasBias: i32, y: usize): void {
  for (let k = 0; k < o; k++) {
    const bv: f32 = hasBias != 0 ? load<f32>(bias + (<usize>k << 2)) : 0;
    const src = yt + ((<usize>k * <usize>b) << 2);
    for (let s = 0; s < b; s++) {
      const v = load<f32>(src + (<usize>s << 2));
      store<f32>(y + ((<usize>s * <usize>o + <usize>k) << 2), hasBias != 0 ? v + bv : v);
    }
  }
}
