/**
 * int8 / uint8 linear quantization kernels (ONNX QuantizeLinear / DequantizeLinear, PyTorch
 * quantize_per_tensor / per_channel).
 *
 * Every function takes raw pointers and sizes and never allocates. The SIMD path and the scalar path
 * compute each element with the same IEEE operations in the same order, so both builds give the same
 * bits. Element-wise results do not depend on the order of elements; reductions here (min / max) are
 * order-independent in IEEE semantics (NaN-propagating min / max, -0 < +0).
 * @module
 */

import { QUANT_MUL as Q_MUL, QUANT_SIGNED as Q_SIGNED } from './consts';
import { minmaxRow } from './minmax';
import { tls } from './mem';

// ---------------------------------------------------------------------------------------------
// Quantize one element: v = x / s (or x * s'), nearest-even, clamp to [qmin - zp, qmax - zp] in
// f32 (NaN stays NaN through wasm min/max), truncate with saturation (NaN -> 0), add zp.
// So NaN -> zp and +-Inf saturate.
// ---------------------------------------------------------------------------------------------

@inline function quantOne(x: f32, s: f32, lo: f32, hi: f32, zp: i32, mul: bool): i32 {
  let v = mul ? x * s : x / s;
  // i32.trunc_sat (nontrapping-f2i is on by default): NaN -> 0, +-Inf and |v| >= 2^31 -> +-(2^31-ish)
  let k = <i32>nearest<f32>(v);
  // The clamp in i32 (selects, which V8 compiles to cmov) rather than in f32 (which it compiles to
  // branches that mispredict on data that saturates at random). lo / hi are the integers qmin - zp,
  // qmax - zp as f32.
  const ilo = <i32>lo, ihi = <i32>hi;
  k = k < ilo ? ilo : k;
  k = k > ihi ? ihi : k;
  return k + zp;
}

// SIMD rounding without f32x4.nearest / trunc_sat / min / max (each several instructions on x64):
// after v = x / s, NaN lanes are zeroed (eq + and), v is clamped from below to -2^22 with pmax (one
// instruction), and adding 1.5 * 2^23 rounds v half-to-even into the low mantissa bits, so
// bits(v + MAGIC) - bits(MAGIC) is the integer. Above 2^22 no clamp is needed: positive floats
// order like their bits, so a large v (or +Inf) still gives an i32 above 2^22 that saturates. Adding
// zp in i32 and the two saturating narrows give saturate(round(v) + zp).
const MAGIC: f32 = 12582912.0; // 1.5 * 2^23
const MAGIC_BITS: i32 = 0x4b400000;
const CLAMP: f32 = 4194304.0; // 2^22

// Loop constants go through this scratch and a v128.load: V8 rematerialises a splat or v128.const
// inside the loop (3-4 instructions each per iteration); a load stays hoisted.
const QC: usize = memory.data(112, 16);

/** NaN -> +0, then clamp from below to -2^22. */
@inline function prep(a: v128, lo: v128): v128 {
  return f32x4.pmax(v128.and(a, f32x4.eq(a, a)), lo); // a < -2^22 ? -2^22 : a
}

// The fast loops skip the NaN test: pmax with the bound first, pmax(MARK, v), returns MARK for a
// NaN lane as well as for every v below it (all of which saturate), in one instruction. A NaN must
// give zp instead, so the loop keeps the minimum of its i16 lanes, and a run where any lane came
// out at or below MARK + 255 (a NaN, or a value that saturates anyway) is redone by the exact loop
// (NaN -> 0 first, the clamp at -2^22). Same bits, one instruction less per vector.
const MARK: f32 = -16384.0;
const MARK_SEEN: i16 = -16384 + 255; // MARK + zp for every zp of either dtype is at most this
// The bracket loop looks at its minimum every MARK_CHUNK elements (a multiple of 16), so one NaN
// costs an exact redo of its chunk, not of everything since the last unsettled block. The fast
// loops do not chunk (V8 compiled the large layout function's loops slower with it): there a NaN
// costs a redo of its run.
const MARK_CHUNK: i32 = 4096;

