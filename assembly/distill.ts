/**
 * Distillation kernels: softmax / log-softmax over the rows of a [rows x cols] f32 matrix divided
 * by a temperature, Hinton's distillation loss (KL(teacher || student) on temperature-softened
 * distributions, optionally blended with cross entropy) with its gradient, cross entropy and MSE.
 *
 * exp is sparq's own f32 routine (expf / expv: range reduction by ln 2 and a degree-7 polynomial,
 * the same f32 operations in the same order in the SIMD lanes and in the scalar code, no FMA), and
 * log is an f64 routine (log64) used once per row, so the results are the same bits everywhere.
 *
 * Fixed orders (both builds):
 * - row max: the largest non-NaN value, a zero max taken as +0 (so its value does not depend on
 *   the order); a NaN in the row makes its exp sum NaN, which marks the row;
 * - every f64 sum (exp sums, KL row sums, MSE): element j goes to partial sum P[j mod 8] (in
 *   increasing j, each starting at +0), and the total is ((P0+P4)+(P2+P6)) + ((P1+P5)+(P3+P7));
 *   that is what two f32x4 vectors per step, promoted to four f64x2 accumulators, add up to;
 * - row results (KL, cross entropy) are added over rows in row order, starting at +0.
 * A row with a NaN, or whose max divided by T is not finite (+Inf, all -Inf, or an overflow of
 * x / T), gives the canonical NaN 0x7fc00000 in every output element of the row and NaN row sums.
 * @module
 */

// ---------------------------------------------------------------------------------------------
// exp (f32) and log (f64)
// ---------------------------------------------------------------------------------------------

const EXP_HI: f32 = 89.0; // above ln(FLT_MAX) = 88.72: the result overflows to +Inf
const EXP_LO: f32 = -104.0; // below ln(2^-150): the result rounds to 0
const LOG2E: f32 = <f32>1.4426950408889634;
const SHIFT: f32 = 12582912.0; // 1.5 * 2^23: t = y + SHIFT rounds y to an integer held in t's low bits
const LN2_HI: f32 = 0.693359375; // 9 significant bits: n * LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.1219444005469058e-4; // ln 2 - LN2_HI
const C2: f32 = 0.5;
const C3: f32 = <f32>(1.0 / 6.0);
const C4: f32 = <f32>(1.0 / 24.0);
const C5: f32 = <f32>(1.0 / 120.0);
const C6: f32 = <f32>(1.0 / 720.0);
const C7: f32 = <f32>(1.0 / 5040.0);
const CANON_NAN: u32 = 0x7fc00000;

/**
 * exp(x) in f32. x is clamped to [-104, 89] (a NaN stays NaN); n = round(x log2 e), r = x - n ln2
 * (two-part ln 2), e^r = 1 + (r + r^2 q(r)) with q the Taylor terms 1/2 .. 1/5040, and the result
 * is (e^r 2^(n >> 1)) 2^(n - (n >> 1)): the second multiply is the only rounding of the scaling,
 * so subnormal results and overflow to +Inf come out right.
 */
function expf(x: f32): f32 {
  x = select<f32>(EXP_HI, x, EXP_HI < x);
  x = select<f32>(EXP_LO, x, x < EXP_LO);
  const t = x * LOG2E + SHIFT;
  const n = t - SHIFT;
  const ni = reinterpret<i32>(t) - reinterpret<i32>(SHIFT);
  const r = (x - n * LN2_HI) - n * LN2_LO;
  const q = C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * C7))));
  const p = <f32>1.0 + (r + (r * r) * q);
  const n1 = ni >> 1;
  const n2 = ni - n1;
  return (p * reinterpret<f32>((n1 + 127) << 23)) * reinterpret<f32>((n2 + 127) << 23);
}

