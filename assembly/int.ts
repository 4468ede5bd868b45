/**
 * Integer matrix products: ONNX MatMulInteger / QLinearMatMul, the dynamic-quantized linear layer
 * (DynamicQuantizeLinear + MatMulInteger + dequantize) and int4 blocked weights (MatMulNBits-like).
 *
 * No relaxed SIMD. Every 8-bit operand is widened to i16 with its zero point already subtracted
 * (a - za and b - zb lie in [-255, 255]), so `i32x4.dot_i16x8_s` multiplies-and-adds k-pairs
 * exactly (|pair sum| <= 2 * 255 * 255) and all four int8 / uint8 combinations take one path with
 * no correction terms. i32 sums wrap modulo 2^32 exactly as ONNX MatMulInteger says; the scalar
 * build computes the same integers, so both builds agree to the bit. The f32 stages (requantize,
 * dequantize, int4 block scales) apply the same IEEE operations in the same order in both builds.
 *
 * Layouts (all produced by the kernels below, all zero padded):
 * - A16: rows padded to a multiple of MR = 4, each row 2 * KP i16 (KP = ceil(k / 2) k-pairs).
 * - packed B (int8 path): panels of 8 columns; panel p holds, for each k-pair q, 16 i16:
 *   lanes 0..7 = (b[2q][c], b[2q+1][c]) for c = 8p + 0..3, lanes 8..15 the same for c = 8p + 4..7.
 *   One `load32_splat` of an A pair times these two vectors gives 8 columns of one row.
 * - packed int4: panels of 8 columns, blocks of `bs` along k, 16 bytes per k-quad (two k-pairs):
 *   byte t < 8 holds lanes t of the first pair (low nibble: columns 0..3, high: 4..7), byte 8 + t
 *   the second pair, so one load, two extends, two ands and two shifts give four i16x8 vectors.
 *   The relaxed build orders a quad by column instead (byte 4 c + r: column c's k offset r low,
 *   column c + 4's high), the operand order of its int8 dot. Only int_pack_int4, the kernels and
 *   PackedInt4.toOnnx (src/int.ts) read these bytes.
 * @module
 */
import { quant_minmax_f32, quant_quantize_f32_q8 } from './quant';

const MAGIC: f32 = 12582912.0; // 1.5 * 2^23: adding it rounds |v| <= 2^22 half to even
const MAGIC_BITS: i32 = 0x4b400000;

// Loop constants go through this scratch (stored before a loop, loaded back): V8 (TurboFan, x64)
// rematerialises a splat or v128.const inside the loop that uses it; a loaded value stays in a register.
const GC: usize = memory.data(96, 16);

// ---------------------------------------------------------------------------------------------
// Operand preparation
// ---------------------------------------------------------------------------------------------

/**
 * A (m x k, int8 or uint8, row-major) -> A16 (mPad rows of 2 * KP i16): a[i][j] - zp[i * zpStride].
 * Rows m..mPad-1 and the odd-k pad are zero.
 */
export function int_widen_a(a: usize, m: i32, k: i32, signed: i32, zp: usize, zpStride: i32, mPad: i32, out: usize): void {
  const kp2 = (k + 1) & ~1;
  for (let i = 0; i < mPad; i++) {
    const o = out + ((<usize>i * <usize>kp2) << 1);
    if (i >= m) {
      memory.fill(o, 0, <usize>kp2 << 1);
      continue;
    }
    const z = load<i32>(zp + (<usize>(i * zpStride) << 2));
    const r = a + <usize>i * <usize>k;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const zv = i16x8.splat(<i16>z);
      for (; j + 16 <= k; j += 16) {
        const v = v128.load(r + <usize>j);
        const lo = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
        const hi = signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
        v128.store(o + (<usize>j << 1), i16x8.sub(lo, zv));
        v128.store(o + (<usize>j << 1), i16x8.sub(hi, zv), 16);
      }
    }
    for (; j < k; j++) {
      const v: i32 = signed ? <i32>load<i8>(r + <usize>j) : <i32>load<u8>(r + <usize>j);
      store<i16>(o + (<usize>j << 1), <i16>(v - z));
    }
    if (k & 1) store<i16>(o + (<usize>k << 1), 0);
  }
}

/** B (k x n, int8 or uint8, row-major) -> packed B (see the layout above): b[kk][c] - zp[c * zpStride]. */
export function int_pack_b(b: usize, k: i32, n: i32, signed: i32, zp: usize, zpStride: i32, out: usize): void {
  const KP = (k + 1) >> 1;
  const NP = (n + 7) >> 3;
  for (let p = 0; p < NP; p++) {
    const po = out + ((<usize>p * <usize>KP) << 5);
    for (let t = 0; t < 16; t++) {
      const col = (p << 3) + ((t >> 3) << 2) + ((t & 7) >> 1);
      const kk0 = t & 1;
      let o = po + (<usize>t << 1);
      if (col >= n) {
        for (let q = 0; q < KP; q++, o += 32) store<i16>(o, 0);
        continue;
      }
      const z = load<i32>(zp + (<usize>(col * zpStride) << 2));
      let e = b + <usize>kk0 * <usize>n + <usize>col;
      const step = <usize>n << 1;
      for (let q = 0; q < KP; q++, o += 32, e += step) {
        const kk = (q << 1) + kk0;
        let v = 0;
        if (kk < k) v = (signed ? <i32>load<i8>(e) : <i32>load<u8>(e)) - z;
        store<i16>(o, <i16>v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The int8 core: C (m x n i32) = A16 x packedB, 4 x 8 tiles of i32x4 accumulators.
// ---------------------------------------------------------------------------------------------

/** Store the first `cnt` (< 8) lanes of two i32x4 vectors. */
@inline function storePartial(p: usize, v0: v128, v1: v128, cnt: i32): void {
  if (cnt > 0) store<i32>(p, i32x4.extract_lane(v0, 0));
  if (cnt > 1) store<i32>(p, i32x4.extract_lane(v0, 1), 4);
  if (cnt > 2) store<i32>(p, i32x4.extract_lane(v0, 2), 8);
  if (cnt > 3) store<i32>(p, i32x4.extract_lane(v0, 3), 12);
  if (cnt > 4) store<i32>(p, i32x4.extract_lane(v1, 0), 16);
  if (cnt > 5) store<i32>(p, i32x4.extract_lane(v1, 1), 20);
  if (cnt > 6) store<i32>(p, i32x4.extract_lane(v1, 2), 24);
}

@inline function storeRow(c: usize, row: i32, m: i32, n: i32, col: i32, cnt: i32, v0: v128, v1: v128): void {
  if (row < m) {
    const p = c + ((<usize>row * <usize>n + <usize>col) << 2);
    if (cnt == 8) {
      v128.store(p, v0);
      v128.store(p, v1, 16);
    } else storePartial(p, v0, v1, cnt);
  }
}

/** Panels [p0, p1) of int_s16_i32 (SIMD): columns 8 p0 .. 8 p1 of C, every row tile. */
// @ts-ignore: decorator
@inline function s16Panels(a16: usize, m: i32, mPad: i32, KP: i32, bp: usize, n: i32, c: usize, p0: i32, p1: i32): void {
  const rs = <usize>KP << 2; // A16 row stride (bytes)
  const ps = <usize>KP << 5; // packed panel stride (bytes)
  for (let p = p0; p < p1; p++) {
    const bpp = bp + <usize>p * ps;
    const end = bpp + ps;
    const col = p << 3;
    const cnt = min(8, n - col);
    for (let i = 0; i < mPad; i += 4) {
      let a0 = a16 + <usize>i * rs;
      let a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
      let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (let bq = bpp; bq < end; bq += 32) {
        const b0 = v128.load(bq), b1 = v128.load(bq, 16);
        let a = v128.load32_splat(a0);
        c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b0));
        c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b1));
        a = v128.load32_splat(a1);
        c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b0));
        c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b1));
        a = v128.load32_splat(a2);
        c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b0));
        c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b1));
        a = v128.load32_splat(a3);
        c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b0));
        c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b1));
        a0 += 4; a1 += 4; a2 += 4; a3 += 4;
      }
      storeRow(c, i, m, n, col, cnt, c00, c01);
      storeRow(c, i + 1, m, n, col, cnt, c10, c11);
      storeRow(c, i + 2, m, n, col, cnt, c20, c21);
      storeRow(c, i + 3, m, n, col, cnt, c30, c31);
    }
  }
}