@inline function quantCore(a: v128, sv: v128, bias: v128, mul: bool, lo: v128, mg: v128, fast: bool): v128 {
  a = mul ? f32x4.mul(a, sv) : f32x4.div(a, sv);
  a = fast ? f32x4.pmax(lo, a) : prep(a, lo); // fast: lo is MARK
  return i32x4.sub(f32x4.add(a, mg), bias); // round half to even into the mantissa; bias = MAGIC_BITS - zp
}

@inline function narrowStore(out: usize, a: v128, b: v128, c: v128, d: v128, signed: bool): void {
  narrowStore16(out, i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d), signed);
}

@inline function narrowStore16(out: usize, lo16: v128, hi16: v128, signed: bool): void {
  v128.store(out, signed ? i8x16.narrow_i16x8_s(lo16, hi16) : i8x16.narrow_i16x8_u(lo16, hi16));
}

/** Whether a fast loop's running minimum says a lane reached the mark (redo those runs exactly). */
@inline function markSeen(mn: v128): bool {
  return v128.any_true(i16x8.le_s(mn, i16x8.splat(MARK_SEEN)));
}

// ONNX divides by the scale, and f32x4.div (about 3 cycles a vector) bounds a dividing loop. The
// bracket below replaces most divisions by two multiplications: with f32 rlo <= 1/s
// <= rhi, the exact x / s lies between x * rlo and x * rhi, so its rounding fl(x / s) lies between
// fl(x * rlo) and fl(x * rhi) (rounding is monotonic), and so does round_half_even(fl(x / s)) between
// the two rounded products. Where those agree, they are the ONNX result; a block of 16 where any lane
// disagrees (within about an ulp of a tie, or a NaN: see xl) is redone by exact division. Only for
// 2^-100 <= s <= 2^100, where 1 / s and its neighbours are normal floats.
@inline function bracketOk(s: f32): bool {
  return s >= reinterpret<f32>(0x0d800000) && s <= reinterpret<f32>(0x71800000);
}

@inline function quantBracket(x: usize, out: usize, n: i32, s: f32, zp: i32, signed: bool): i32 {
  let i = 0;
  while (true) {
    const r = signed ? quant_bracket_i8_noinline(x, out, i, n, s, zp) : quant_bracket_u8_noinline(x, out, i, n, s, zp);
    const e = r & ~1;
    if (r & 1) {
      // a divided lane of the chunk that ends at e reached the mark (a NaN, or far below the
      // range): that chunk again, exactly
      const c = max(i, (e - 1) & ~(MARK_CHUNK - 1));
      v128.store(tls(QC), f32x4.splat(s), 0);
      v128.store(tls(QC), i32x4.splat(MAGIC_BITS - zp), 16);
      v128.store(tls(QC), f32x4.splat(-CLAMP), 32);
      v128.store(tls(QC), f32x4.splat(MAGIC), 48);
      quant16Loop(x + (<usize>c << 2), out + <usize>c, e - c, v128.load(tls(QC), 0), v128.load(tls(QC), 16), v128.load(tls(QC), 32),
        v128.load(tls(QC), 48), signed, false, false, i16x8.splat(0));
    }
    i = e;
    if (i + 16 > n) return i;
    quantSpan(x, out, i, i + 16, s, zp, signed, false); // a block the bracket could not settle: exact division
    i += 16;
  }
}

/**
 * The bracket loops, int8 and uint8, from element i0 on: they return where they stopped, at the
 * first block of 16 they could not settle, at the last whole block, or at the end of a chunk of
 * MARK_CHUNK elements where a divided lane reached the mark, and then add 1 (the caller redoes
 * that chunk, from max(i0, its start), exactly). Exported only so that binaryen does not inline
 * them into the large layout function (V8 compiles the same loop slower there).
 */
export function quant_bracket_i8_noinline(x: usize, out: usize, i0: i32, n: i32, s: f32, zp: i32): i32 {
  return bracketLoop(x, out, i0, n, s, zp, true);
}
export function quant_bracket_u8_noinline(x: usize, out: usize, i0: i32, n: i32, s: f32, zp: i32): i32 {
  return bracketLoop(x, out, i0, n, s, zp, false);
}