// The constants of expv as f32x4 / i32x4 splats, loaded inside the loops (V8 rematerialises a
// splat in every iteration; a load folds into the instruction that uses it).
const EK: usize = memory.data<f32>([
  EXP_HI, EXP_HI, EXP_HI, EXP_HI,
  EXP_LO, EXP_LO, EXP_LO, EXP_LO,
  LOG2E, LOG2E, LOG2E, LOG2E,
  SHIFT, SHIFT, SHIFT, SHIFT,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  C2, C2, C2, C2,
  C3, C3, C3, C3,
  C4, C4, C4, C4,
  C5, C5, C5, C5,
  C6, C6, C6, C6,
  C7, C7, C7, C7,
  1.0, 1.0, 1.0, 1.0,
], 16);
// i32 splats of 127 (the exponent bias) and 127 + 64, the f32 2^-64 (0x1f800000), 191 - bits(SHIFT)
// and 127 - bits(SHIFT)
const EK_BIAS: usize = memory.data<i32>([127, 127, 127, 127, 191, 191, 191, 191, 0x1f800000, 0x1f800000, 0x1f800000, 0x1f800000,
  191 - 0x4b400000, 191 - 0x4b400000, 191 - 0x4b400000, 191 - 0x4b400000,
  127 - 0x4b400000, 127 - 0x4b400000, 127 - 0x4b400000, 127 - 0x4b400000], 16);

/** expf on 4 lanes: the same operations in the same order. */
// @ts-ignore: decorator
@inline function expv(x: v128): v128 {
  // pmin(x, HI) = HI < x ? HI : x and pmax(x, LO) = x < LO ? LO : x: a NaN lane stays NaN
  x = f32x4.pmin(x, v128.load(EK, 0));
  return expvLow(x, false);
}

/**
 * expv for x <= 0 (the shifted logits of the row passes): the same bits as expv with fewer
 * operations. x > 0 never needs the upper clamp, and with n <= 0 the scaling is
 * (p 2^(n + 64)) 2^-64: the first product is exact (a normal number), the second rounds once,
 * exactly like (p 2^(n >> 1)) 2^(n - (n >> 1)).
 */
// @ts-ignore: decorator
@inline function expvNeg(x: v128): v128 {
  return expvLow(x, true);
}

// The two halves of every vector exp below: t = x log2(e) + SHIFT (round(x log2 e) in its low bits),
// then, with n = t - SHIFT, the reduced r = x - n ln2 (two parts) and p = e^r by the polynomial.
// @ts-ignore: decorator
@inline function expvShifted(x: v128): v128 {
  return f32x4.add(f32x4.mul(x, v128.load(EK, 32)), v128.load(EK, 48));
}

// @ts-ignore: decorator
@inline function expvPoly(x: v128, t: v128): v128 {
  const n = f32x4.sub(t, v128.load(EK, 48));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, v128.load(EK, 64))), f32x4.mul(n, v128.load(EK, 80)));
  let q = f32x4.add(v128.load(EK, 160), f32x4.mul(r, v128.load(EK, 176)));
  q = f32x4.add(v128.load(EK, 144), f32x4.mul(r, q));
  q = f32x4.add(v128.load(EK, 128), f32x4.mul(r, q));
  q = f32x4.add(v128.load(EK, 112), f32x4.mul(r, q));
  q = f32x4.add(v128.load(EK, 96), f32x4.mul(r, q));
  return f32x4.add(v128.load(EK, 192), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q)));
}

// @ts-ignore: decorator
@inline function expvLow(x: v128, neg: bool): v128 {
  x = f32x4.pmax(x, v128.load(EK, 16));
  const sh = v128.load(EK, 48);
  const t = expvShifted(x);
  const p = expvPoly(x, t);
  if (neg) {
    // ((bits(t) - bits(SHIFT)) + 191) << 23 as one add: the integer n is bits(t) - bits(SHIFT)
    const s1 = i32x4.shl(i32x4.add(t, v128.load(EK_BIAS, 48)), 23);
    return f32x4.mul(f32x4.mul(p, s1), v128.load(EK_BIAS, 32));
  }
  const ni = i32x4.sub(t, sh);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = v128.load(EK_BIAS);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * expvNeg for -86 <= x <= 0: the same bits again. Every result is a normal float there (n >= -125),
 * so p 2^n is exact and one multiply by 2^n = bits((n + 127) << 23) gives it, and no clamp is needed.
 */
// @ts-ignore: decorator
@inline function expvNorm(x: v128): v128 {
  const t = expvShifted(x);
  return f32x4.mul(expvPoly(x, t), i32x4.shl(i32x4.add(t, v128.load(EK_BIAS, 64)), 23));
}

const SQRT2: f64 = 1.4142135623730951;
const LN2_HI64: f64 = 0.6931471803691238; // ln 2 with the low 21 mantissa bits cleared
const LN2_LO64: f64 = 1.9082149292705877e-10; // ln 2 - LN2_HI64

/**
 * ln(x) in f64: x = 2^k m with m in [sqrt(2)/2, sqrt(2)], f = m - 1 (exact), s = f / (2 + f), and
 * ln(1 + f) = f - (f^2/2 - s (f^2/2 + R)) with R = sum_{i=1..11} 2 s^(2i) / (2i + 1) (the atanh
 * series; the first omitted term is below 2^-60 relative). 0 -> -Inf, x < 0 or NaN -> NaN.
 */
function log64(x: f64): f64 {
  if (!(x > 0)) return x == 0 ? -Infinity : NaN;
  if (x == Infinity) return x;
  let k: i32 = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984.0; // 2^54: subnormal to normal
    k = -54;
  }
  const bits = reinterpret<u64>(x);
  k += <i32>(bits >> 52) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  const f = m - 1.0;
  const s = f / (2.0 + f);
  const w = s * s;
  const R = w * (2.0 / 3.0 + w * (2.0 / 5.0 + w * (2.0 / 7.0 + w * (2.0 / 9.0 + w * (2.0 / 11.0 + w * (2.0 / 13.0 +
    w * (2.0 / 15.0 + w * (2.0 / 17.0 + w * (2.0 / 19.0 + w * (2.0 / 21.0 + w * (2.0 / 23.0)))))))))));
  const hfsq = 0.5 * f * f;
  const kd = <f64>k;
  return kd * LN2_HI64 + ((f - (hfsq - s * (hfsq + R))) + kd * LN2_LO64);
}

