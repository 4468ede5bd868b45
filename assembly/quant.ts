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

/** flags bit 0: signed output (int8) instead of uint8. */
const Q_SIGNED: i32 = 1;
/** flags bit 1: multiply by a precomputed f32 reciprocal (PyTorch) instead of dividing (ONNX). */
const Q_MUL: i32 = 2;

// ---------------------------------------------------------------------------------------------
// Quantize one element: v = x / s (or x * s'), nearest-even, clamp to [qmin - zp, qmax - zp] in
// f32 (NaN stays NaN through wasm min/max), truncate with saturation (NaN -> 0), add zp.
// So NaN -> zp and +-Inf saturate.
// ---------------------------------------------------------------------------------------------

@inline function quantOne(x: f32, s: f32, lo: f32, hi: f32, zp: i32, mul: bool): i32 {
  let v = mul ? x * s : x / s;
  v = nearest<f32>(v);
  v = max<f32>(v, lo);
  v = min<f32>(v, hi);
  return <i32>v + zp; // compiles to i32.trunc_sat_f32_s (nontrapping-f2i is on by default): NaN -> 0
}

// SIMD rounding without f32x4.nearest / trunc_sat / min / max (each several instructions on x64):
// after v = x / s, NaN lanes are zeroed (eq + and), v is clamped to [-2^22, 2^22] with pmin / pmax
// (one instruction each), and adding 1.5 * 2^23 rounds v half-to-even into the low mantissa bits,
// so bits(v + MAGIC) - bits(MAGIC) is the integer. Adding zp in i32 and the two saturating narrows
// give saturate(round(v) + zp). Measured: 3.25 ms -> see bench (quantize 4M, resident).
const MAGIC: f32 = 12582912.0; // 1.5 * 2^23
const MAGIC_BITS: i32 = 0x4b400000;
const CLAMP: f32 = 4194304.0; // 2^22

/** NaN -> +0, then clamp to [-2^22, 2^22] (pmax / pmin: one x64 instruction each). */
@inline function prep(a: v128, lo: v128, hi: v128): v128 {
  a = v128.and(a, f32x4.eq(a, a));
  a = f32x4.pmax(a, lo); // a < -2^22 ? -2^22 : a
  return f32x4.pmin(a, hi); // 2^22 < a ? 2^22 : a
}

// Constant vectors live in locals set before each loop (V8 rematerialises v128.const in loops).
@inline function quantCore(a: v128, sv: v128, bias: v128, mul: bool, lo: v128, hi: v128, mg: v128): v128 {
  a = prep(mul ? f32x4.mul(a, sv) : f32x4.div(a, sv), lo, hi);
  a = f32x4.add(a, mg); // round half to even into the mantissa
  return i32x4.sub(a, bias); // bias = MAGIC_BITS - zp
}

// ONNX divides by the scale; f32x4.div (about 3 cycles a vector here) bounds the ONNX path. A
// reciprocal fast path with a near-tie check and an exact fallback was measured slower (2.2 ms vs
// 1.44 ms for 4M): the check costs as many vector ops as the division it avoids.

/** Quantize n elements with one scale / zero point. */
@inline function quantRunScalar(x: usize, out: usize, n: i32, s: f32, zp: i32, signed: bool, mul: bool): void {
  const qmin: i32 = signed ? -128 : 0;
  const qmax: i32 = signed ? 127 : 255;
  const lo = <f32>(qmin - zp);
  const hi = <f32>(qmax - zp);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(s);
    const bias = i32x4.splat(MAGIC_BITS - zp);
    const lo = f32x4.splat(-CLAMP), hi = f32x4.splat(CLAMP), mg = f32x4.splat(MAGIC);
    // 16 elements per iteration: 4 f32x4 -> 4 i32x4 -> 2 i16x8 -> 1 i8x16.
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const ia = quantCore(v128.load(p, 0), sv, bias, mul, lo, hi, mg);
      const ib = quantCore(v128.load(p, 16), sv, bias, mul, lo, hi, mg);
      const ic = quantCore(v128.load(p, 32), sv, bias, mul, lo, hi, mg);
      const id = quantCore(v128.load(p, 48), sv, bias, mul, lo, hi, mg);
      const lo16 = i16x8.narrow_i32x4_s(ia, ib);
      const hi16 = i16x8.narrow_i32x4_s(ic, id);
      v128.store(out + <usize>i, signed ? i8x16.narrow_i16x8_s(lo16, hi16) : i8x16.narrow_i16x8_u(lo16, hi16));
    }
  }
  for (; i < n; i++) {
    store<u8>(out + <usize>i, <u8>quantOne(load<f32>(x + (<usize>i << 2)), s, lo, hi, zp, mul));
  }
}