/**
 * C[i][j] = sum over k-pairs of A16 pair * packed B pair, wrapping in i32.
 * a16: mPad (multiple of 4) rows of 2 * KP i16; bp: packed B of KP pairs; c: m x n i32.
 */
export function int_s16_i32(a16: usize, m: i32, mPad: i32, KP: i32, bp: usize, n: i32, c: usize): void {
  int_s16_i32_cols(a16, m, mPad, KP, bp, n, c, 0, (n + 7) >> 3); // every panel
}

/**
 * Panels [p0, p1) of int_s16_i32 (columns 8 p0 .. min(n, 8 p1)): the threaded build's parts, each
 * thread reading only its own panels of B. The same sums as int_s16_i32 for those columns.
 */
export function int_s16_i32_cols(a16: usize, m: i32, mPad: i32, KP: i32, bp: usize, n: i32, c: usize, p0: i32, p1: i32): void {
  if (ASC_FEATURE_SIMD) {
    s16Panels(a16, m, mPad, KP, bp, n, c, p0, p1);
    return;
  }
  const rs = <usize>KP << 2, ps = <usize>KP << 5;
  for (let i = 0; i < m; i++) {
    const ar = a16 + <usize>i * rs;
    for (let j = p0 << 3; j < min(n, p1 << 3); j++) {
      const l = j & 7;
      let bq = bp + <usize>(j >> 3) * ps + ((<usize>(l >> 2)) << 4) + ((<usize>(l & 3)) << 2);
      let s = 0;
      for (let q = 0; q < KP; q++, bq += 32) {
        const ap = ar + (<usize>q << 2);
        s += <i32>load<i16>(ap) * <i32>load<i16>(bq) + <i32>load<i16>(ap, 2) * <i32>load<i16>(bq, 2);
      }
      store<i32>(c + ((<usize>i * <usize>n + <usize>j) << 2), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The 7-bit core (reduce-range activations): C = A8 x packed B8 with one relaxed int8 dot per 16
// products. `i32x4.relaxed_dot_i8x16_i7x16_add_s` is exact, the same in every engine, whenever its
// second operand's lanes lie in [0, 127]: the activations are that operand, the weights the first.
// ---------------------------------------------------------------------------------------------

/**
 * B (k x n, int8 or uint8) -> packed B8: w8 = b (int8) or b - 128 (uint8), panels of 8 columns,
 * 32 bytes per k-quad q: byte 16 * (c >> 2) + 4 * (c & 3) + r = w8[4q + r][8p + c], zero padded.
 * colsum[j] = sum over k of w8[k][j] and z8[j] = zp(j) (int8) or zp(j) - 128 (uint8), NP * 8 entries
 * (zero past n): sum (a - za)(b - zb) = sum a w8 - za colsum - z8 (sum a - k za).
 */
export function int_pack_b8(b: usize, k: i32, n: i32, signed: i32, zp: usize, zpStride: i32, out: usize, colsum: usize, z8: usize): void {
  const KQ = (k + 3) >> 2;
  const NP = (n + 7) >> 3;
  memory.fill(out, 0, <usize>NP * <usize>KQ << 5);
  const flip: i32 = signed ? 0 : 128;
  for (let p = 0; p < NP; p++) {
    const po = out + ((<usize>p * <usize>KQ) << 5);
    for (let c = 0; c < 8; c++) {
      const col = (p << 3) + c;
      const ci = (<usize>p << 5) + (<usize>c << 2);
      if (col >= n) {
        store<i32>(colsum + ci, 0);
        store<i32>(z8 + ci, 0);
        continue;
      }
      const base = po + (<usize>(c >> 2) << 4) + (<usize>(c & 3) << 2);
      let e = b + <usize>col;
      let sum = 0;
      for (let kk = 0; kk < k; kk++, e += <usize>n) {
        const v = (signed ? <i32>load<i8>(e) : <i32>load<u8>(e)) - flip;
        sum += v;
        store<i8>(base + (<usize>(kk >> 2) << 5) + <usize>(kk & 3), <i8>v);
      }
      store<i32>(colsum + ci, sum);
      store<i32>(z8 + ci, load<i32>(zp + (<usize>(col * zpStride) << 2)) - flip);
    }
  }
}

// c - za * colsum - z8 * t, lane by lane (all wrapping i32).
@inline function fix7(c: v128, za: v128, cs: v128, z8: v128, t: v128): v128 {
  return i32x4.sub(i32x4.sub(c, i32x4.mul(za, cs)), i32x4.mul(z8, t));
}

/**
 * C[i][j] = sum (a8[i][k] - za[i]) (b - zb), wrapping in i32, from A8 (rows of KQ * 4 bytes in
 * [0, 127], zero padded), packed B8 with colsum / z8 (int_pack_b8), za (the rows' zero points) and
 * rowT[i] = sum a8[i] - k za[i]. Rows in tiles of 4, the rest one at a time (m = 1..3 reads each
 * weight once). The relaxed build uses the relaxed dot; the others the plain integer loop.
 */
export function int_b8_u7_i32(a8: usize, m: i32, KQ: i32, bp: usize, colsum: usize, z8: usize, n: i32, za: usize, rowT: usize, c: usize): void {
  const NP = (n + 7) >> 3;
  const rs = <usize>KQ << 2; // A8 row stride (bytes)
  const ps = <usize>KQ << 5; // packed panel stride (bytes)
  if (ASC_FEATURE_RELAXED_SIMD) {
    for (let p = 0; p < NP; p++) {
      const bpp = bp + <usize>p * ps;
      const end = bpp + ps;
      const col = p << 3;
      const cnt = min(8, n - col);
      const ci = <usize>p << 5;
      const cs0 = v128.load(colsum + ci), cs1 = v128.load(colsum + ci, 16);
      const zb0 = v128.load(z8 + ci), zb1 = v128.load(z8 + ci, 16);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        let a0 = a8 + <usize>i * rs;
        let a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
        let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (let bq = bpp; bq < end; bq += 32) {
          const b0 = v128.load(bq), b1 = v128.load(bq, 16);
          let a = v128.load32_splat(a0);
          c00 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b0, a, c00);
          c01 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b1, a, c01);
          a = v128.load32_splat(a1);
          c10 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b0, a, c10);
          c11 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b1, a, c11);
          a = v128.load32_splat(a2);
          c20 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b0, a, c20);
          c21 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b1, a, c21);
          a = v128.load32_splat(a3);
          c30 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b0, a, c30);
          c31 = i32x4.relaxed_dot_i8x16_i7x16_add_s(b1, a, c31);
          a0 += 4; a1 += 4; a2 += 4; a3 += 4;
        }
        for (let r = 0; r < 4; r++) {
          const row = i + r;
          const zr = i32x4.splat(load<i32>(za + (<usize>row << 2)));
          const tr = i32x4.splat(load<i32>(rowT + (<usize>row << 2)));
          const v0 = r == 0 ? c00 : r == 1 ? c10 : r == 2 ? c20 : c30;
          const v1 = r == 0 ? c01 : r == 1 ? c11 : r == 2 ? c21 : c31;
          storeRow(c, row, m, n, col, cnt, fix7(v0, zr, cs0, zb0, tr), fix7(v1, zr, cs1, zb1, tr));
        }
      }
      for (; i < m; i++) {
        let a0 = a8 + <usize>i * rs;
        // two accumulator pairs (even / odd quads) so consecutive dots do not wait on each other
        let c0 = i32x4.splat(0), c1 = c0, d0 = c0, d1 = c0;
        let bq = bpp;
        // four streams, as in int_b8_s16_i32: the k-quads in four runs, one quad of each per step
        const Q = <usize>(KQ >> 2);
        const qb = Q << 5, qa = Q << 2; // bytes of a run of the panel and of the row
        for (const e4 = bpp + qb; bq < e4; bq += 32) {
          let a = v128.load32_splat(a0);
          c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq), a, c0);
          c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq, 16), a, c1);
          a = v128.load32_splat(a0 + qa);
          d0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + qb), a, d0);
          d1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + qb, 16), a, d1);
          a = v128.load32_splat(a0 + 2 * qa);
          c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + 2 * qb), a, c0);
          c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + 2 * qb, 16), a, c1);
          a = v128.load32_splat(a0 + 3 * qa);
          d0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + 3 * qb), a, d0);
          d1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq + 3 * qb, 16), a, d1);
          a0 += 4;
        }
        bq += 3 * qb;
        a0 += 3 * qa;
        for (; bq < end; bq += 32) {
          const a = v128.load32_splat(a0);
          c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq), a, c0);
          c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(bq, 16), a, c1);
          a0 += 4;
        }
        const zr = i32x4.splat(load<i32>(za + (<usize>i << 2)));
        const tr = i32x4.splat(load<i32>(rowT + (<usize>i << 2)));
        storeRow(c, i, m, n, col, cnt, fix7(i32x4.add(c0, d0), zr, cs0, zb0, tr), fix7(i32x4.add(c1, d1), zr, cs1, zb1, tr));
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ar = a8 + <usize>i * rs;
    const zr = load<i32>(za + (<usize>i << 2)), tr = load<i32>(rowT + (<usize>i << 2));
    for (let j = 0; j < n; j++) {
      const l = j & 7;
      let bq = bp + <usize>(j >> 3) * ps + (<usize>(l >> 2) << 4) + (<usize>(l & 3) << 2);
      let s = 0;
      for (let q = 0; q < KQ; q++, bq += 32) {
        const ap = ar + (<usize>q << 2);
        s += <i32>load<u8>(ap) * <i32>load<i8>(bq) + <i32>load<u8>(ap, 1) * <i32>load<i8>(bq, 1)
          + <i32>load<u8>(ap, 2) * <i32>load<i8>(bq, 2) + <i32>load<u8>(ap, 3) * <i32>load<i8>(bq, 3);
      }
      const ci = (<usize>(j >> 3) << 5) + (<usize>l << 2);
      s = s - zr * load<i32>(colsum + ci) - load<i32>(z8 + ci) * tr;
      store<i32>(c + ((<usize>i * <usize>n + <usize>j) << 2), s);
    }
  }
}