// Half of each block of 16 is divided: f32x4.div runs on its own divider, beside the bracket's
// multiplies and adds on the FP pipes, so dividing 8 lanes and bracketing 8 balances the two. The
// divided lanes clamp with pmax(MARK, v) like the fast loops; the loop keeps their i16 minimum (mn).

@inline function bracketLoop(x: usize, out: usize, i0: i32, n: i32, s: f32, zp: i32, signed: bool): i32 {
  if (!ASC_FEATURE_SIMD) return n;
  const r = <f32>(1.0 / <f64>s); // within half an ulp of 1 / s, so one ulp down / up brackets it
  v128.store(tls(QC), f32x4.splat(reinterpret<f32>(reinterpret<i32>(r) - 1)), 0);
  v128.store(tls(QC), f32x4.splat(reinterpret<f32>(reinterpret<i32>(r) + 1)), 16);
  v128.store(tls(QC), i32x4.splat(MAGIC_BITS - zp), 32);
  // x below -2^21 * s saturates either way; clamping there keeps both products above -2^22 (the
  // magic rounding's range). pmax(x, xl) keeps a NaN, and f32x4.ne(NaN, NaN) is true, so a NaN
  // lane never agrees with itself and goes to the exact path, which maps it to zp.
  v128.store(tls(QC), f32x4.splat(<f32>(-2097152.0 * <f64>s)), 48);
  v128.store(tls(QC), f32x4.splat(MAGIC), 64);
  v128.store(tls(QC), f32x4.splat(s), 80);
  v128.store(tls(QC), f32x4.splat(MARK), 96);
  const vlo = v128.load(tls(QC), 0), vhi = v128.load(tls(QC), 16), bias = v128.load(tls(QC), 32);
  const xl = v128.load(tls(QC), 48), mg = v128.load(tls(QC), 64), sv = v128.load(tls(QC), 80), mk = v128.load(tls(QC), 96);
  let mn = i16x8.splat(0);
  let i = i0;
  for (; i + 16 <= n; i += 16) {
    if ((i & (MARK_CHUNK - 1)) == 0 && i != i0) {
      if (markSeen(mn)) return i | 1;
      mn = i16x8.splat(0);
    }
    const p = x + (<usize>i << 2);
    // lanes 0-7 divided, 8-15 by the bracket; stored before the test: a block that fails is redone
    const a = f32x4.pmax(mk, f32x4.div(v128.load(p, 0), sv)), b = f32x4.pmax(mk, f32x4.div(v128.load(p, 16), sv));
    const c = f32x4.pmax(v128.load(p, 32), xl), d = f32x4.pmax(v128.load(p, 48), xl);
    const c1 = f32x4.add(f32x4.mul(c, vlo), mg), c2 = f32x4.add(f32x4.mul(c, vhi), mg);
    const d1 = f32x4.add(f32x4.mul(d, vlo), mg), d2 = f32x4.add(f32x4.mul(d, vhi), mg);
    const lo16 = i16x8.narrow_i32x4_s(i32x4.sub(f32x4.add(a, mg), bias), i32x4.sub(f32x4.add(b, mg), bias));
    narrowStore16(out + <usize>i, lo16, i16x8.narrow_i32x4_s(i32x4.sub(c1, bias), i32x4.sub(d1, bias)), signed);
    mn = i16x8.min_s(mn, lo16);
    if (v128.any_true(v128.or(f32x4.ne(c1, c2), f32x4.ne(d1, d2)))) break;
  }
  return i | (markSeen(mn) ? 1 : 0);
}

/** Elements [i0, i1) one at a time: the scalar build, the SIMD tails, blocks the bracket redoes. */
@inline function quantSpan(x: usize, out: usize, i0: i32, i1: i32, s: f32, zp: i32, signed: bool, mul: bool): void {
  const lo = <f32>((signed ? <i32>-128 : <i32>0) - zp), hi = <f32>((signed ? <i32>127 : <i32>255) - zp);
  for (let i = i0; i < i1; i++) {
    store<u8>(out + <usize>i, <u8>quantOne(load<f32>(x + (<usize>i << 2)), s, lo, hi, zp, mul));
  }
}

