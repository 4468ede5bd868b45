/**
 * Calibration kernels: the per-update work of the observers (true min / max of a batch, per
 * channel min / max, histogram binning). Each is a pure function of pointers and sizes; the
 * observers' state and the range searches live in src/calib.ts.
 *
 * Binning is counting, so its result does not depend on the order in which elements are visited:
 * the SIMD build computes four bin indices at a time with the same f32 operations the scalar build
 * does one element at a time, and both give the same counts.
 * @module
 */
import { minmaxRow } from './minmax';

/** Running minimum / maximum of calib_minmax_f32. */
let cMin: f32 = Infinity;
let cMax: f32 = -Infinity;

// Min / max through integer keys: key(b) = b ^ ((b >> 31) >>> 1) maps the bits of every float to an
// i32 ordered like the float (-0 below +0, a negative NaN below -Inf, a positive NaN above +Inf), and
// is its own inverse. i32x4.min_s / max_s of the keys run on the integer pipes; f32x4.min / max (NaN
// and -0 rules spelled out in several instructions by V8) took 14 ms on 16 MiB, the keys ~1 ms.

const KEY_NEG_INF: i32 = 0x807fffff; // key of -Inf
const KEY_POS_INF: i32 = 0x7f800000; // key of +Inf

@inline function key(b: i32): i32 {
  return b ^ ((b >> 31) >>> 1);
}

@inline function keyv(v: v128): v128 {
  return v128.xor(v, i32x4.shr_u(i32x4.shr_s(v, 31), 1));
}

/** cMin / cMax from the key extremes: NaN for both when either is a NaN key. */
@inline function fromKeys(kmin: i32, kmax: i32): void {
  const nan = kmin < KEY_NEG_INF || kmax > KEY_POS_INF;
  cMin = nan ? NaN : reinterpret<f32>(key(kmin));
  cMax = nan ? NaN : reinterpret<f32>(key(kmax));
}

/**
 * cMin / cMax = min x, max x over n f32 (+Inf / -Inf for n = 0); a NaN anywhere gives NaN for
 * both, and -0 is below +0, in both builds. With absMask = 0x7fffffff, the same of |x|.
 */
function reduceTrue(x: usize, n: i32, absMask: i32): void {
  let kmin: i32 = i32.MAX_VALUE, kmax: i32 = i32.MIN_VALUE;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 16) {
      const m = i32x4.splat(absMask);
      let a0 = i32x4.splat(i32.MAX_VALUE), a1 = a0, a2 = a0, a3 = a0;
      let b0 = i32x4.splat(i32.MIN_VALUE), b1 = b0, b2 = b0, b3 = b0;
      for (; i + 16 <= n; i += 16) {
        const p = x + (<usize>i << 2);
        const u = keyv(v128.and(v128.load(p, 0), m)), v = keyv(v128.and(v128.load(p, 16), m));
        const w = keyv(v128.and(v128.load(p, 32), m)), z = keyv(v128.and(v128.load(p, 48), m));
        a0 = i32x4.min_s(a0, u); b0 = i32x4.max_s(b0, u);
        a1 = i32x4.min_s(a1, v); b1 = i32x4.max_s(b1, v);
        a2 = i32x4.min_s(a2, w); b2 = i32x4.max_s(b2, w);
        a3 = i32x4.min_s(a3, z); b3 = i32x4.max_s(b3, z);
      }
      const a = i32x4.min_s(i32x4.min_s(a0, a1), i32x4.min_s(a2, a3));
      const b = i32x4.max_s(i32x4.max_s(b0, b1), i32x4.max_s(b2, b3));
      kmin = min(min(i32x4.extract_lane(a, 0), i32x4.extract_lane(a, 1)), min(i32x4.extract_lane(a, 2), i32x4.extract_lane(a, 3)));
      kmax = max(max(i32x4.extract_lane(b, 0), i32x4.extract_lane(b, 1)), max(i32x4.extract_lane(b, 2), i32x4.extract_lane(b, 3)));
    }
  }
  for (; i < n; i++) {
    const k = key(load<i32>(x + (<usize>i << 2)) & absMask);
    kmin = min(kmin, k);
    kmax = max(kmax, k);
  }
  if (n == 0) {
    cMin = Infinity;
    cMax = -Infinity;
  } else fromKeys(kmin, kmax);
}

/** out[0] = min x, out[1] = max x over n f32 (+Inf / -Inf for n = 0; NaN for both if any x is NaN). */
export function calib_minmax_f32(x: usize, n: i32, out: usize): void {
  reduceTrue(x, n, -1);
  store<f32>(out, cMin);
  store<f32>(out, cMax, 4);
}