/** out[i] = expf(x[i]) (accuracy measurement and tests). */
export function distill_exp_f32(x: usize, out: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), expv(v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), expf(load<f32>(x + (<usize>i << 2))));
}

/** out[i] = f32(log64(x[i])) (accuracy measurement and tests). */
export function distill_log_f32(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>log64(<f64>load<f32>(x + (<usize>i << 2))));
}

// ---------------------------------------------------------------------------------------------
// Fixed-order f64 sums: 8 partial sums P[j mod 8] in this scratch, combined by psTotal.
// ---------------------------------------------------------------------------------------------

const PS: usize = memory.data(64, 16);

// @ts-ignore: decorator
@inline function psAdd(j: i32, v: f64): void {
  const p = PS + (<usize>(j & 7) << 3);
  store<f64>(p, load<f64>(p) + v);
}

// @ts-ignore: decorator
@inline function psTotal(): f64 {
  const p0 = load<f64>(PS, 0), p1 = load<f64>(PS, 8), p2 = load<f64>(PS, 16), p3 = load<f64>(PS, 24);
  const p4 = load<f64>(PS, 32), p5 = load<f64>(PS, 40), p6 = load<f64>(PS, 48), p7 = load<f64>(PS, 56);
  return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
}

// @ts-ignore: decorator
@inline function psStore(p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64): void {
  store<f64>(PS, p0, 0); store<f64>(PS, p1, 8); store<f64>(PS, p2, 16); store<f64>(PS, p3, 24);
  store<f64>(PS, p4, 32); store<f64>(PS, p5, 40); store<f64>(PS, p6, 48); store<f64>(PS, p7, 56);
}

/** Lanes 2, 3 of an f32x4 promoted to f64x2. */
// @ts-ignore: decorator
@inline function promoteHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3));
}

// ---------------------------------------------------------------------------------------------
// Row passes
// ---------------------------------------------------------------------------------------------

/**
 * Largest of the non-NaN values among n f32 (-Inf if none), a zero max as +0, and the smallest in
 * rowLo (for expRow's choice of exp form): pmax keeps the
 * accumulator when a lane is NaN (a NaN shows up later, in the exp sum), and its pick between -0
 * and +0 depends on the order, which m + 0 removes. (f32x4.max costs V8 about 7 instructions.)
 */