/**
 * The SIMD loop over the first n & ~15 elements, 16 elements a store (4 f32x4 -> 4 i32x4 -> 2 i16x8
 * -> 1 i8x16): with one scale (sv) and bias = MAGIC_BITS - zp in registers, or, when vec, element
 * i with s[i] and z[i] (bias mb - z[i]). fast (lo is MARK): returns mn lowered by the minimum of its
 * i16 lanes; exact (lo is -2^22): returns mn.
 */
@inline function quant16Loop(x: usize, out: usize, n: i32, sv: v128, bias: v128, lo: v128, mg: v128, signed: bool, mul: bool, fast: bool, mn: v128,
  vec: bool = false, s: usize = 0, z: usize = 0): v128 {
  for (let i = 0; i + 16 <= n; i += 16) {
    const o = <usize>i << 2, p = x + o;
    const s0 = vec ? v128.load(s + o, 0) : sv, s1 = vec ? v128.load(s + o, 16) : sv;
    const s2 = vec ? v128.load(s + o, 32) : sv, s3 = vec ? v128.load(s + o, 48) : sv;
    const b0 = vec ? i32x4.sub(bias, v128.load(z + o, 0)) : bias, b1 = vec ? i32x4.sub(bias, v128.load(z + o, 16)) : bias;
    const b2 = vec ? i32x4.sub(bias, v128.load(z + o, 32)) : bias, b3 = vec ? i32x4.sub(bias, v128.load(z + o, 48)) : bias;
    const lo16 = i16x8.narrow_i32x4_s(quantCore(v128.load(p, 0), s0, b0, mul, lo, mg, fast), quantCore(v128.load(p, 16), s1, b1, mul, lo, mg, fast));
    const hi16 = i16x8.narrow_i32x4_s(quantCore(v128.load(p, 32), s2, b2, mul, lo, mg, fast), quantCore(v128.load(p, 48), s3, b3, mul, lo, mg, fast));
    narrowStore16(out + <usize>i, lo16, hi16, signed);
    if (fast) mn = i16x8.min_s(mn, i16x8.min_s(lo16, hi16));
  }
  return mn;
}

/** Quantize n elements with one scale / zero point. */
@inline function quantRunScalar(x: usize, out: usize, n: i32, s: f32, zp: i32, signed: bool, mul: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (!mul && bracketOk(s)) {
      i = quantBracket(x, out, n, s, zp, signed);
    } else {
      v128.store(tls(QC), f32x4.splat(s), 0);
      v128.store(tls(QC), i32x4.splat(MAGIC_BITS - zp), 16);
      v128.store(tls(QC), f32x4.splat(MARK), 32);
      v128.store(tls(QC), f32x4.splat(MAGIC), 48);
      v128.store(tls(QC), f32x4.splat(-CLAMP), 64);
      const sv = v128.load(tls(QC), 0), bias = v128.load(tls(QC), 16), mg = v128.load(tls(QC), 48);
      const mn = quant16Loop(x, out, n, sv, bias, v128.load(tls(QC), 32), mg, signed, mul, true, i16x8.splat(0));
      if (markSeen(mn)) quant16Loop(x, out, n, sv, bias, v128.load(tls(QC), 64), mg, signed, mul, false, mn);
      i = n & ~15;
    }
  }
  quantSpan(x, out, i, n, s, zp, signed, mul);
}

/** Quantize n elements, element i with scale s[i] and zero point zp[i]. */
@inline function quantRunVector(x: usize, out: usize, n: i32, s: usize, z: usize, signed: bool, mul: bool): void {
  const qmin: i32 = signed ? -128 : 0;
  const qmax: i32 = signed ? 127 : 255;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(tls(QC), i32x4.splat(MAGIC_BITS), 0);
    v128.store(tls(QC), f32x4.splat(MARK), 16);
    v128.store(tls(QC), f32x4.splat(MAGIC), 32);
    v128.store(tls(QC), f32x4.splat(-CLAMP), 48);
    const mb = v128.load(tls(QC), 0), mg = v128.load(tls(QC), 32);
    const mn = quant16Loop(x, out, n, mb, mb, v128.load(tls(QC), 16), mg, signed, mul, true, i16x8.splat(0), true, s, z);
    if (markSeen(mn)) quant16Loop(x, out, n, mb, mb, v128.load(tls(QC), 48), mg, signed, mul, false, mn, true, s, z);
    i = n & ~15;
  }
  for (; i < n; i++) {
    const off4 = <usize>i << 2;
    const zp = load<i32>(z + off4);
    store<u8>(out + <usize>i, <u8>quantOne(load<f32>(x + off4), load<f32>(s + off4), <f32>(qmin - zp), <f32>(qmax - zp), zp, mul));
  }
}