/** out[0] = min |x|, out[1] = max |x| over n f32 (+Inf / -Inf for n = 0; NaN for both if any x is NaN). */
export function calib_absrange_f32(x: usize, n: i32, out: usize): void {
  reduceTrue(x, n, 0x7fffffff);
  store<f32>(out, cMin);
  store<f32>(out, cMax, 4);
}

/**
 * Per-channel running min / max over a [outer, D, inner] layout: mn[j] = min(mn[j], min of channel
 * j), mx[j] likewise (the caller starts them at +Inf / -Inf). Unlike quant_minmax_axis_f32 of the quant
 * family, the values are the true extremes (not folded with 0): the moving-average observers need them.
 */
export function calib_minmax_axis_f32(x: usize, outer: i32, D: i32, inner: i32, mn: usize, mx: usize): void {
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>D * <usize>inner) << 2);
    if (inner == 1) {
      minmaxRow(xo, D, mn, mx);
    } else {
      for (let j = 0; j < D; j++) {
        reduceTrue(xo + ((<usize>j * <usize>inner) << 2), inner, -1);
        const o4 = <usize>j << 2;
        store<f32>(mn + o4, min<f32>(load<f32>(mn + o4), cMin));
        store<f32>(mx + o4, max<f32>(load<f32>(mx + o4), cMax));
      }
    }
  }
}

/** Bins of one block of calib_hist_f32 (SIMD build). */
const BLOCK: i32 = 512;
const BINS: usize = memory.data(BLOCK * 4, 16);