/** Store the first cnt (1..4) lanes of v at p. */
@inline function store4(p: usize, v: v128, cnt: i32): void {
  if (cnt == 4) v128.store(p, v);
  else {
    store<i32>(p, i32x4.extract_lane(v, 0));
    if (cnt > 1) store<i32>(p, i32x4.extract_lane(v, 1), 4);
    if (cnt > 2) store<i32>(p, i32x4.extract_lane(v, 2), 8);
  }
}

// [c0 k01, c0 k23, c1 k01, c1 k23] and the same for c2, c3 -> [c0, c1, c2, c3]
@inline function pairSum(lo: v128, hi: v128): v128 {
  return i32x4.add(v128.shuffle<i32>(lo, hi, 0, 2, 4, 6), v128.shuffle<i32>(lo, hi, 1, 3, 5, 7));
}

/**
 * C[i][j] = sum over k of A16[i][k] * (w8[k][j] - z8[j]) (wrapping i32) = dot(A16 row, w8 column)
 * - z8[j] * sum(A16 row), from A16 (rows of KP k-pairs; the kernel reads whole k-quads, so when KP
 * is odd it reads 4 bytes past a row, which meet zero weights: keep 16 bytes of slack after A16)
 * and packed B8 (int_pack_b8). rowS: m i32 of scratch (the row sums). Each 16 bytes of B8 are
 * widened to i16 once and multiplied with `i32x4.dot_i16x8_s`; rows in tiles of 4, then one at a
 * time (m = 1..3 reads each weight once).
 */