// ---------------------------------------------------------------------------------------------
// Dequantize: y = f32(q - zp) * s. The integer difference is exact in f32, then one multiply.
// ---------------------------------------------------------------------------------------------

/** Elements [i0, i1) one at a time: y = f32(q - zp) * s. */
@inline function dequantSpan(q: usize, out: usize, i0: i32, i1: i32, s: f32, zp: i32, signed: bool): void {
  for (let i = i0; i < i1; i++) {
    const qi: i32 = signed ? <i32>load<i8>(q + <usize>i) : <i32>load<u8>(q + <usize>i);
    store<f32>(out + (<usize>i << 2), <f32>(qi - zp) * s);
  }
}

/**
 * The SIMD loop over n elements with the scale (sv) and the zero point as i16 lanes (zv) in
 * registers; returns how many it did (a multiple of 16). q - zp in i16 is exact (|q - zp| <= 255)
 * and saves four i32 subtractions per 16.
 */
@inline function dequant16Loop(q: usize, out: usize, n: i32, sv: v128, zv: v128, signed: bool): i32 {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const v = v128.load(q + <usize>i);
    const l = i16x8.sub(signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v), zv);
    const h = i16x8.sub(signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v), zv);
    const p = out + (<usize>i << 2);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(l)), sv), 0);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(l)), sv), 16);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(h)), sv), 32);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(h)), sv), 48);
  }
  return i;
}

@inline function dequantRunScalar(q: usize, out: usize, n: i32, s: f32, zp: i32, signed: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(tls(QC), f32x4.splat(s), 0);
    v128.store(tls(QC), i16x8.splat(<i16>zp), 16);
    i = dequant16Loop(q, out, n, v128.load(tls(QC), 0), v128.load(tls(QC), 16), signed);
  }
  dequantSpan(q, out, i, n, s, zp, signed);
}

@inline function dequantRunVector(q: usize, out: usize, n: i32, s: usize, z: usize, signed: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) {
      const v = v128.load(q + <usize>i);
      const l = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
      const h = signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
      const o4 = <usize>i << 2;
      const p = out + o4;
      const sp = s + o4;
      const zp = z + o4;
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(l), v128.load(zp, 0))), v128.load(sp, 0)), 0);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(l), v128.load(zp, 16))), v128.load(sp, 16)), 16);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(h), v128.load(zp, 32))), v128.load(sp, 32)), 32);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(h), v128.load(zp, 48))), v128.load(sp, 48)), 48);
    }
  }
  for (; i < n; i++) {
    const o4 = <usize>i << 2;
    const qi: i32 = signed ? <i32>load<i8>(q + <usize>i) : <i32>load<u8>(q + <usize>i);
    store<f32>(out + o4, <f32>(qi - load<i32>(z + o4)) * load<f32>(s + o4));
  }
}

// ---------------------------------------------------------------------------------------------
// The layout driver. A row-major tensor is seen as [outer, D, inner] around the quantization axis.
// Element (o, j, i) uses parameter index o*sO + floor(j / B)*sJ + i*sI, which covers
//   per tensor:           sO = sJ = sI = 0
//   per axis (ONNX 1-D):  B = 1, sJ = 1, sO = sI = 0
//   blocked (opset 21):   scale shaped like x with D -> ceil(D / B): sO = nb*inner, sJ = inner, sI = 1
// Contiguous runs go to the run kernels above: a scalar-parameter run or a vector-parameter run.
// ---------------------------------------------------------------------------------------------

@inline function run(op: i32, x: usize, out: usize, n: i32, s: usize, z: usize, vec: bool, signed: bool, mul: bool): void {
  if (op == 0) {
    if (vec) quantRunVector(x, out, n, s, z, signed, mul);
    else quantRunScalar(x, out, n, load<f32>(s), load<i32>(z), signed, mul);
  } else {
    if (vec) dequantRunVector(x, out, n, s, z, signed);
    else dequantRunScalar(x, out, n, load<f32>(s), load<i32>(z), signed);
  }
}