/** Add one to the u32 count at bin b of sub-histogram `sub` (each holds nb + 1 counts). */
@inline function bump(counts: usize, stride: usize, sub: usize, b: i32): void {
  const p = counts + sub * stride + (<usize>b << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/**
 * numpy's correction of a computed bin against the f32 edges: one step down if v is below the
 * bin's left edge, one step up if v reaches the next edge (the last bin keeps its right edge).
 */
@inline function numpyFix(b: i32, v: f32, edges: usize, nb: i32): i32 {
  if (v < load<f32>(edges + (<usize>b << 2))) b--;
  if (b != nb - 1 && v >= load<f32>(edges + (<usize>(b + 1) << 2))) b++;
  return b;
}

/**
 * The bin of v among arbitrary increasing f64 edges (nb + 1 of them), stepping from a guess in
 * [0, nb - 1]: the largest b <= nb - 1 with edges[b] <= v, or nb when v is outside [edges[0], edges[nb]].
 */
@inline function edgeFrom(b: i32, v: f32, edges: usize, nb: i32): i32 {
  const w = <f64>v;
  if (!(w >= load<f64>(edges) && w <= load<f64>(edges + (<usize>nb << 3)))) return nb;
  while (b > 0 && w < load<f64>(edges + (<usize>b << 3))) b--;
  while (b < nb - 1 && w >= load<f64>(edges + (<usize>(b + 1) << 3))) b++;
  return b;
}

/** The bin of one element (nb = out of range), for the scalar loop and the SIMD tail. */
@inline function binOf(v: f32, lo: f32, hi: f32, span: f32, fnb: f32, nb: i32, edges: usize, mode: i32): i32 {
  if (mode == 2) {
    let g = <i32>((v - lo) / span * fnb);
    g = min(max(g, 0), nb - 1);
    return edgeFrom(g, v, edges, nb);
  }
  if (!(v >= lo && v <= hi)) return nb;
  let b: i32;
  if (mode == 0) {
    b = <i32>((v - lo) * fnb / span);
    if (b == nb) b = nb - 1;
  } else {
    b = <i32>((v - lo) / span * fnb);
    if (b == nb) b = nb - 1;
    b = numpyFix(b, v, edges, nb);
  }
  return b;
}

/**
 * Count n f32 into nb bins between lo and hi (elements outside [lo, hi], and NaN, are skipped).
 * counts holds 4 sub-histograms of nb + 1 u32 each (the last count of each collects the skipped
 * elements); calib_hist_fold adds them up. flags & 3 picks the bin rule:
 * - 0, torch.histc (CPU): b = trunc(f32(f32((v - lo) * nb) / (hi - lo))), b = nb -> nb - 1;
 * - 1, numpy.histogram with equal bins: b = trunc(f32(f32((v - lo) / (hi - lo)) * nb)), b = nb ->
 *   nb - 1, then one step down / up against the f32 edges (nb + 1 of them at `edges`);
 * - 2, numpy.histogram with given edges (f64 here, nb + 1 of them, lo = edges[0] and hi = edges[nb]
 *   as f32): the bin whose [edges[b], edges[b + 1]) holds v (the last one closed).
 * flags & 4 bins |v| instead of v.
 */
export function calib_hist_f32(x: usize, n: i32, lo: f32, hi: f32, nb: i32, counts: usize, edges: usize, flags: i32): void {
  const mode = flags & 3;
  const useAbs = (flags & 4) != 0;
  const span: f32 = hi - lo;
  const fnb: f32 = <f32>nb;
  const stride = (<usize>(nb + 1)) << 2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const lov = f32x4.splat(lo), hiv = f32x4.splat(hi), spv = f32x4.splat(span), nbv = f32x4.splat(fnb);
    const last = i32x4.splat(nb - 1), trash = i32x4.splat(nb), zero = i32x4.splat(0), two23 = f32x4.splat(8388608);
    const st = <i32>stride, subs = i32x4(0, st, 2 * st, 3 * st);
    // Blocks of up to 512: the bins (or guesses) of a block by SIMD into BINS, then the counting
    // loop over them. Two tight loops ran in about 0.6 of the time of one loop that counted the
    // four lanes of each vector as it went (measured on 16 MiB, 2048 bins).
    while (i + 4 <= n) {
      const m = min(BLOCK, (n - i) & ~3);
      const xb = x + (<usize>i << 2);
      for (let k = 0; k < m; k += 4) {
        let v = v128.load(xb + (<usize>k << 2));
        if (useAbs) v = f32x4.abs(v);
        const d = f32x4.sub(v, lov);
        const t = mode == 0 ? f32x4.div(f32x4.mul(d, nbv), spv) : f32x4.mul(f32x4.div(d, spv), nbv);
        // trunc(t) for the lanes that count (0 <= t <= nb < 2^23): the bits of floor(t) + 2^23 less
        // those of 2^23, three instructions where V8 spells trunc_sat in about eight. Other lanes
        // (outside [lo, hi], NaN) get some value that the range test replaces.
        let b = i32x4.min_s(i32x4.sub(f32x4.add(f32x4.floor(t), two23), two23), last);
        if (mode == 2) b = i32x4.max_s(b, zero); // a guess in [0, nb - 1]; edgeFrom tests the range
        else {
          // and / andnot / or: V8's bitselect took about 1.4x as long in this loop (measured)
          const inside = v128.and(f32x4.ge(v, lov), f32x4.le(v, hiv));
          b = v128.or(v128.and(b, inside), v128.andnot(trash, inside));
        }
        // torch mode: the byte offset of the count (lane j counts into sub-histogram j)
        if (mode == 0) b = i32x4.add(i32x4.shl(b, 2), subs);
        v128.store(BINS + (<usize>k << 2), b);
      }
      if (mode == 0) {
        for (let k = 0; k < m; k += 4) {
          const q = BINS + (<usize>k << 2);
          const p0 = counts + <usize>load<i32>(q), p1 = counts + <usize>load<i32>(q, 4);
          const p2 = counts + <usize>load<i32>(q, 8), p3 = counts + <usize>load<i32>(q, 12);
          store<u32>(p0, load<u32>(p0) + 1);
          store<u32>(p1, load<u32>(p1) + 1);
          store<u32>(p2, load<u32>(p2) + 1);
          store<u32>(p3, load<u32>(p3) + 1);
        }
        i += m;
        continue;
      }
      for (let k = 0; k < m; k++) {
        let b = load<i32>(BINS + (<usize>k << 2));
        if (mode != 0) {
          let v = load<f32>(xb + (<usize>k << 2));
          if (useAbs) v = abs<f32>(v);
          if (mode == 1) {
            if (b != nb) b = numpyFix(b, v, edges, nb);
          } else b = edgeFrom(b, v, edges, nb);
        }
        bump(counts, stride, <usize>(k & 3), b);
      }
      i += m;
    }
  }
  for (; i < n; i++) {
    let v = load<f32>(x + (<usize>i << 2));
    if (useAbs) v = abs<f32>(v);
    bump(counts, stride, <usize>(i & 3), binOf(v, lo, hi, span, fnb, nb, edges, mode));
  }
}

/** counts[b] += counts of the other three sub-histograms, for b < nb; the others are left as they are. */
export function calib_hist_fold(counts: usize, nb: i32): void {
  const stride = (<usize>(nb + 1)) << 2;
  for (let b = 0; b < nb; b++) {
    const p = counts + (<usize>b << 2);
    store<u32>(p, load<u32>(p) + load<u32>(p + stride) + load<u32>(p + 2 * stride) + load<u32>(p + 3 * stride));
  }
}