export function int_b8_s16_i32(a16: usize, m: i32, KP: i32, bp: usize, z8: usize, n: i32, rowS: usize, c: usize): void {
  const NP = (n + 7) >> 3;
  const KQ = (KP + 1) >> 1;
  const rs = <usize>KP << 2; // A16 row stride (bytes)
  const ps = <usize>KQ << 5; // packed panel stride (bytes)
  for (let i = 0; i < m; i++) {
    const ar = a16 + <usize>i * rs;
    let s = 0;
    for (let t = 0; t < (KP << 1); t++) s += <i32>load<i16>(ar + (<usize>t << 1));
    store<i32>(rowS + (<usize>i << 2), s);
  }
  if (ASC_FEATURE_SIMD) {
    for (let p = 0; p < NP; p++) {
      const bpp = bp + <usize>p * ps;
      const end = bpp + ps;
      const col = p << 3;
      const ci = <usize>p << 5;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        for (let h = 0; h < 2; h++) {
          const c4 = col + (h << 2);
          const cnt = min(4, n - c4);
          if (cnt <= 0) break;
          let a0 = a16 + <usize>i * rs;
          let a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
          let l0 = i32x4.splat(0), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
          for (let bq = bpp + (<usize>h << 4); bq < end; bq += 32) {
            const v = v128.load(bq);
            const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
            let a = v128.load64_splat(a0);
            l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, lo));
            h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, hi));
            a = v128.load64_splat(a1);
            l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, lo));
            h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, hi));
            a = v128.load64_splat(a2);
            l2 = i32x4.add(l2, i32x4.dot_i16x8_s(a, lo));
            h2 = i32x4.add(h2, i32x4.dot_i16x8_s(a, hi));
            a = v128.load64_splat(a3);
            l3 = i32x4.add(l3, i32x4.dot_i16x8_s(a, lo));
            h3 = i32x4.add(h3, i32x4.dot_i16x8_s(a, hi));
            a0 += 8; a1 += 8; a2 += 8; a3 += 8;
          }
          const zv = v128.load(z8 + ci + (<usize>h << 4));
          for (let r = 0; r < 4; r++) {
            const l = r == 0 ? l0 : r == 1 ? l1 : r == 2 ? l2 : l3;
            const hh = r == 0 ? h0 : r == 1 ? h1 : r == 2 ? h2 : h3;
            const sv = i32x4.splat(load<i32>(rowS + (<usize>(i + r) << 2)));
            store4(c + ((<usize>(i + r) * <usize>n + <usize>c4) << 2), i32x4.sub(pairSum(l, hh), i32x4.mul(zv, sv)), cnt);
          }
        }
      }
      for (; i < m; i++) {
        let a0 = a16 + <usize>i * rs;
        let l0 = i32x4.splat(0), h0 = l0, l1 = l0, h1 = l0;
        let bq = bpp;
        // Four streams: the panel's k-quads in four runs [t Q, (t + 1) Q), one quad of each per step
        // (exact integer sums, in any order), so four reads are in flight where one sequential
        // stream leaves the memory idle (0.70x the time from a cold cache, 1 x 4096 x 4096); then
        // the KQ - 4 Q quads left one at a time. Widening loads (V8 11: 0.88x the time of a load
        // and two extends).
        const Q = <usize>(KQ >> 2);
        const qb = Q << 5, qa = Q << 3; // bytes of a run of the panel and of the row
        for (const e4 = bpp + qb; bq < e4; bq += 32) {
          let a = v128.load64_splat(a0);
          l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq)));
          h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 8)));
          l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 16)));
          h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 24)));
          a = v128.load64_splat(a0 + qa);
          l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + qb)));
          h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + qb, 8)));
          l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + qb, 16)));
          h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + qb, 24)));
          a = v128.load64_splat(a0 + 2 * qa);
          l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 2 * qb)));
          h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 2 * qb, 8)));
          l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 2 * qb, 16)));
          h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 2 * qb, 24)));
          a = v128.load64_splat(a0 + 3 * qa);
          l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 3 * qb)));
          h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 3 * qb, 8)));
          l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 3 * qb, 16)));
          h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq + 3 * qb, 24)));
          a0 += 8;
        }
        bq += 3 * qb;
        a0 += 3 * qa;
        for (; bq < end; bq += 32) {
          const a = v128.load64_splat(a0);
          l0 = i32x4.add(l0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq)));
          h0 = i32x4.add(h0, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 8)));
          l1 = i32x4.add(l1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 16)));
          h1 = i32x4.add(h1, i32x4.dot_i16x8_s(a, v128.load8x8_s(bq, 24)));
          a0 += 8;
        }
        const sv = i32x4.splat(load<i32>(rowS + (<usize>i << 2)));
        const r0 = i32x4.sub(pairSum(l0, h0), i32x4.mul(v128.load(z8 + ci), sv));
        const r1 = i32x4.sub(pairSum(l1, h1), i32x4.mul(v128.load(z8 + ci, 16), sv));
        storeRow(c, i, m, n, col, min(8, n - col), r0, r1);
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ar = a16 + <usize>i * rs;
    const sr = load<i32>(rowS + (<usize>i << 2));
    for (let j = 0; j < n; j++) {
      const l = j & 7;
      let bq = bp + <usize>(j >> 3) * ps + (<usize>(l >> 2) << 4) + (<usize>(l & 3) << 2);
      let s = 0;
      for (let q = 0; q < KQ; q++, bq += 32) {
        const ap = ar + (<usize>q << 3);
        s += <i32>load<i16>(ap) * <i32>load<i8>(bq) + <i32>load<i16>(ap, 2) * <i32>load<i8>(bq, 1)
          + <i32>load<i16>(ap, 4) * <i32>load<i8>(bq, 2) + <i32>load<i16>(ap, 6) * <i32>load<i8>(bq, 3);
      }
      s = s - load<i32>(z8 + (<usize>(j >> 3) << 5) + (<usize>l << 2)) * sr;
      store<i32>(c + ((<usize>i * <usize>n + <usize>j) << 2), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Output stages
// ---------------------------------------------------------------------------------------------

/**
 * QLinearMatMul requantization, as ONNX Runtime's MlasRequantizeOutput:
 *   mult = f32(f32(aScale[i] * bScale[j]) / yScale);  v = f32(c) * mult;
 *   v = clamp(v, qmin - yzp, qmax - yzp);  y = round_half_even(v) + yzp.
 * aScale / bScale are read with strides 0 (per tensor) or 1 (per row / per column).
 */
export function int_requant(c: usize, m: i32, n: i32, as: usize, asStride: i32, bs: usize, bsStride: i32,
  ys: f32, yzp: i32, signed: i32, out: usize): void {
  const qmin: i32 = signed ? -128 : 0;
  const qmax: i32 = signed ? 127 : 255;
  const lo = <f32>(qmin - yzp), hi = <f32>(qmax - yzp);
  for (let i = 0; i < m; i++) {
    const asi = load<f32>(as + (<usize>(i * asStride) << 2));
    const cr = c + ((<usize>i * <usize>n) << 2);
    const orow = out + <usize>i * <usize>n;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      // through memory: V8 rematerialises splats in loops (int_requant 0.93 -> 0.79 ms on 1024 x 4096)
      v128.store(GC, f32x4.splat(asi), 0);
      v128.store(GC, f32x4.splat(ys), 16);
      v128.store(GC, f32x4.splat(lo), 32);
      v128.store(GC, f32x4.splat(hi), 48);
      v128.store(GC, f32x4.splat(MAGIC), 64);
      v128.store(GC, i32x4.splat(MAGIC_BITS - yzp), 80);
      const av = v128.load(GC, 0), yv = v128.load(GC, 16), lov = v128.load(GC, 32), hiv = v128.load(GC, 48);
      const mg = v128.load(GC, 64), bias = v128.load(GC, 80);
      let mv = f32x4.div(f32x4.mul(av, f32x4.splat(load<f32>(bs))), yv);
      for (; j + 16 <= n; j += 16) {
        const cp = cr + (<usize>j << 2);
        let m0 = mv, m1 = mv, m2 = mv, m3 = mv;
        if (bsStride != 0) {
          const bp = bs + (<usize>j << 2);
          m0 = f32x4.div(f32x4.mul(av, v128.load(bp)), yv);
          m1 = f32x4.div(f32x4.mul(av, v128.load(bp, 16)), yv);
          m2 = f32x4.div(f32x4.mul(av, v128.load(bp, 32)), yv);
          m3 = f32x4.div(f32x4.mul(av, v128.load(bp, 48)), yv);
        }
        const r0 = rq(v128.load(cp), m0, lov, hiv, mg, bias);
        const r1 = rq(v128.load(cp, 16), m1, lov, hiv, mg, bias);
        const r2 = rq(v128.load(cp, 32), m2, lov, hiv, mg, bias);
        const r3 = rq(v128.load(cp, 48), m3, lov, hiv, mg, bias);
        const l16 = i16x8.narrow_i32x4_s(r0, r1), h16 = i16x8.narrow_i32x4_s(r2, r3);
        v128.store(orow + <usize>j, signed ? i8x16.narrow_i16x8_s(l16, h16) : i8x16.narrow_i16x8_u(l16, h16));
      }
    }
    for (; j < n; j++) {
      const mult = (asi * load<f32>(bs + (<usize>(j * bsStride) << 2))) / ys;
      let v = <f32>load<i32>(cr + (<usize>j << 2)) * mult;
      v = max<f32>(v, lo);
      v = min<f32>(v, hi);
      store<u8>(orow + <usize>j, <u8>(<i32>nearest<f32>(v) + yzp));
    }
  }
}

// Clamp with pmin / pmax (no NaN can occur: c is an integer and the multiplier is finite), then
// the magic-number rounding: bits(v + 1.5 * 2^23) - bits(1.5 * 2^23) = round_half_even(v).
@inline function rq(c: v128, mult: v128, lo: v128, hi: v128, mg: v128, bias: v128): v128 {
  let v = f32x4.mul(f32x4.convert_i32x4_s(c), mult);
  v = f32x4.pmin(f32x4.pmax(v, lo), hi);
  return i32x4.sub(f32x4.add(v, mg), bias);
}

/**
 * Dequantize an i32 product (the dynamic-quantized linear layer):
 *   y = f32(c) * f32(sx[i] * sw[j * swStride]) (+ bias[j] when bias != 0).
 */
export function int_dequant(c: usize, m: i32, n: i32, sx: usize, sw: usize, swStride: i32, bias: usize, out: usize): void {
  for (let i = 0; i < m; i++) {
    const sxi = load<f32>(sx + (<usize>i << 2));
    const cr = c + ((<usize>i * <usize>n) << 2);
    const orow = out + ((<usize>i * <usize>n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const sv = f32x4.splat(sxi);
      const sw0 = f32x4.mul(sv, f32x4.splat(load<f32>(sw)));
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const s = swStride != 0 ? f32x4.mul(sv, v128.load(sw + o)) : sw0;
        let y = f32x4.mul(f32x4.convert_i32x4_s(v128.load(cr + o)), s);
        if (bias != 0) y = f32x4.add(y, v128.load(bias + o));
        v128.store(orow + o, y);
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let y = <f32>load<i32>(cr + o) * (sxi * load<f32>(sw + (<usize>(j * swStride) << 2)));
      if (bias != 0) y = y + load<f32>(bias + o);
      store<f32>(orow + o, y);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Activation quantization
// ---------------------------------------------------------------------------------------------

/**
 * DynamicQuantizeLinear of each row of x (m x k f32), as ONNX Runtime computes it (uint8; the same
 * f32 formulas as the quantization family's dynamicQuantize), straight into A16 (u8 - zp as i16).
 * scales[i] / zps[i] receive the row's parameters; a row holding NaN or +-Inf gets scale NaN (the
 * caller rejects it). tmp: 16 + k bytes of scratch.
 */
export function int_dynq_rows(x: usize, m: i32, k: i32, mPad: i32, a16: usize, scales: usize, zps: usize, tmp: usize): void {
  dynqRows(x, m, k, mPad, a16, scales, zps, tmp, 255, 0, 0, 0);
}

/**
 * int_dynq_rows with the activation range [0, 127] (reduce range: qmax = 127 in every formula, so
 * q = min(saturate_u8(round_half_even(x / scale) + zp), 127)). Writes A16 (q - zp as i16) when
 * a16 != 0, and when a8 != 0 the bytes q (rows of k4 bytes, k4 a multiple of 4, zero padded;
 * mPad rows) with rowT[i] = sum(q) - k * zp for the zero-point correction of int_b8_u7_i32.
 */
export function int_dynq_rows_u7(x: usize, m: i32, k: i32, mPad: i32, a16: usize, scales: usize, zps: usize, tmp: usize,
  a8: usize, k4: i32, rowT: usize): void {
  dynqRows(x, m, k, mPad, a16, scales, zps, tmp, 127, a8, k4, rowT);
}

@inline function dynqRows(x: usize, m: i32, k: i32, mPad: i32, a16: usize, scales: usize, zps: usize, tmp: usize,
  qmax: i32, a8: usize, k4: i32, rowT: usize): void {
  const kp2 = (k + 1) & ~1;
  const fq = <f32>qmax;
  const row = tmp + 16;
  for (let i = 0; i < mPad; i++) {
    const o = a16 + ((<usize>i * <usize>kp2) << 1);
    const o8 = a8 + <usize>i * <usize>k4;
    const si = scales + (<usize>i << 2), zi = zps + (<usize>i << 2);
    if (i >= m || k == 0) {
      if (a16 != 0) memory.fill(o, 0, <usize>kp2 << 1);
      if (a8 != 0) { memory.fill(o8, 0, <usize>k4); store<i32>(rowT + (<usize>i << 2), 0); }
      store<f32>(si, i >= m ? 0 : 1);
      store<i32>(zi, 0);
      continue;
    }
    const xr = x + ((<usize>i * <usize>k) << 2);
    quant_minmax_f32(xr, k, tmp);
    const mn = load<f32>(tmp), mx = load<f32>(tmp, 4);
    if (!isFinite<f32>(mn) || !isFinite<f32>(mx)) {
      store<f32>(si, NaN);
      store<i32>(zi, 0);
      if (a16 != 0) memory.fill(o, 0, <usize>kp2 << 1);
      if (a8 != 0) { memory.fill(o8, 0, <usize>k4); store<i32>(rowT + (<usize>i << 2), 0); }
      continue;
    }
    const lo = min<f32>(mn, 0), hi = max<f32>(mx, 0);
    let scale: f32 = 1;
    let zp: i32 = 0;
    if (lo != hi) {
      // floored at the smallest positive f32 when (hi - lo) / qmax underflows (as sparq's dynamicQuantize)
      scale = max<f32>((hi - lo) / fq, reinterpret<f32>(1));
      const initial: f32 = <f32>0 - lo / scale;
      zp = <i32>nearest<f32>(min<f32>(max<f32>(initial, 0), fq));
    }
    store<f32>(si, scale);
    store<i32>(zi, zp);
    store<f32>(tmp, scale, 8);
    store<i32>(tmp, zp, 12);
    // the row's bytes go straight to A8 when it is asked for (then A16 is widened from there)
    const q = a8 != 0 ? o8 : row;
    quant_quantize_f32_q8(xr, q, 1, k, 1, k, tmp + 8, tmp + 12, 0, 0, 0, 0);
    let j = 0;
    if (qmax < 255) {
      // clamp to qmax and sum the bytes (the sum only matters for A8)
      let sum = 0;
      if (ASC_FEATURE_SIMD) {
        const cap = i8x16.splat(<i8>qmax);
        let acc = i32x4.splat(0);
        for (; j + 16 <= k; j += 16) {
          const v = i8x16.min_u(v128.load(q + <usize>j), cap);
          v128.store(q + <usize>j, v);
          acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v)));
        }
        sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
      }
      for (; j < k; j++) {
        const v = min<i32>(<i32>load<u8>(q + <usize>j), qmax);
        store<u8>(q + <usize>j, <u8>v);
        sum += v;
      }
      if (a8 != 0) {
        for (let t = k; t < k4; t++) store<u8>(o8 + <usize>t, 0);
        store<i32>(rowT + (<usize>i << 2), sum - k * zp);
      }
      j = 0;
    }
    if (a16 == 0) continue;
    if (ASC_FEATURE_SIMD) {
      const zv = i16x8.splat(<i16>zp);
      for (; j + 16 <= k; j += 16) {
        const v = v128.load(q + <usize>j);
        v128.store(o + (<usize>j << 1), i16x8.sub(i16x8.extend_low_i8x16_u(v), zv));
        v128.store(o + (<usize>j << 1), i16x8.sub(i16x8.extend_high_i8x16_u(v), zv), 16);
      }
    }
    for (; j < k; j++) store<i16>(o + (<usize>j << 1), <i16>(<i32>load<u8>(q + <usize>j) - zp));
    if (k & 1) store<i16>(o + (<usize>k << 1), 0);
  }
}

/**
 * Blockwise symmetric int8 quantization of each row of x (m x k f32) for the int4 product: per
 * block of bs along k, s = f32(max |x| / 127) and q = clamp(round_half_even(x / s), -127, 127).
 * A block whose s is 0 (all zero, or so tiny that max / 127 underflows) is stored as zeros with
 * s = 0. A block holding NaN or +-Inf gets a non-finite s (the caller rejects it).
 * a16: mPad rows of KB * bs i16; sx, sums: mPad * KB f32 / i32 (sums: the block's sum of q, for the
 * zero-point correction of the int4 product).
 */
export function int_quant_rows_blocked(x: usize, m: i32, k: i32, bs: i32, KB: i32, mPad: i32, a16: usize, sx: usize, sums: usize): void {
  const rowLen = KB * bs;
  for (let i = 0; i < mPad; i++) {
    const o = a16 + ((<usize>i * <usize>rowLen) << 1);
    const so = sx + ((<usize>i * <usize>KB) << 2);
    const sumo = sums + ((<usize>i * <usize>KB) << 2);
    if (i >= m) {
      memory.fill(o, 0, <usize>rowLen << 1);
      memory.fill(so, 0, <usize>KB << 2);
      memory.fill(sumo, 0, <usize>KB << 2);
      continue;
    }
    const xr = x + ((<usize>i * <usize>k) << 2);
    for (let b = 0; b < KB; b++) {
      const start = b * bs;
      const len = min(bs, k - start);
      const xb = xr + (<usize>start << 2);
      const ob = o + (<usize>start << 1);
      let amax: f32 = 0;
      for (let t = 0; t < len; t++) amax = max<f32>(amax, abs<f32>(load<f32>(xb + (<usize>t << 2))));
      const s: f32 = amax / <f32>127;
      store<f32>(so + (<usize>b << 2), s);
      store<i32>(sumo + (<usize>b << 2), 0);
      if (s == 0 || !isFinite<f32>(s)) {
        memory.fill(ob, 0, <usize>bs << 1);
        continue;
      }
      let sum = 0;
      for (let t = 0; t < len; t++) {
        let v = nearest<f32>(load<f32>(xb + (<usize>t << 2)) / s);
        v = min<f32>(max<f32>(v, -127), 127);
        const q = <i32>v;
        sum += q;
        store<i16>(ob + (<usize>t << 1), <i16>q);
      }
      store<i32>(sumo + (<usize>b << 2), sum);
      for (let t = len; t < bs; t++) store<i16>(ob + (<usize>t << 1), 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// int4 weights
// ---------------------------------------------------------------------------------------------

/**
 * Byte offset (in a 16-byte quad) and nibble shift of column c (0..7) and k offset r (0..3); bit 8:
 * the high nibble (columns 4..7). The relaxed build keeps a column's four k in adjacent bytes (byte
 * 4 (c & 3) + r) for its int8 dot; the others interleave the quad's two k-pairs (see the top).
 */
@inline function nibblePos(c: i32, r: i32): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return (((c & 3) << 2) + r) | ((c >> 2) << 8);
  return (((r >> 1) << 3) + ((c & 3) << 1) + (r & 1)) | ((c >> 2) << 8);
}

/**
 * Quantize w (k x n f32, row-major, finite) to int4 per block of bs along k, per column:
 * - symmetric: v = the element of largest |w| (first in k order), scale = f32(v / -8), zp = 8,
 *   q = clamp(round_half_even(w / scale), -8, 7) + 8; an all-zero block has scale 0 and q = 8.
 * - asymmetric: lo = min(0, min w), hi = max(0, max w), scale = f32(f32(hi - lo) / 15),
 *   zp = clamp(round_half_even(f32(0 - lo / scale)), 0, 15), q = clamp(round_half_even(w / scale) + zp, 0, 15);
 *   lo == hi (or a scale that underflows to 0) gives scale 1, zp 0.
 * Writes the packed nibbles (layout above), scales [NP][KB][8] f32 and zero points [NP][KB][8] i32.
 */
export function int_pack_int4(w: usize, k: i32, n: i32, bs: i32, symmetric: i32, KB: i32, out: usize, sc: usize, zp32: usize): void {
  const NP = (n + 7) >> 3;
  const qpb = bs >> 2;
  for (let p = 0; p < NP; p++) {
    for (let b = 0; b < KB; b++) {
      const pb = p * KB + b;
      const qo = out + ((<usize>pb * <usize>qpb) << 4);
      memory.fill(qo, 0, <usize>qpb << 4);
      const start = b * bs;
      const len = min(bs, k - start);
      for (let c = 0; c < 8; c++) {
        const col = (p << 3) + c;
        let scale: f32 = 0;
        let zp: i32 = 0;
        if (col < n) {
          const wc = w + ((<usize>start * <usize>n + <usize>col) << 2);
          const step = <usize>n << 2;
          if (symmetric) {
            let amax: f32 = 0, vmax: f32 = 0;
            for (let t = 0; t < len; t++) {
              const v = load<f32>(wc + <usize>t * step);
              if (abs<f32>(v) > amax) { amax = abs<f32>(v); vmax = v; }
            }
            scale = amax == 0 ? 0 : vmax / <f32>-8;
            zp = 8;
          } else {
            let lo: f32 = 0, hi: f32 = 0;
            for (let t = 0; t < len; t++) {
              const v = load<f32>(wc + <usize>t * step);
              lo = min<f32>(lo, v);
              hi = max<f32>(hi, v);
            }
            scale = (hi - lo) / <f32>15;
            if (lo == hi || scale == 0) { scale = 1; zp = 0; } else {
              const initial: f32 = <f32>0 - lo / scale;
              zp = <i32>nearest<f32>(min<f32>(max<f32>(initial, 0), 15));
            }
          }
          for (let t = 0; t < bs; t++) {
            let q = zp;
            if (t < len && scale != 0) {
              const v = nearest<f32>(load<f32>(wc + <usize>t * step) / scale);
              q = symmetric ? <i32>min<f32>(max<f32>(v, -8), 7) + 8 : <i32>min<f32>(max<f32>(v + <f32>zp, 0), 15);
            }
            const pos = nibblePos(c, t & 3);
            const addr = qo + ((<usize>(t >> 2)) << 4) + <usize>(pos & 0xff);
            store<u8>(addr, load<u8>(addr) | <u8>(q << ((pos >> 8) << 2)));
          }
        }
        store<f32>(sc + ((<usize>pb << 5) + (<usize>c << 2)), scale);
        store<i32>(zp32 + ((<usize>pb << 5) + (<usize>c << 2)), zp);
      }
    }
  }
}

/** Rows i .. i + rows - 1 of columns col .. col + cnt - 1 from the tile (32 bytes per row), + bias. */
// @ts-ignore: decorator
@inline function tileOut(tile: usize, out: usize, i: i32, rows: i32, m: i32, n: i32, col: i32, cnt: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = i + r;
    if (row >= m) break;
    const tp = tile + (<usize>r << 5);
    let v0 = v128.load(tp), v1 = v128.load(tp, 16);
    if (bias != 0) {
      if (cnt == 8) {
        v0 = f32x4.add(v0, v128.load(bias + (<usize>col << 2)));
        v1 = f32x4.add(v1, v128.load(bias + (<usize>col << 2), 16));
      } else {
        for (let t = 0; t < cnt; t++) {
          const ta = tp + (<usize>t << 2);
          store<f32>(ta, load<f32>(ta) + load<f32>(bias + (<usize>(col + t) << 2)));
        }
        v0 = v128.load(tp); v1 = v128.load(tp, 16);
      }
    }
    storeRow(out, row, m, n, col, cnt, v0, v1);
  }
}

/**
 * f32(dot) * (sx * scale) for 4 columns, dot = c - zp * sum(a) (sym: zero point 8 in every column;
 * else the 4 zero points at zp): the term blockUpdate adds, for rows added up in registers.
 */
// @ts-ignore: decorator
@inline function blockTerm(c: v128, sym: i32, zp: usize, sa: i32, sxv: v128, s: v128): v128 {
  let d: v128;
  if (sym) d = i32x4.sub(c, i32x4.splat(sa << 3));
  else d = i32x4.sub(c, i32x4.mul(v128.load(zp), i32x4.splat(sa)));
  return f32x4.mul(f32x4.convert_i32x4_s(d), f32x4.mul(sxv, s));
}

/**
 * Block b of panel p for one row: the exact dots of its 8 columns, less zp * sum(a), then
 * f32(dot) * (sx * scale) stored at terms + 32 b (two f32x4: columns 0..3, 4..7). SIMD build: ar
 * is the row of A16 and mask 0x000f per i16 lane; c0 sums a * (low nibble), c1 sums a * byte =
 * a * low + 16 a * high, so the high columns' dot is (c1 - c0) >> 4, exactly, with no shift of the
 * weights. Relaxed build: ar is the row as int8 bytes and mask 0x0f per byte; one relaxed int8 dot
 * per nibble half of each k-quad (its own quad layout: each column's four k in adjacent bytes).
 * Two k-quads per step (measured faster than one, four or eight).
 */
// @ts-ignore: decorator
@inline function int4Block(w4: usize, ar: usize, p: i32, KB: i32, b: i32, qpb: i32, bs: i32, sxr: usize, sr: usize,
  sc: usize, zp32: usize, sym: i32, mask: v128, terms: usize): void {
  const pb = <usize>(p * KB + b);
  let wq = w4 + ((pb * <usize>qpb) << 4);
  const wend = wq + (<usize>qpb << 4);
  let c0 = i32x4.splat(0), c1 = c0;
  if (ASC_FEATURE_RELAXED_SIMD) {
    let r0 = ar + <usize>b * <usize>bs;
    for (; wq < wend; wq += 32) {
      let v = v128.load(wq);
      let a = v128.load32_splat(r0);
      c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, v128.and(v, mask), c0);
      c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, v128.and(i16x8.shr_u(v, 4), mask), c1);
      v = v128.load(wq, 16);
      a = v128.load32_splat(r0, 4);
      c0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, v128.and(v, mask), c0);
      c1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, v128.and(i16x8.shr_u(v, 4), mask), c1);
      r0 += 8;
    }
  } else {
    let a0 = ar + ((<usize>b * <usize>bs) << 1);
    let a = c0, v = c0;
    for (; wq < wend; wq += 32) {
      a = v128.load32_splat(a0, 0); v = v128.load8x8_u(wq, 0);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a, v128.and(v, mask)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a, v));
      a = v128.load32_splat(a0, 4); v = v128.load8x8_u(wq, 8);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a, v128.and(v, mask)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a, v));
      a = v128.load32_splat(a0, 8); v = v128.load8x8_u(wq, 16);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a, v128.and(v, mask)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a, v));
      a = v128.load32_splat(a0, 12); v = v128.load8x8_u(wq, 24);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a, v128.and(v, mask)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a, v));
      a0 += 16;
    }
    c1 = i32x4.shr_s(i32x4.sub(c1, c0), 4);
  }
  blockTerms(c1, c0, pb, b, sxr, sr, sc, zp32, sym, terms);
}