@inline function layout(op: i32, x: usize, out: usize, outer: i32, D: i32, inner: i32, B: i32,
  s: usize, z: usize, sO: i32, sJ: i32, sI: i32, signed: bool, mul: bool): void {
  const xShift: usize = op == 0 ? 2 : 0; // input element size: f32 for quantize, 8-bit for dequantize
  const oShift: usize = op == 0 ? 0 : 2;
  const rowLen = <usize>D * <usize>inner;
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * rowLen) << xShift);
    const oo = out + ((<usize>o * rowLen) << oShift);
    const po = <usize>o * <usize>sO;
    if (inner == 1) {
      if (sJ == 0) {
        run(op, xo, oo, D, s + (po << 2), z + (po << 2), false, signed, mul);
      } else if (B == 1) {
        run(op, xo, oo, D, s + (po << 2), z + (po << 2), true, signed, mul);
      } else if (ASC_FEATURE_SIMD && B >= 16) {
        blocksLast(op, xo, oo, D, B, s + (po << 2), z + (po << 2), signed, mul);
      } else {
        for (let j = 0; j < D; j += B) {
          const len = min(B, D - j);
          const pi = (po + <usize>(j / B) * <usize>sJ) << 2;
          run(op, xo + (<usize>j << xShift), oo + (<usize>j << oShift), len, s + pi, z + pi, false, signed, mul);
        }
      }
    } else {
      for (let j = 0; j < D; j++) {
        const pi = (po + <usize>(j / B) * <usize>sJ) << 2;
        const e = <usize>j * <usize>inner;
        run(op, xo + (e << xShift), oo + (e << oShift), inner, s + pi, z + pi, sI != 0, signed, mul);
      }
    }
  }
}

/**
 * Blocked along the last axis (ONNX opset 21 with the axis last): D elements in blocks of B >= 16
 * (the last block may be shorter), block b with scale s[b] and zero point z[b]. The loop constants
 * are set once and each block only splats its own scale and zero point (setting up a run per block
 * cost more than the block's work). ONNX divides here: the reciprocal bracket would cost a division
 * per block to set up.
 */
@inline function blocksLast(op: i32, x: usize, out: usize, D: i32, B: i32, s: usize, z: usize, signed: bool, mul: bool): void {
  if (!ASC_FEATURE_SIMD) return;
  v128.store(tls(QC), i32x4.splat(MAGIC_BITS), 0);
  v128.store(tls(QC), f32x4.splat(MARK), 16);
  v128.store(tls(QC), f32x4.splat(MAGIC), 32);
  v128.store(tls(QC), f32x4.splat(-CLAMP), 48);
  const mb = v128.load(tls(QC), 0), mark = v128.load(tls(QC), 16), mg = v128.load(tls(QC), 32), lo = v128.load(tls(QC), 48);
  let b: usize = 0;
  let mn = i16x8.splat(0);
  for (let j = 0; j < D; j += B, b += 4) {
    const len = min(B, D - j);
    const sc = load<f32>(s + b), zp = load<i32>(z + b);
    const sv = v128.load32_splat(s + b);
    if (op == 0) {
      const xp = x + (<usize>j << 2), op8 = out + <usize>j;
      mn = quant16Loop(xp, op8, len, sv, i32x4.sub(mb, v128.load32_splat(z + b)), mark, mg, signed, mul, true, mn);
      quantSpan(xp, op8, len & ~15, len, sc, zp, signed, mul);
    } else {
      const qp = x + <usize>j, yp = out + (<usize>j << 2);
      const i = dequant16Loop(qp, yp, len, sv, i16x8.splat(<i16>zp), signed);
      dequantSpan(qp, yp, i, len, sc, zp, signed);
    }
  }
  if (op == 0 && markSeen(mn)) {
    // a NaN (or a value far below the range) in this row: every block's SIMD part again, exactly
    // (checking per group of blocks made V8 compile the loop slower)
    b = 0;
    for (let j = 0; j < D; j += B, b += 4) {
      quant16Loop(x + (<usize>j << 2), out + <usize>j, min(B, D - j), v128.load32_splat(s + b),
        i32x4.sub(mb, v128.load32_splat(z + b)), lo, mg, signed, mul, false, mn);
    }
  }
}