function rowMax(x: usize, n: i32): f32 {
  let m: f32 = -Infinity, lo: f32 = Infinity;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 8) {
      let a = f32x4.splat(-Infinity), b = a, c = f32x4.splat(Infinity), d = c;
      for (; j + 8 <= n; j += 8) {
        const p = x + (<usize>j << 2);
        const v = v128.load(p), w = v128.load(p, 16);
        a = f32x4.pmax(a, v);
        b = f32x4.pmax(b, w);
        c = f32x4.pmin(c, v);
        d = f32x4.pmin(d, w);
      }
      a = f32x4.pmax(a, b);
      const l0 = f32x4.extract_lane(a, 0), l1 = f32x4.extract_lane(a, 1), l2 = f32x4.extract_lane(a, 2), l3 = f32x4.extract_lane(a, 3);
      const h0 = select<f32>(l1, l0, l0 < l1), h1 = select<f32>(l3, l2, l2 < l3);
      m = select<f32>(h1, h0, h0 < h1);
      c = f32x4.pmin(c, d);
      const k0 = f32x4.extract_lane(c, 0), k1 = f32x4.extract_lane(c, 1), k2 = f32x4.extract_lane(c, 2), k3 = f32x4.extract_lane(c, 3);
      const g0 = select<f32>(k1, k0, k1 < k0), g1 = select<f32>(k3, k2, k3 < k2);
      lo = select<f32>(g1, g0, g1 < g0);
    }
  }
  for (; j < n; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    m = select<f32>(v, m, m < v);
    if (ASC_FEATURE_SIMD) lo = select<f32>(v, lo, v < lo); // only the SIMD build reads rowLo
  }
  rowLo = lo;
  return m + <f32>0;
}

/** The smallest non-NaN value of the row last passed to rowMax (+Inf if none). */
let rowLo: f32 = Infinity;

/**
 * dst[j] = e_j = expf(u_j) with u_j = x_j / T - m (the division only when div), or u_j itself when
 * storeU; returns sum_j e_j in f64 in the fixed order. lo: the row's smallest value (rowLo).
 */
function expRow(x: usize, dst: usize, n: i32, T: f32, div: bool, m: f32, storeU: bool, lo: f32): f64 {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    // every u_j >= f32(f32(lo / T) - m) (rounding is monotonic): at -86 or above, every e_j is a
    // normal float, which expvNorm gives with the same bits
    const ulo = (div ? lo / T : lo) - m;
    if (ulo >= <f32>-86) j = expRowSimd(x, dst, n, T, div, m, storeU, true);
    else j = expRowSimd(x, dst, n, T, div, m, storeU, false);
  } else {
    // the scalar build: every element through the loop below (one copy of expf)
    psStore(0, 0, 0, 0, 0, 0, 0, 0);
  }
  for (; j < n; j++) {
    let u = load<f32>(x + (<usize>j << 2));
    if (div) u = u / T;
    u = u - m;
    const e = expf(u);
    store<f32>(dst + (<usize>j << 2), storeU ? u : e);
    psAdd(j, <f64>e);
  }
  return psTotal();
}

/** The SIMD part of expRow: blocks of 8, partial sums left in PS; returns the elements done. */
// @ts-ignore: decorator
@inline function expRowSimd(x: usize, dst: usize, n: i32, T: f32, div: bool, m: f32, storeU: bool, norm: bool): i32 {
  let j = 0;
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  const tv = f32x4.splat(T), mv = f32x4.splat(m);
  for (; j + 8 <= n; j += 8) {
    const p = x + (<usize>j << 2);
    const d = dst + (<usize>j << 2);
    let u0 = v128.load(p), u1 = v128.load(p, 16);
    if (div) {
      u0 = f32x4.div(u0, tv);
      u1 = f32x4.div(u1, tv);
    }
    u0 = f32x4.sub(u0, mv);
    u1 = f32x4.sub(u1, mv);
    const e0 = norm ? expvNorm(u0) : expvNeg(u0), e1 = norm ? expvNorm(u1) : expvNeg(u1);
    if (storeU) {
      v128.store(d, u0);
      v128.store(d, u1, 16);
    } else {
      v128.store(d, e0);
      v128.store(d, e1, 16);
    }
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(e0));
    a1 = f64x2.add(a1, promoteHi(e0));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(e1));
    a3 = f64x2.add(a3, promoteHi(e1));
  }
  v128.store(PS, a0, 0);
  v128.store(PS, a1, 16);
  v128.store(PS, a2, 32);
  v128.store(PS, a3, 48);
  return j;
}

/** x[j] = x[j] * c (scale != 0) or x[j] - c (scale == 0), in place. */
function mapRow(x: usize, n: i32, c: f32, scale: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const cv = f32x4.splat(c);
    for (; j + 8 <= n; j += 8) {
      const p = x + (<usize>j << 2);
      if (scale) {
        v128.store(p, f32x4.mul(v128.load(p), cv));
        v128.store(p, f32x4.mul(v128.load(p, 16), cv), 16);
      } else {
        v128.store(p, f32x4.sub(v128.load(p), cv));
        v128.store(p, f32x4.sub(v128.load(p, 16), cv), 16);
      }
    }
  }
  for (; j < n; j++) {
    const p = x + (<usize>j << 2);
    store<f32>(p, scale ? load<f32>(p) * c : load<f32>(p) - c);
  }
}