/**
 * One row of panel p (rows outside a tile of 4): four streams, the blocks in four runs
 * [t Q, (t + 1) Q), one block of each per step, so four reads are in flight where one sequential
 * stream leaves the memory idle; each block's term goes to the scratch, then the terms are added
 * in block order (the order of the sum is kept: the same bits) and the row is stored (+ bias).
 */
// @ts-ignore: decorator
@inline function int4Row(w4: usize, ar: usize, p: i32, KB: i32, qpb: i32, bs: i32, sxr: usize, sr: usize, sc: usize, zp32: usize,
  sym: i32, mask: v128, terms: usize, tile: usize, out: usize, i: i32, m: i32, n: i32, col: i32, cnt: i32, bias: usize): void {
  const Q = KB >> 2;
  for (let t = 0; t < Q; t++) {
    int4Block(w4, ar, p, KB, t, qpb, bs, sxr, sr, sc, zp32, sym, mask, terms);
    int4Block(w4, ar, p, KB, t + Q, qpb, bs, sxr, sr, sc, zp32, sym, mask, terms);
    int4Block(w4, ar, p, KB, t + 2 * Q, qpb, bs, sxr, sr, sc, zp32, sym, mask, terms);
    int4Block(w4, ar, p, KB, t + 3 * Q, qpb, bs, sxr, sr, sc, zp32, sym, mask, terms);
  }
  for (let b = 4 * Q; b < KB; b++) int4Block(w4, ar, p, KB, b, qpb, bs, sxr, sr, sc, zp32, sym, mask, terms);
  termsOut(terms, KB, tile);
  tileOut(tile, out, i, 1, m, n, col, cnt, bias);
}