/**
 * QuantizeLinear over a [outer, D, inner] layout.
 * x: f32[outer*D*inner], out: i8/u8, s: f32 params, z: i32 params (same indexing).
 */
export function quant_quantize_f32_q8(x: usize, out: usize, outer: i32, D: i32, inner: i32, B: i32,
  s: usize, z: usize, sO: i32, sJ: i32, sI: i32, flags: i32): void {
  const signed = (flags & Q_SIGNED) != 0;
  const mul = (flags & Q_MUL) != 0;
  // Four specialised copies so that no flag is tested inside a loop.
  if (signed) {
    if (mul) layout(0, x, out, outer, D, inner, B, s, z, sO, sJ, sI, true, true);
    else layout(0, x, out, outer, D, inner, B, s, z, sO, sJ, sI, true, false);
  } else {
    if (mul) layout(0, x, out, outer, D, inner, B, s, z, sO, sJ, sI, false, true);
    else layout(0, x, out, outer, D, inner, B, s, z, sO, sJ, sI, false, false);
  }
}

/** DequantizeLinear over the same layout: q: i8/u8 -> out: f32. */
export function quant_dequantize_q8_f32(q: usize, out: usize, outer: i32, D: i32, inner: i32, B: i32,
  s: usize, z: usize, sO: i32, sJ: i32, sI: i32, flags: i32): void {
  if ((flags & Q_SIGNED) != 0) layout(1, q, out, outer, D, inner, B, s, z, sO, sJ, sI, true, false);
  else layout(1, q, out, outer, D, inner, B, s, z, sO, sJ, sI, false, false);
}

// ---------------------------------------------------------------------------------------------
// Reductions.
// ---------------------------------------------------------------------------------------------

let gMin: f32 = 0;
let gMax: f32 = 0;

/** Scratch for the lanes of quant_minmax_lanes_f32_noinline. */
const LANES: usize = memory.data(32, 16);

// The range every caller needs is lo = min(0, min x) and hi = max(0, max x) (ONNX
// DynamicQuantizeLinear, the PyTorch observers, the dynamic int8 rows of the int family), and both
// come from integer maxima of the bits, with no float compare:
// - a float >= +0 has a non-negative i32 pattern ordered like its value, and every negative float
//   has a negative pattern, so the signed maximum of the patterns is max x when some x >= +0, and
//   a negative (or zero) pattern, meaning hi = 0, otherwise;
// - a negative float's pattern as u32 is >= 0x80000000 and grows with its magnitude, above every
//   non-negative pattern, so the unsigned maximum is min x when some x is negative, and a pattern
//   below 0x80000000, meaning lo = 0, otherwise;
// - a positive NaN (above 0x7f800000) always wins the signed maximum and a negative NaN (above
//   0xff800000) the unsigned one, so a NaN is never missed.
// i32x4.max_s / max_u run on the integer pipes, which are free, where pmin / pmax with a NaN test
// were bound by the FP add pipes.

/** lo / hi from the two maxima, NaN for both when either is a NaN pattern. */
@inline function rangeFrom(smax: i32, umax: u32): void {
  const nan = smax > 0x7f800000 || umax > 0xff800000;
  gMin = nan ? NaN : umax >= 0x80000000 ? reinterpret<f32>(umax) : 0;
  gMax = nan ? NaN : smax > 0 ? reinterpret<f32>(smax) : 0;
}

/**
 * gMin = min(0, min x), gMax = max(0, max x) over n f32 (0 and 0 for n = 0); NaN for both if any
 * element is NaN. A negative zero may come back as lo = -0, which no caller tells from +0.
 */