function nanRow(x: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<u32>(x + (<usize>j << 2), CANON_NAN);
}

/** The row max divided by T (the max of the x_j / T), or NaN when it is not finite. */
// @ts-ignore: decorator
@inline function scaledMax(x: usize, n: i32, T: f32, div: bool): f32 {
  let m = rowMax(x, n);
  if (div) m = m / T;
  return m - m == 0 ? m : <f32>NaN;
}

// ---------------------------------------------------------------------------------------------
// softmax / log_softmax
// ---------------------------------------------------------------------------------------------

/**
 * Row-wise softmax (log = 0) or log-softmax (log = 1) of x / T:
 * softmax: out_j = e_j * f32(1 / Z); log-softmax: out_j = u_j - f32(ln Z), with u_j = x_j / T - max,
 * e_j = expf(u_j), Z = the fixed-order f64 sum of the e_j. x / T is skipped when T == 1.
 */
export function distill_softmax_f32(x: usize, out: usize, rows: i32, cols: i32, T: f32, log: i32): void {
  const div = T != 1;
  const rowBytes = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rowBytes, orow = out + <usize>i * rowBytes;
    const m = scaledMax(xr, cols, T, div);
    if (isNaN(m)) {
      nanRow(orow, cols);
      continue;
    }
    const z = expRow(xr, orow, cols, T, div, m, log != 0, rowLo);
    if (isNaN(z)) {
      nanRow(orow, cols);
      continue;
    }
    if (log != 0) mapRow(orow, cols, <f32>log64(z), false);
    else mapRow(orow, cols, <f32>(1.0 / z), true);
  }
}

// ---------------------------------------------------------------------------------------------
// Distillation loss
// ---------------------------------------------------------------------------------------------

/**
 * One row of the KD pass: g_j = c1 (q_j - p_j) with q_j = e_j * rs, p_j = f_j * rt (f32), written
 * over e (grad row); returns the fixed-order f64 sum of f64(f_j) * it * ((v_j - u_j) - D) over
 * f_j != 0 (the KL row sum; p_j = 0 terms are 0, as torch's xlogy), u_j and v_j recomputed.
 * With h != 0 (labels), also g_j += c2 (h_j * rh) (the one-hot -1 is applied by the caller).
 */
function kdRow(s: usize, t: usize, g: usize, f: usize, h: usize, n: i32, T: f32, div: bool, ms: f32, mt: f32,
  rs: f32, rt: f32, rh: f32, it: f64, D: f64, c1: f32, c2: f32): f64 {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const tv = f32x4.splat(T), msv = f32x4.splat(ms), mtv = f32x4.splat(mt);
    const rsv = f32x4.splat(rs), rtv = f32x4.splat(rt), rhv = f32x4.splat(rh), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
    const itv = f64x2.splat(it), dv = f64x2.splat(D), zero = f64x2.splat(0);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let u = v128.load(s + o), v = v128.load(t + o);
      if (div) {
        u = f32x4.div(u, tv);
        v = f32x4.div(v, tv);
      }
      u = f32x4.sub(u, msv);
      v = f32x4.sub(v, mtv);
      const fe = v128.load(f + o);
      let gv = f32x4.mul(c1v, f32x4.sub(f32x4.mul(v128.load(g + o), rsv), f32x4.mul(fe, rtv)));
      if (h != 0) gv = f32x4.add(gv, f32x4.mul(c2v, f32x4.mul(v128.load(h + o), rhv)));
      v128.store(g + o, gv);
      const flo = f64x2.promote_low_f32x4(fe), fhi = promoteHi(fe);
      const dlo = f64x2.sub(f64x2.sub(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(u)), dv);
      const dhi = f64x2.sub(f64x2.sub(promoteHi(v), promoteHi(u)), dv);
      const klo = v128.andnot(f64x2.mul(f64x2.mul(flo, itv), dlo), f64x2.eq(flo, zero));
      const khi = v128.andnot(f64x2.mul(f64x2.mul(fhi, itv), dhi), f64x2.eq(fhi, zero));
      // vectors alternate between (a0, a1) and (a2, a3): element j lands in P[j mod 8]
      if ((j & 4) == 0) {
        a0 = f64x2.add(a0, klo);
        a1 = f64x2.add(a1, khi);
      } else {
        a2 = f64x2.add(a2, klo);
        a3 = f64x2.add(a3, khi);
      }
    }
    v128.store(PS, a0, 0);
    v128.store(PS, a1, 16);
    v128.store(PS, a2, 32);
    v128.store(PS, a3, 48);
  } else {
    psStore(0, 0, 0, 0, 0, 0, 0, 0);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let u = load<f32>(s + o), v = load<f32>(t + o);
    if (div) {
      u = u / T;
      v = v / T;
    }
    u = u - ms;
    v = v - mt;
    const fe = load<f32>(f + o);
    let gj = c1 * (load<f32>(g + o) * rs - fe * rt);
    if (h != 0) gj = gj + c2 * (load<f32>(h + o) * rh);
    store<f32>(g + o, gj);
    const fd = <f64>fe;
    psAdd(j, fd == 0 ? 0 : (fd * it) * ((<f64>v - <f64>u) - D));
  }
  return psTotal();
}