/** The four rows' block terms of a tile (blockUpdate), from their accumulators. */
// @ts-ignore: decorator
@inline function tileBlock(tile: usize, sc: usize, zp32: usize, pb: i32, b: i32, sxr: usize, sxs: usize, sr: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  const s0 = v128.load(sc + (<usize>pb << 5)), s1 = v128.load(sc + (<usize>pb << 5), 16);
  const z0 = v128.load(zp32 + (<usize>pb << 5)), z1 = v128.load(zp32 + (<usize>pb << 5), 16);
  const bo = <usize>b << 2;
  blockUpdate(tile, 0, f32x4.splat(load<f32>(sxr + bo)), s0, s1, c00, c01, z0, z1, i32x4.splat(load<i32>(sr + bo)));
  blockUpdate(tile, 32, f32x4.splat(load<f32>(sxr + sxs + bo)), s0, s1, c10, c11, z0, z1, i32x4.splat(load<i32>(sr + sxs + bo)));
  blockUpdate(tile, 64, f32x4.splat(load<f32>(sxr + 2 * sxs + bo)), s0, s1, c20, c21, z0, z1, i32x4.splat(load<i32>(sr + 2 * sxs + bo)));
  blockUpdate(tile, 96, f32x4.splat(load<f32>(sxr + 3 * sxs + bo)), s0, s1, c30, c31, z0, z1, i32x4.splat(load<i32>(sr + 3 * sxs + bo)));
}