function reduceMinMax(x: usize, n: i32): void {
  let smax: i32 = i32.MIN_VALUE;
  let umax: u32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 16) {
      i = quant_minmax_lanes_f32_noinline(x, n, tls(LANES));
      const vs = v128.load(tls(LANES)), vu = v128.load(tls(LANES), 16);
      smax = max(max(i32x4.extract_lane(vs, 0), i32x4.extract_lane(vs, 1)), max(i32x4.extract_lane(vs, 2), i32x4.extract_lane(vs, 3)));
      umax = max(max(<u32>i32x4.extract_lane(vu, 0), <u32>i32x4.extract_lane(vu, 1)), max(<u32>i32x4.extract_lane(vu, 2), <u32>i32x4.extract_lane(vu, 3)));
    }
  }
  for (; i < n; i++) {
    const b = load<i32>(x + (<usize>i << 2));
    smax = max(smax, b);
    umax = max(umax, <u32>b);
  }
  rangeFrom(smax, umax);
}

/** out[0] = min(0, min x), out[1] = max(0, max x) over n f32; both NaN if any element is NaN. */
export function quant_minmax_f32(x: usize, n: i32, out: usize): void {
  reduceMinMax(x, n);
  store<f32>(out, gMin);
  store<f32>(out, gMax, 4);
}

/**
 * The SIMD part of quant_minmax_f32 (reduceMinMax folds its result): the lane-wise signed maximum
 * (out[0..3]) and unsigned maximum (out[4..7]) of the bit patterns of the first n & ~15 elements;
 * returns how many elements it covered (0 in the scalar build). Kept exported, so binaryen does
 * not inline it: V8 compiles a loop like this slower inside a larger function.
 */
export function quant_minmax_lanes_f32_noinline(x: usize, n: i32, out: usize): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  v128.store(out, i32x4.splat(i32.MIN_VALUE)); // through memory, so V8 keeps it in a register
  let s0 = v128.load(out), s1 = s0, s2 = s0, s3 = s0;
  let u0 = i32x4.splat(0), u1 = u0, u2 = u0, u3 = u0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p, 0), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
    s0 = i32x4.max_s(s0, a); u0 = i32x4.max_u(u0, a);
    s1 = i32x4.max_s(s1, b); u1 = i32x4.max_u(u1, b);
    s2 = i32x4.max_s(s2, c); u2 = i32x4.max_u(u2, c);
    s3 = i32x4.max_s(s3, d); u3 = i32x4.max_u(u3, d);
  }
  v128.store(out, i32x4.max_s(i32x4.max_s(s0, s1), i32x4.max_s(s2, s3)));
  v128.store(out, i32x4.max_u(i32x4.max_u(u0, u1), i32x4.max_u(u2, u3)), 16);
  return i;
}

/**
 * Per-channel min / max over a [outer, D, inner] layout: mn[j], mx[j] (D entries each) are updated
 * in place (the caller initialises them to +Inf / -Inf). With inner > 1 each run is folded as
 * min(0, min) / max(0, max) (reduceMinMax), so callers must use the values only through min(mn, 0)
 * and max(mx, 0), as the observers and the int8 packers do.
 */
export function quant_minmax_axis_f32(x: usize, outer: i32, D: i32, inner: i32, mn: usize, mx: usize): void {
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>D * <usize>inner) << 2);
    if (inner == 1) {
      minmaxRow(xo, D, mn, mx);
    } else {
      for (let j = 0; j < D; j++) {
        reduceMinMax(xo + ((<usize>j * <usize>inner) << 2), inner);
        const o4 = <usize>j << 2;
        store<f32>(mn + o4, min<f32>(load<f32>(mn + o4), gMin));
        store<f32>(mx + o4, max<f32>(load<f32>(mx + o4), gMax));
      }
    }
  }
}

/**
 * Error statistics of a reconstruction, summed sequentially in f64 (the same code in both builds):
 * out[0] = sum (x - y)^2, out[1] = max |x - y|, out[2] = sum x^2.
 */
export function quant_error_stats_f32(x: usize, y: usize, n: i32, out: usize): void {
  let se: f64 = 0, mx: f64 = 0, ss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const a = <f64>load<f32>(x + (<usize>i << 2));
    const d = a - <f64>load<f32>(y + (<usize>i << 2));
    se += d * d;
    ss += a * a;
    const ad = abs<f64>(d);
    mx = ad > mx || isNaN(ad) ? ad : mx;
  }
  store<f64>(out, se);
  store<f64>(out, mx, 8);
  store<f64>(out, ss, 16);
}