/**
 * Distillation loss over rows: for each row, student u = s / T - max, teacher v = t / T - max,
 * Zs, Zt their fixed-order exp sums; KL row = sum_j p_j ((v_j - ln Zt) - (u_j - ln Zs)) in f64
 * with p_j = f_j / Zt; grad = c1 (softmax(s / T) - softmax(t / T)) + c2 (softmax(s) - onehot(label))
 * (the second term with labels != 0). res[0] = sum of KL rows, res[1] = sum of cross entropies
 * ln Zr - (s_y - max s) (labels only). scratch: 2 * cols f32.
 */
export function distill_kd_f32(s: usize, t: usize, labels: usize, rows: i32, cols: i32, T: f32, c1: f32, c2: f32,
  grad: usize, scratch: usize, res: usize): void {
  const div = T != 1;
  const rowBytes = <usize>cols << 2;
  const f = scratch, h0 = scratch + rowBytes;
  let kl: f64 = 0, ce: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const sr = s + <usize>i * rowBytes, tr = t + <usize>i * rowBytes, gr = grad + <usize>i * rowBytes;
    const ms = scaledMax(sr, cols, T, div);
    const los = rowLo;
    const mt = scaledMax(tr, cols, T, div);
    const lot = rowLo;
    if (isNaN(ms) || isNaN(mt)) {
      nanRow(gr, cols);
      kl += NaN;
      if (labels != 0) ce += NaN;
      continue;
    }
    const zs = expRow(sr, gr, cols, T, div, ms, false, los);
    const zt = expRow(tr, f, cols, T, div, mt, false, lot);
    if (isNaN(zs) || isNaN(zt)) {
      nanRow(gr, cols);
      kl += NaN;
      if (labels != 0) ce += NaN;
      continue;
    }
    const D = log64(zt) - log64(zs);
    let h: usize = 0, rh: f32 = 0, ms1: f32 = ms, lr: f64 = 0;
    if (labels != 0) {
      if (div) {
        ms1 = rowMax(sr, cols); // finite: ms is
        h = h0;
        const zr = expRow(sr, h, cols, 1, false, ms1, false, los);
        rh = <f32>(1.0 / zr);
        lr = log64(zr);
      } else {
        h = gr; // T == 1: softmax(s) is softmax(s / T), e is in the grad row (read before written)
        rh = <f32>(1.0 / zs);
        lr = log64(zs);
      }
    }
    kl += kdRow(sr, tr, gr, f, h, cols, T, div, ms, mt, <f32>(1.0 / zs), <f32>(1.0 / zt), rh, 1.0 / zt, D, c1, c2);
    if (labels != 0) {
      // the label's element: the same terms with the one-hot 1 subtracted, in the same order
      const y = load<i32>(labels + (<usize>i << 2));
      const o = <usize>y << 2;
      let uy = load<f32>(sr + o);
      let e: f32, hy: f32;
      // e_y and h_y again (the grad row now holds g): recompute them from the logits
      let us = uy;
      if (div) us = us / T;
      e = expf(us - ms);
      hy = div ? expf(uy - ms1) : e;
      const fe = load<f32>(f + o);
      store<f32>(gr + o, c1 * (e * <f32>(1.0 / zs) - fe * <f32>(1.0 / zt)) + c2 * (hy * rh - <f32>1.0));
      ce += lr - <f64>(uy - ms1);
    }
  }
  store<f64>(res, kl, 0);
  store<f64>(res, ce, 8);
}