/** Quantize n elements, element i with scale s[i] and zero point zp[i]. */
@inline function quantRunVector(x: usize, out: usize, n: i32, s: usize, z: usize, signed: bool, mul: bool): void {
  const qmin: i32 = signed ? -128 : 0;
  const qmax: i32 = signed ? 127 : 255;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const mb = i32x4.splat(MAGIC_BITS);
    const lo = f32x4.splat(-CLAMP), hi = f32x4.splat(CLAMP), mg = f32x4.splat(MAGIC);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      const r0 = quantCore(v128.load(x + o, 0), v128.load(s + o, 0), i32x4.sub(mb, v128.load(z + o, 0)), mul, lo, hi, mg);
      const r1 = quantCore(v128.load(x + o, 16), v128.load(s + o, 16), i32x4.sub(mb, v128.load(z + o, 16)), mul, lo, hi, mg);
      const r2 = quantCore(v128.load(x + o, 32), v128.load(s + o, 32), i32x4.sub(mb, v128.load(z + o, 32)), mul, lo, hi, mg);
      const r3 = quantCore(v128.load(x + o, 48), v128.load(s + o, 48), i32x4.sub(mb, v128.load(z + o, 48)), mul, lo, hi, mg);
      const lo16 = i16x8.narrow_i32x4_s(r0, r1);
      const hi16 = i16x8.narrow_i32x4_s(r2, r3);
      v128.store(out + <usize>i, signed ? i8x16.narrow_i16x8_s(lo16, hi16) : i8x16.narrow_i16x8_u(lo16, hi16));
    }
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

@inline function dequantRunScalar(q: usize, out: usize, n: i32, s: f32, zp: i32, signed: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(s);
    const zv = i32x4.splat(zp);
    for (; i + 16 <= n; i += 16) {
      const v = v128.load(q + <usize>i);
      const l = signed ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_low_i8x16_u(v);
      const h = signed ? i16x8.extend_high_i8x16_s(v) : i16x8.extend_high_i8x16_u(v);
      const p = out + (<usize>i << 2);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(l), zv)), sv), 0);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(l), zv)), sv), 16);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(h), zv)), sv), 32);
      v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(h), zv)), sv), 48);
    }
  }
  for (; i < n; i++) {
    const qi: i32 = signed ? <i32>load<i8>(q + <usize>i) : <i32>load<u8>(q + <usize>i);
    store<f32>(out + (<usize>i << 2), <f32>(qi - zp) * s);
  }
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
 * QuantizeLinear over a [outer, D, inner] layout.
 * x: f32[outer*D*inner], out: i8/u8, s: f32 params, z: i32 params (same indexing).
 */
export function quantize_f32_q8(x: usize, out: usize, outer: i32, D: i32, inner: i32, B: i32,
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
export function dequantize_q8_f32(q: usize, out: usize, outer: i32, D: i32, inner: i32, B: i32,
  s: usize, z: usize, sO: i32, sJ: i32, sI: i32, flags: i32): void {
  if ((flags & Q_SIGNED) != 0) layout(1, q, out, outer, D, inner, B, s, z, sO, sJ, sI, true, false);
  else layout(1, q, out, outer, D, inner, B, s, z, sO, sJ, sI, false, false);
}

// ---------------------------------------------------------------------------------------------
// Reductions.
// ---------------------------------------------------------------------------------------------

let gMin: f32 = 0;
let gMax: f32 = 0;

/** Scratch for the lanes of minmax_lanes_f32. */
const LANES: usize = memory.data(48, 16);

/**
 * min / max of n f32 into gMin / gMax (+Inf / -Inf for n = 0); if any element is NaN, gMin = gMax
 * = NaN. The SIMD build takes the bulk from minmax_lanes_f32 (pmin / pmax skip NaN; its sum test
 * tells when a scalar scan must look for one) and folds the rest here. Between -0 and +0 the first
 * seen wins; callers use the values only in min(mn, 0) / max(mx, 0) formulas, where the sign of
 * zero does not change any result.
 */
function reduceMinMax(x: usize, n: i32): void {
  let mn: f32 = Infinity;
  let mx: f32 = -Infinity;
  let nan = false;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 16) {
      i = minmax_lanes_f32(x, n, LANES);
      const vmn = v128.load(LANES), vmx = v128.load(LANES, 16), bad = v128.load(LANES, 32);
      mn = pmin(pmin(f32x4.extract_lane(vmn, 0), f32x4.extract_lane(vmn, 1)), pmin(f32x4.extract_lane(vmn, 2), f32x4.extract_lane(vmn, 3)));
      mx = pmax(pmax(f32x4.extract_lane(vmx, 0), f32x4.extract_lane(vmx, 1)), pmax(f32x4.extract_lane(vmx, 2), f32x4.extract_lane(vmx, 3)));
      if (v128.any_true(f32x4.ne(bad, bad))) {
        for (let j = 0; j < i; j++) {
          const v = load<f32>(x + (<usize>j << 2));
          if (v != v) { nan = true; break; }
        }
      }
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    mn = pmin(mn, v);
    mx = pmax(mx, v);
    nan = nan || v != v;
  }
  gMin = nan ? NaN : mn;
  gMax = nan ? NaN : mx;
}

