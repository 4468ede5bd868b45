/**
 * CSR spmv: y = A x for a CSR A (f32 values, or int8 values with a per-row f32 scale).
 *
 * Accumulation order (both builds, no FMA): the row's stored entries are dealt round-robin into 8
 * partial sums (entry t of the row goes to s[t mod 8], each a sequential sum from +0), then
 * y = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)). Eight chains hide the add latency. The
 * row kernel (rowSpmv8) also runs the N:M spmv over decoded byte offsets. Byte-offset indices
 * (idx16 = 2) go to csr-spmv-offsets.ts, which keeps the same order.
 * @module
 */
import { SPARSE_IDX_OFF16 } from '../consts';
import { colAt, valAt } from './shared';
import { csrSpmvOff } from './csr-spmv-offsets';

@inline function xAt(x: usize, indices: usize, p: usize, idx16: bool, pre: bool): f32 {
  return load<f32>(x + (pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) << 2));
}

/** Byte offset into x of entry p's column. */
@inline function xOff(indices: usize, p: usize, idx16: bool, pre: bool): usize {
  return pre ? <usize>load<u32>(indices + (p << 2)) : colAt(indices, p, idx16) << 2;
}

/** One row's dot product over [p0, p1) in the spmv order; the result (unscaled) is stored at yp. */
@inline export function rowSpmv8(p0: usize, p1: usize, indices: usize, idx16: bool, values: usize, q8: bool, pre: bool, x: usize, yp: usize): f32 {
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