/** A block's terms f32(c - zp * sum(a)) * (sx * scale) for columns 0..3 (c0) and 4..7 (c1). */
// @ts-ignore: decorator
@inline function blockTerms(c1: v128, c0: v128, pb: usize, b: i32, sxr: usize, sr: usize, sc: usize, zp32: usize, sym: i32, terms: usize): void {
  const so = pb << 5, bo = <usize>b << 2;
  const sxv = f32x4.splat(load<f32>(sxr + bo)), sa = load<i32>(sr + bo);
  const d = terms + (<usize>b << 5);
  v128.store(d, blockTerm(c0, sym, zp32 + so, sa, sxv, v128.load(sc + so)));
  v128.store(d, blockTerm(c1, sym, zp32 + so + 16, sa, sxv, v128.load(sc + so, 16)), 16);
}

/** The row's output: 0 + term_0 + term_1 + ... in block order, into the tile's first row. */
// @ts-ignore: decorator
@inline function termsOut(terms: usize, KB: i32, tile: usize): void {
  let y0 = f32x4.splat(0), y1 = y0;
  const end = terms + (<usize>KB << 5);
  for (let t = terms; t < end; t += 32) {
    y0 = f32x4.add(y0, v128.load(t));
    y1 = f32x4.add(y1, v128.load(t, 16));
  }
  v128.store(tile, y0);
  v128.store(tile, y1, 16);
}

/**
 * The blocks of panel p for a tile of 4 rows (ar: the first row, rs: the row stride): per block
 * the dots of the 4 rows' 8 columns, then their terms added into the tile (tileBlock). SIMD build:
 * ar is A16 and each quad's bytes widen to low / high nibble pairs for four i32x4.dot_i16x8_s per
 * row. Relaxed build: ar is A8 (int8 bytes) and one relaxed int8 dot per nibble half and row, on
 * the relaxed layout (each column's four k of a quad in adjacent bytes), its pointers running on
 * from block to block (recomputed per block it measured 1.05x the time at 64 rows).
 */
