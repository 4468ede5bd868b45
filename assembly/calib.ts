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

/** Running minimum / maximum of calib_minmax_f32. */
let cMin: f32 = Infinity;
let cMax: f32 = -Infinity;

/**
 * cMin / cMax = min x, max x over n f32 (+Inf / -Inf for n = 0). f32 min / max propagate NaN (a
 * NaN anywhere gives NaN for both) and order -0 below +0, in both builds.
 */
function reduceTrue(x: usize, n: i32): void {
  let lo: f32 = Infinity, hi: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (n >= 16) {
      let a0 = f32x4.splat(Infinity), a1 = a0, a2 = a0, a3 = a0;
      let b0 = f32x4.splat(-Infinity), b1 = b0, b2 = b0, b3 = b0;
      for (; i + 16 <= n; i += 16) {
        const p = x + (<usize>i << 2);
        const u = v128.load(p, 0), v = v128.load(p, 16), w = v128.load(p, 32), z = v128.load(p, 48);
        a0 = f32x4.min(a0, u); b0 = f32x4.max(b0, u);
        a1 = f32x4.min(a1, v); b1 = f32x4.max(b1, v);
        a2 = f32x4.min(a2, w); b2 = f32x4.max(b2, w);
        a3 = f32x4.min(a3, z); b3 = f32x4.max(b3, z);
      }
      const a = f32x4.min(f32x4.min(a0, a1), f32x4.min(a2, a3));
      const b = f32x4.max(f32x4.max(b0, b1), f32x4.max(b2, b3));
      lo = min(min(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), min(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
      hi = max(max(f32x4.extract_lane(b, 0), f32x4.extract_lane(b, 1)), max(f32x4.extract_lane(b, 2), f32x4.extract_lane(b, 3)));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    lo = min(lo, v);
    hi = max(hi, v);
  }
  cMin = lo;
  cMax = hi;
}

/** out[0] = min x, out[1] = max x over n f32 (+Inf / -Inf for n = 0; NaN for both if any x is NaN). */
export function calib_minmax_f32(x: usize, n: i32, out: usize): void {
  reduceTrue(x, n);
  store<f32>(out, cMin);
  store<f32>(out, cMax, 4);
}

/** out[0] = min |x|, out[1] = max |x| over n f32 (+Inf / -Inf for n = 0; NaN for both if any x is NaN). */
export function calib_absrange_f32(x: usize, n: i32, out: usize): void {
  let lo: f32 = Infinity, hi: f32 = -Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f32x4.splat(Infinity), b = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) {
      const v = f32x4.abs(v128.load(x + (<usize>i << 2)));
      a = f32x4.min(a, v);
      b = f32x4.max(b, v);
    }
    lo = min(min(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), min(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
    hi = max(max(f32x4.extract_lane(b, 0), f32x4.extract_lane(b, 1)), max(f32x4.extract_lane(b, 2), f32x4.extract_lane(b, 3)));
  }
  for (; i < n; i++) {
    const v = abs<f32>(load<f32>(x + (<usize>i << 2)));
    lo = min(lo, v);
    hi = max(hi, v);
  }
  store<f32>(out, lo);
  store<f32>(out, hi, 4);
}

/**
 * Per-channel running min / max over a [outer, D, inner] layout: mn[j] = min(mn[j], min of channel
 * j), mx[j] likewise (the caller starts them at +Inf / -Inf). Unlike minmax_axis_f32 of the quant
 * family, the values are the true extremes (not folded with 0): the moving-average observers need them.
 */
export function calib_minmax_axis_f32(x: usize, outer: i32, D: i32, inner: i32, mn: usize, mx: usize): void {
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>D * <usize>inner) << 2);
    if (inner == 1) {
      let j = 0;
      if (ASC_FEATURE_SIMD) {
        for (; j + 4 <= D; j += 4) {
          const o4 = <usize>j << 2;
          const v = v128.load(xo + o4);
          v128.store(mn + o4, f32x4.min(v128.load(mn + o4), v));
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
        reduceTrue(xo + ((<usize>j * <usize>inner) << 2), inner);
        const o4 = <usize>j << 2;
        store<f32>(mn + o4, min<f32>(load<f32>(mn + o4), cMin));
        store<f32>(mx + o4, max<f32>(load<f32>(mx + o4), cMax));
      }
    }
  }
}

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
 * The bin of v among arbitrary increasing f64 edges (nb + 1 of them): the largest b <= nb - 1
 * with edges[b] <= v, found by stepping from the equal-width guess.
 */
@inline function edgeSearch(v: f32, edges: usize, nb: i32, lo: f32, span: f32): i32 {
  let b = <i32>((v - lo) / span * <f32>nb);
  if (b > nb - 1) b = nb - 1;
  if (b < 0) b = 0;
  const w = <f64>v;
  while (b > 0 && w < load<f64>(edges + (<usize>b << 3))) b--;
  while (b < nb - 1 && w >= load<f64>(edges + (<usize>(b + 1) << 3))) b++;
  return b;
}

/** The bin of one element (nb = out of range), for the scalar loop and the SIMD tail. */
@inline function binOf(v: f32, lo: f32, hi: f32, span: f32, fnb: f32, nb: i32, edges: usize, mode: i32): i32 {
  if (mode == 2) {
    const w = <f64>v;
    if (!(w >= load<f64>(edges) && w <= load<f64>(edges + (<usize>nb << 3)))) return nb;
  } else if (!(v >= lo && v <= hi)) return nb;
  let b: i32;
  if (mode == 0) {
    b = <i32>((v - lo) * fnb / span);
    if (b == nb) b = nb - 1;
  } else if (mode == 1) {
    b = <i32>((v - lo) / span * fnb);
    if (b == nb) b = nb - 1;
    b = numpyFix(b, v, edges, nb);
  } else {
    b = edgeSearch(v, edges, nb, lo, span);
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
    if (mode != 2) {
      const lov = f32x4.splat(lo), hiv = f32x4.splat(hi), spv = f32x4.splat(span), nbv = f32x4.splat(fnb);
      const last = i32x4.splat(nb - 1), trash = i32x4.splat(nb);
      for (; i + 4 <= n; i += 4) {
        let v = v128.load(x + (<usize>i << 2));
        if (useAbs) v = f32x4.abs(v);
        const d = f32x4.sub(v, lov);
        const t = mode == 0 ? f32x4.div(f32x4.mul(d, nbv), spv) : f32x4.mul(f32x4.div(d, spv), nbv);
        let b = i32x4.min_s(i32x4.trunc_sat_f32x4_s(t), last);
        const inside = v128.and(f32x4.ge(v, lov), f32x4.le(v, hiv));
        b = v128.bitselect(b, trash, inside);
        let b0 = i32x4.extract_lane(b, 0), b1 = i32x4.extract_lane(b, 1);
        let b2 = i32x4.extract_lane(b, 2), b3 = i32x4.extract_lane(b, 3);
        if (mode == 1) {
          if (b0 != nb) b0 = numpyFix(b0, f32x4.extract_lane(v, 0), edges, nb);
          if (b1 != nb) b1 = numpyFix(b1, f32x4.extract_lane(v, 1), edges, nb);
          if (b2 != nb) b2 = numpyFix(b2, f32x4.extract_lane(v, 2), edges, nb);
          if (b3 != nb) b3 = numpyFix(b3, f32x4.extract_lane(v, 3), edges, nb);
        }
        bump(counts, stride, 0, b0);
        bump(counts, stride, 1, b1);
        bump(counts, stride, 2, b2);
        bump(counts, stride, 3, b3);
      }
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