/**
 * Cross entropy over rows (torch F.cross_entropy with class indices): row loss ln Z - (x_y - max),
 * grad = c (softmax(x) - onehot(y)); res[0] = sum of row losses in row order.
 */
export function distill_ce_f32(x: usize, labels: usize, rows: i32, cols: i32, c: f32, grad: usize, res: usize): void {
  const rowBytes = <usize>cols << 2;
  let ce: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rowBytes, gr = grad + <usize>i * rowBytes;
    const m = scaledMax(xr, cols, 1, false);
    if (isNaN(m)) {
      nanRow(gr, cols);
      ce += NaN;
      continue;
    }
    const z = expRow(xr, gr, cols, 1, false, m, false, rowLo);
    if (isNaN(z)) {
      nanRow(gr, cols);
      ce += NaN;
      continue;
    }
    const rz = <f32>(1.0 / z);
    const y = load<i32>(labels + (<usize>i << 2));
    const o = <usize>y << 2;
    const ey = load<f32>(gr + o);
    // g_j = c * (e_j * rz - 0) for every j, then the label's element with the 1 subtracted
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const rv = f32x4.splat(rz), cv = f32x4.splat(c);
      for (; j + 4 <= cols; j += 4) {
        const p = gr + (<usize>j << 2);
        v128.store(p, f32x4.mul(cv, f32x4.mul(v128.load(p), rv)));
      }
    }
    for (; j < cols; j++) {
      const p = gr + (<usize>j << 2);
      store<f32>(p, c * (load<f32>(p) * rz));
    }
    store<f32>(gr + o, c * (ey * rz - <f32>1.0));
    ce += log64(z) - <f64>(load<f32>(xr + o) - m);
  }
  store<f64>(res, ce, 0);
}

/**
 * MSE: grad_j = c (a_j - b_j) (f32; a NaN is the canonical NaN), res[0] = the fixed-order f64 sum
 * of (f64(a_j) - f64(b_j))^2.
 */
export function distill_mse_f32(a: usize, b: usize, n: i32, c: f32, grad: usize, res: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const cv = f32x4.splat(c), nanv = i32x4.splat(<i32>CANON_NAN);
    for (; j + 8 <= n; j += 8) {
      const o = <usize>j << 2;
      const x0 = v128.load(a + o), x1 = v128.load(a + o, 16), y0 = v128.load(b + o), y1 = v128.load(b + o, 16);
      const g0 = f32x4.mul(cv, f32x4.sub(x0, y0)), g1 = f32x4.mul(cv, f32x4.sub(x1, y1));
      v128.store(grad + o, v128.bitselect(g0, nanv, f32x4.eq(g0, g0)));
      v128.store(grad + o, v128.bitselect(g1, nanv, f32x4.eq(g1, g1)), 16);
      const d0 = f64x2.sub(f64x2.promote_low_f32x4(x0), f64x2.promote_low_f32x4(y0));
      const d1 = f64x2.sub(promoteHi(x0), promoteHi(y0));
      const d2 = f64x2.sub(f64x2.promote_low_f32x4(x1), f64x2.promote_low_f32x4(y1));
      const d3 = f64x2.sub(promoteHi(x1), promoteHi(y1));
      a0 = f64x2.add(a0, f64x2.mul(d0, d0));
      a1 = f64x2.add(a1, f64x2.mul(d1, d1));
      a2 = f64x2.add(a2, f64x2.mul(d2, d2));
      a3 = f64x2.add(a3, f64x2.mul(d3, d3));
    }
    v128.store(PS, a0, 0);
    v128.store(PS, a1, 16);
    v128.store(PS, a2, 32);
    v128.store(PS, a3, 48);
  } else {
    psStore(0, 0, 0, 0, 0, 0, 0, 0);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const x = load<f32>(a + o), y = load<f32>(b + o);
    const g = c * (x - y);
    if (g == g) store<f32>(grad + o, g);
    else store<u32>(grad + o, CANON_NAN);
    const d = <f64>x - <f64>y;
    psAdd(j, d * d);
  }
  store<f64>(res, psTotal(), 0);
}