/** Wasm pmin / pmax on scalars: b < a ? b : a and a < b ? b : a (NaN in b is skipped). */
@inline function pmin(a: f32, b: f32): f32 { return b < a ? b : a; }
@inline function pmax(a: f32, b: f32): f32 { return a < b ? b : a; }

/** min and max of n f32 (NaN-propagating) -> out[0] = min, out[1] = max. */
export function minmax_f32(x: usize, n: i32, out: usize): void {
  reduceMinMax(x, n);
  store<f32>(out, gMin);
  store<f32>(out, gMax, 4);
}

/**
 * The SIMD part of min / max (reduceMinMax folds its result): lane-wise min (out[0..3]) and max
 * (out[4..7]) of the first n & ~15 elements, and out[8..11] = the sum of ((a + b) + (c + d)) * 0,
 * NaN when a NaN or an infinity (or an overflowing sum) may be among them, in which case the
 * caller scans for a NaN; returns how many elements it covered (0 in the scalar build).
 * Measured on 16 MiB: 0.48 ms, against 0.85-0.90 ms for the earlier loop inside reduceMinMax
 * (x != x masks per element) and for this very loop written as `for (let i = 0; i < n16; i +=
 * 16)` or with the NaN test folded into an i32 flag: V8 is sensitive to the loop's shape, so keep
 * it (and keep it exported, so binaryen does not inline it into reduceMinMax).
 */
export function minmax_lanes_f32(x: usize, n: i32, out: usize): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  let mn0 = f32x4.splat(Infinity), mn1 = mn0, mn2 = mn0, mn3 = mn0;
  let mx0 = f32x4.splat(-Infinity), mx1 = mx0, mx2 = mx0, mx3 = mx0;
  let bad = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p, 0), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
    mn0 = f32x4.pmin(mn0, a); mx0 = f32x4.pmax(mx0, a);
    mn1 = f32x4.pmin(mn1, b); mx1 = f32x4.pmax(mx1, b);
    mn2 = f32x4.pmin(mn2, c); mx2 = f32x4.pmax(mx2, c);
    mn3 = f32x4.pmin(mn3, d); mx3 = f32x4.pmax(mx3, d);
    bad = f32x4.add(bad, f32x4.mul(f32x4.add(f32x4.add(a, b), f32x4.add(c, d)), zero));
  }
  v128.store(out, f32x4.pmin(f32x4.pmin(mn0, mn1), f32x4.pmin(mn2, mn3)));
  v128.store(out, f32x4.pmax(f32x4.pmax(mx0, mx1), f32x4.pmax(mx2, mx3)), 16);
  v128.store(out, bad, 32);
  return i;
}

/**
 * Per-channel min / max over a [outer, D, inner] layout: mn[j], mx[j] (D entries each) are updated
 * in place (the caller initialises them to +Inf / -Inf).
 */
export function minmax_axis_f32(x: usize, outer: i32, D: i32, inner: i32, mn: usize, mx: usize): void {
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>D * <usize>inner) << 2);
    if (inner == 1) {
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        for (; j + 4 <= D; j += 4) {
          const o4 = <usize>j << 2;
          const v = v128.load(xo + o4);
          v128.store(mn + o4, f32x4.min(v128.load(mn + o4), v)); // NaN-propagating: a NaN channel stays NaN
          v128.store(mx + o4, f32x4.max(v128.load(mx + o4), v));
        }
      }
      for (; j < D; j++) {
        const o4 = <usize>j << 2;
        const v = load<f32>(xo + o4);
        store<f32>(mn + o4, min<f32>(load<f32>(mn + o4), v));
        store<f32>(mx + o4, max<f32>(load<f32>(mx + o4), v));
      }
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
export function error_stats_f32(x: usize, y: usize, n: i32, out: usize): void {
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