// @ts-ignore: decorator
@inline function int4Tile4(w4: usize, ar: usize, rs: usize, p: i32, KB: i32, qpb: i32, bs: i32, mask: v128,
  tile: usize, sc: usize, zp32: usize, sxr: usize, sxs: usize, sr: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    let wq = w4 + ((<usize>p * <usize>KB * <usize>qpb) << 4);
    let r0 = ar;
    for (let b = 0; b < KB; b++) {
      const wend = wq + (<usize>qpb << 4);
      let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (; wq < wend; wq += 16) {
        const v = v128.load(wq);
        const lo = v128.and(v, mask), hi = v128.and(i16x8.shr_u(v, 4), mask);
        let a = v128.load32_splat(r0);
        c00 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, lo, c00);
        c01 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, hi, c01);
        a = v128.load32_splat(r0 + rs);
        c10 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, lo, c10);
        c11 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, hi, c11);
        a = v128.load32_splat(r0 + 2 * rs);
        c20 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, lo, c20);
        c21 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, hi, c21);
        a = v128.load32_splat(r0 + 3 * rs);
        c30 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, lo, c30);
        c31 = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, hi, c31);
        r0 += 4;
      }
      tileBlock(tile, sc, zp32, p * KB + b, b, sxr, sxs, sr, c00, c01, c10, c11, c20, c21, c30, c31);
    }
    return;
  }
  for (let b = 0; b < KB; b++) {
    const pb = p * KB + b;
    let wq = w4 + ((<usize>pb * <usize>qpb) << 4);
    const wend = wq + (<usize>qpb << 4);
    let a0 = ar + ((<usize>b * <usize>bs) << 1);
    let a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs;
    let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (; wq < wend; wq += 16) {
      const v = v128.load(wq);
      const lo = i16x8.extend_low_i8x16_u(v), hi = i16x8.extend_high_i8x16_u(v);
      // The zero points are not subtracted here but once per block (zp * sum(a)): 4 fewer
      // ops and 2 fewer registers per quad; measured the same speed within noise (44.3 vs
      // 44.8 ms, min of 12, 64x4096x4096, loaded machine), kept for the lighter loop.
      const b00 = v128.and(lo, mask), b01 = i16x8.shr_u(lo, 4);
      const b10 = v128.and(hi, mask), b11 = i16x8.shr_u(hi, 4);
      let a = v128.load32_splat(a0);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b00));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b01));
      a = v128.load32_splat(a0, 4);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b10));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b11));
      a = v128.load32_splat(a1);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b00));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b01));
      a = v128.load32_splat(a1, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b10));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b11));
      a = v128.load32_splat(a2);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b00));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b01));
      a = v128.load32_splat(a2, 4);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b10));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b11));
      a = v128.load32_splat(a3);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b00));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b01));
      a = v128.load32_splat(a3, 4);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b10));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b11));
      a0 += 8; a1 += 8; a2 += 8; a3 += 8;
    }
    tileBlock(tile, sc, zp32, pb, b, sxr, sxs, sr, c00, c01, c10, c11, c20, c21, c30, c31);
  }
}

/**
 * The int4 product: out (m x n f32) = sum over blocks b, in order, of f32(dot_b) * f32(sx[i][b] * scale[b][j]),
 * accumulated in f32 starting from 0 (acc = acc + term), then + bias[j] when bias != 0.
 * dot_b is the exact i32 dot of the block's int8 activations with (q - zp), computed as
 * dot(a, q) - zp * sum(a) (sums: the activation block sums) so the inner loop has no subtraction.
 * a16: mPad rows of KB * bs i16; sx: mPad * KB f32; tile: 128 + 32 * KB bytes of scratch (the relaxed
 * build: + mPad * KB * bs). sym: the zero point is 8 in every column (symmetric weights).
 * The relaxed build runs on its own nibble layout (int_pack_int4: each column's four k of a quad in
 * adjacent bytes): the activations narrowed to int8 bytes (exact, |a| <= 127) into the scratch
 * after the block terms, then one `i32x4.relaxed_dot_i8x16_i7x16_add_s` per 16 products with the
 * nibbles (0..15) as its 7-bit operand: exact in every engine, the same dots as the plain kernel.
 */
export function int_int4_f32(a16: usize, m: i32, mPad: i32, KB: i32, bs: i32, sx: usize, sums: usize,
  w4: usize, sc: usize, zp32: usize, sym: i32, n: i32, bias: usize, out: usize, tile: usize): void {
  const NP = (n + 7) >> 3;
  const qpb = bs >> 2;
  const rs16 = (<usize>KB * <usize>bs) << 1; // A16 row stride (bytes)
  if (ASC_FEATURE_SIMD) {
    const terms = tile + 128; // KB * 32 bytes: one row's block terms
    // the relaxed build: A8 (rows of KB * bs bytes) after the terms, a mask per byte
    const rs = ASC_FEATURE_RELAXED_SIMD ? rs16 >> 1 : rs16;
    const ar = ASC_FEATURE_RELAXED_SIMD ? terms + (<usize>KB << 5) : a16;
    const mask = ASC_FEATURE_RELAXED_SIMD ? i8x16.splat(0x0f) : i16x8.splat(0x0f);
    if (ASC_FEATURE_RELAXED_SIMD) {
      for (let t: usize = 0; t < <usize>mPad * rs; t += 16) {
        v128.store(ar + t, i8x16.narrow_i16x8_s(v128.load(a16 + (t << 1)), v128.load(a16 + (t << 1), 16)));
      }
    }
    for (let p = 0; p < NP; p++) {
      const col = p << 3;
      const cnt = min(8, n - col);
      // rows in tiles of 4 while 4 remain, then one at a time (m = 1..3 reads each weight once)
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        memory.fill(tile, 0, 128);
        const sxr = sx + ((<usize>i * <usize>KB) << 2);
        const sxs = <usize>KB << 2;
        int4Tile4(w4, ar + <usize>i * rs, rs, p, KB, qpb, bs, mask, tile, sc, zp32, sxr, sxs, sums + (sxr - sx));
        tileOut(tile, out, i, 4, m, n, col, cnt, bias);
      }
      for (; i < m; i++) {
        int4Row(w4, ar + <usize>i * rs, p, KB, qpb, bs, sx + ((<usize>i * <usize>KB) << 2), sums + ((<usize>i * <usize>KB) << 2),
          sc, zp32, sym, mask, terms, tile, out, i, m, n, col, cnt, bias);
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ar = a16 + <usize>i * rs16;
    for (let j = 0; j < n; j++) {
      const p = j >> 3, c = j & 7;
      let acc: f32 = 0;
      for (let b = 0; b < KB; b++) {
        const pb = p * KB + b;
        const qo = w4 + ((<usize>pb * <usize>qpb) << 4);
        const zp = load<i32>(zp32 + (<usize>pb << 5) + (<usize>c << 2));
        const ab = ar + ((<usize>b * <usize>bs) << 1);
        let dot = 0;
        for (let t = 0; t < bs; t++) {
          const pos = nibblePos(c, t & 3);
          const q = (<i32>load<u8>(qo + ((<usize>(t >> 2)) << 4) + <usize>(pos & 0xff)) >> ((pos >> 8) << 2)) & 15;
          dot += <i32>load<i16>(ab + (<usize>t << 1)) * (q - zp);
        }
        const s = load<f32>(sx + ((<usize>i * <usize>KB + <usize>b) << 2)) * load<f32>(sc + (<usize>pb << 5) + (<usize>c << 2));
        acc = acc + <f32>dot * s;
      }
      if (bias != 0) acc = acc + load<f32>(bias + (<usize>j << 2));
      store<f32>(out + ((<usize>i * <usize>n + <usize>j) << 2), acc);
    }
  }
}

// dot = c - zp * sum(a); tile[r][0..7] += f32(dot) * (sx * scale): the SIMD twin of the scalar
// `acc = acc + f32(dot) * s`.
@inline function blockUpdate(tile: usize, off: usize, sxv: v128, s0: v128, s1: v128, c0: v128, c1: v128,
  z0: v128, z1: v128, sum: v128): void {
  const t = tile + off;
  c0 = i32x4.sub(c0, i32x4.mul(z0, sum));
  c1 = i32x4.sub(c1, i32x4.mul(z1, sum));
  v128.store(t, f32x4.add(v128.load(t), f32x4.mul(f32x4.convert_i32x4_s(c0), f32x4.mul(sxv, s0))));
  v128.store(t, f32x4.add(v128.load(t, 16), f32x4.mul(f32x4.convert_i32x4_s(c1), f32x4.mul(sxv, s1))), 16);
}
