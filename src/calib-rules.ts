/**
 * The rules of the calibration observers that run once per update or once per `qparams()` on
 * small arrays (a few thousand bins), shared by the Wasm observers (src/calib.ts) and the plain-TS
 * reference (src/ref/calib.ts); what differs between those two is how a batch is reduced (min /
 * max, binning). Every step follows the float32 / float64 operation order of its source:
 * - PyTorch 1.13 `torch/ao/quantization/observer.py` (MinMaxObserver, MovingAverageMinMaxObserver,
 *   PerChannelMinMaxObserver, HistogramObserver) with the CPU kernels it calls (histc, sum,
 *   cumsum, floor division);
 * - ONNX Runtime `onnxruntime/python/tools/quantization/calibrate.py` (HistogramCollector with the
 *   percentile and entropy methods) and `quant_utils.py` (compute_scale_zp), with numpy >= 2
 *   (NEP 50) promotion for their float32 scalars, numpy.histogram, and scipy.stats.entropy.
 * Only IEEE arithmetic is used (Math.fround, + - * /, floor, trunc): the same bits in every engine.
 * @module
 */
import { type ObserverOptions, type QDtype, observerParams, roundHalfEven } from './quant.js';

const f = Math.fround;

// ---- float helpers ---------------------------------------------------------------------------

/** float32 floor division as torch's div_floor and numpy's floor_divide compute it (Python's //). */
export function floorDivF32(a: number, b: number): number {
  if (b === 0) return f(a / b);
  const mod = a % b; // fmod: exact
  let div = f(f(a - mod) / b);
  if (mod !== 0 && (b < 0) !== (mod < 0)) div = f(div - 1);
  if (div !== 0) {
    let fl = Math.floor(div);
    if (f(div - fl) > 0.5) fl = f(fl + 1);
    return fl;
  }
  return (a / b < 0 || Object.is(a / b, -0)) ? -0 : 0;
}

// The bits of a double through two aliased typed arrays (a DataView took 4x longer per call).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
F64[0] = 1;
const HI = U32[1] === 0x3ff00000 ? 1 : 0; // the word holding the sign and exponent
const LN2_HI = 6.93147180369123816490e-01; // ln 2 split so e * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const C3 = 1 / 3, C5 = 1 / 5, C7 = 1 / 7, C9 = 1 / 9, C11 = 1 / 11, C13 = 1 / 13, C15 = 1 / 15;
const C17 = 1 / 17, C19 = 1 / 19, C21 = 1 / 21, C23 = 1 / 23, C25 = 1 / 25;

/**
 * Natural logarithm of a positive finite double from IEEE operations only (Math.log differs
 * between engines in the last bit): x = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
 * s = (m - 1) / (m + 1), by its odd series to s^25. Within about 1 ulp of the true value.
 */
export function lnF64(x: number): number {
  let e = 0;
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54; } // subnormal: scale by 2^54
  F64[0] = x;
  const hi = U32[HI];
  e += ((hi >>> 20) & 0x7ff) - 1023;
  U32[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = F64[0];
  if (m > 1.4142135623730951) { m /= 2; e += 1; }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const p = C3 + z * (C5 + z * (C7 + z * (C9 + z * (C11 + z * (C13 + z * (C15 + z * (C17 + z * (C19 + z * (C21 + z * (C23 + z * C25))))))))));
  const lm = 2 * s + 2 * s * z * p;
  return e * LN2_HI + (lm + e * LN2_LO);
}

/** numpy's pairwise float32 sum of a contiguous array (np.sum of float32): blocks of 128, 8 accumulators. */
export function numpySumF32(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r = f(r + a[start + i]);
    return r;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j] + a[start + i + j]);
    let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) res = f(res + a[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f(numpySumF32(a, start, n2) + numpySumF32(a, start + n2, n - n2));
}

/**
 * torch.sum of a contiguous float32 vector on CPU (the AVX2 build, 8 lanes): the vectors of 8 are
 * summed as 4 interleaved rows by a 4-level cascade (level steps of 2^max(4, ceil(log2 rows) / 4)),
 * the rows are added, then the scalar tail and the 8 lanes in order. Needs n >= 8.
 */
export function torchSumF32(x: ArrayLike<number>): number {
  const W = 8, ILP = 4, LEVELS = 4;
  const n = x.length;
  const vs = Math.floor(n / W);
  const rows = Math.floor(vs / ILP);
  let ceilLog2 = 0;
  while (2 ** ceilLog2 < rows) ceilLog2++;
  const power = Math.max(4, Math.floor(ceilLog2 / LEVELS));
  const step = 1 << power, mask = step - 1;
  const acc = new Float32Array(LEVELS * ILP * W); // [level][row][lane]
  const at = (lv: number, k: number) => (lv * ILP + k) * W;
  const addVec = (lv: number, k: number, v: number) => {
    const o = at(lv, k), p = v * W;
    for (let l = 0; l < W; l++) acc[o + l] = f(acc[o + l] + x[p + l]);
  };
  let i = 0;
  for (; i + step <= rows;) {
    for (let j = 0; j < step; j++, i++) for (let k = 0; k < ILP; k++) addVec(0, k, i * ILP + k);
    for (let lv = 1; lv < LEVELS; lv++) {
      for (let k = 0; k < ILP; k++) {
        const o = at(lv, k), p = at(lv - 1, k);
        for (let l = 0; l < W; l++) { acc[o + l] = f(acc[o + l] + acc[p + l]); acc[p + l] = 0; }
      }
      if ((i & (mask << (lv * power))) !== 0) break;
    }
  }
  for (; i < rows; i++) for (let k = 0; k < ILP; k++) addVec(0, k, i * ILP + k);
  for (let lv = 1; lv < LEVELS; lv++) {
    for (let k = 0; k < ILP; k++) {
      const o = at(0, k), p = at(lv, k);
      for (let l = 0; l < W; l++) acc[o + l] = f(acc[o + l] + acc[p + l]);
    }
  }
  // the vectors left after the rows of 4 go into row 0, then rows 1..3 are added to row 0
  for (let v = rows * ILP; v < vs; v++) addVec(0, 0, v);
  for (let k = 1; k < ILP; k++) {
    const o = at(0, 0), p = at(0, k);
    for (let l = 0; l < W; l++) acc[o + l] = f(acc[o + l] + acc[p + l]);
  }
  let fin = 0;
  for (let k = vs * W; k < n; k++) fin = f(fin + x[k]);
  for (let l = 0; l < W; l++) fin = f(fin + acc[l]);
  return fin;
}

// ---- what an observer needs from a backend ----------------------------------------------------

/** The batch reductions, by the Wasm kernels or by plain loops. */
export interface CalibBackend {
  /** [min x, max x] (NaN if any x is NaN; +Inf / -Inf when empty). */
  minmax(x: unknown): [number, number];
  /** [min |x|, max |x|]. */
  absRange(x: unknown): [number, number];
  /**
   * Counts of x (or |x| with abs) in nb bins: mode 'torch' (torch.histc between lo and hi),
   * 'numpy' (numpy.histogram, equal bins, edges32 the f32 edges), 'edges' (numpy.histogram with
   * the given f64 edges).
   */
  hist(x: unknown, lo: number, hi: number, nb: number, mode: 'torch' | 'numpy' | 'edges', edges: Float32Array | Float64Array | null, abs: boolean): Float64Array;
  /** Per-channel running min / max of x laid out [outer, D, inner] into mn / mx (true extremes). */
  minmaxAxis(x: unknown, outer: number, D: number, inner: number, mn: Float32Array, mx: Float32Array): void;
  /** Number of elements of x. */
  length(x: unknown): number;
}

/** Observer kinds. */
export type ObserverKind = 'minmax' | 'moving-average-minmax' | 'per-channel-minmax' | 'histogram' | 'percentile' | 'entropy' | 'mse';

/** Options of `observer` (those of `qparams` plus each kind's own). */
export interface CalibOptions extends ObserverOptions {
  /** moving-average-minmax: the weight of each new batch (PyTorch's averaging_constant), default 0.01. */
  averagingConstant?: number;
  /** histogram: number of bins (default 2048); percentile / entropy / mse: bins of the first histogram (ONNX Runtime's num_bins; defaults 2048, 128, 2048). */
  bins?: number;
  /** histogram: PyTorch's upsample_rate (default 128). */
  upsampleRate?: number;
  /** percentile: the percentile in [0, 100] (default 99.999). */
  percentile?: number;
  /** entropy: ONNX Runtime's num_quantized_bins (default 128). */
  quantizedBins?: number;
  /** mse: number of clipping ranges tried (default 100). */
  steps?: number;
}

/** Resolved settings of an observer. */
export interface CalibSettings {
  kind: ObserverKind;
  dtype: QDtype;
  symmetric: boolean;
  reduceRange: boolean;
  qmin: number;
  qmax: number;
  custom: boolean;
  shape?: number[];
  axis: number;
  outer: number;
  D: number;
  inner: number;
  averagingConstant: number;
  bins: number;
  upsampleRate: number;
  percentile: number;
  quantizedBins: number;
  steps: number;
  opts: ObserverOptions;
}

// ---- PyTorch HistogramObserver (1.13) --------------------------------------------------------

/** torch.histc's outer edges as HistogramObserver 1.13 passes them: int() of the tensors, then histc's own rules. */
export function histcRange(lo: number, hi: number, dataMin: number, dataMax: number): [number, number] {
  let a = Math.trunc(lo), b = Math.trunc(hi); // int(min_val), int(max_val): truncation toward zero
  if (a === b) { a = dataMin; b = dataMax; } // histc takes the input's own range when min == max
  if (a === b) { a -= 1; b += 1; }
  return [f(a), f(b)];
}

/** State of a HistogramObserver. */
export interface TorchHistState {
  hist: Float32Array;
  min: number;
  max: number;
}

/** One HistogramObserver.forward: `counts` gives torch.histc of the batch between two edges. */
export function torchHistUpdate(st: TorchHistState, bins: number, up: number, bmin: number, bmax: number, counts: (lo: number, hi: number) => Float64Array): void {
  const fresh = (st.min === Infinity && st.max === -Infinity) || st.min === st.max;
  if (fresh) {
    st.min = bmin;
    st.max = bmax;
    const [lo, hi] = histcRange(bmin, bmax, bmin, bmax);
    const c = counts(lo, hi);
    for (let i = 0; i < bins; i++) st.hist[i] = c[i];
    return;
  }
  const cmin0 = Math.min(bmin, st.min);
  const cmax0 = Math.max(bmax, st.max);
  // _adjust_min_max, in f32 tensors
  const hbw = f(f(st.max - st.min) / (bins * up));
  const wide = f(bins * hbw);
  const down = Math.ceil(f(f(cmax0 - cmin0) / wide));
  const e = f(f(down * wide) - f(cmax0 - cmin0));
  const cmin = cmin0;
  const cmax = f(cmax0 + e);
  const startIdx = roundHalfEven(f(f(st.min - cmin) / hbw));
  const [lo, hi] = histcRange(cmin, cmax, bmin, bmax);
  const c = counts(lo, hi);
  const out = new Float32Array(bins);
  for (let i = 0; i < bins; i++) out[i] = c[i];
  if (cmin === st.min && cmax === st.max) {
    for (let i = 0; i < bins; i++) out[i] = f(out[i] + st.hist[i]);
  } else {
    combineHistograms(out, st.hist, up, down, startIdx, bins);
  }
  st.hist = out;
  st.min = cmin;
  st.max = cmax;
}

/**
 * _combine_histograms: the old histogram upsampled by `up` (each bin repeated), placed at startIdx
 * in a zero grid of bins * down, summed in float64 (torch.cumsum, dtype double), sampled every
 * `down`, differenced against the previous sample rounded to f32 (it is stored in a float32 tensor),
 * divided by `up` in float64, rounded to f32 and added to the new counts. A placement that runs past
 * the grid (torch raises a shape error there) is cut at the grid's end.
 */
function combineHistograms(orig: Float32Array, old: Float32Array, up: number, down: number, start: number, bins: number): void {
  const len = bins * down;
  const end = Math.min(start + bins * up, len);
  // sampled running sums: the sum changes only inside [start, end)
  const integral = new Float64Array(bins);
  let s = 0;
  let j = start; // next grid index to add
  for (let k = 0; k < bins; k++) {
    const at = (k + 1) * down - 1; // inclusive
    const stop = Math.min(at + 1, end);
    for (; j < stop; j++) s += old[Math.floor((j - start) / up)];
    integral[k] = s;
  }
  let prev = 0;
  for (let k = 0; k < bins; k++) {
    const v = f((integral[k] - prev) / up);
    orig[k] = f(orig[k] + v);
    prev = f(integral[k]);
  }
}

/** _compute_quantization_error of HistogramObserver for bins [ns, ne]. */
function torchQuantError(hist: Float32Array, mn: number, mx: number, ns: number, ne: number, dstBins: number, norm: Float32Array): number {
  const bins = hist.length;
  const binWidth = (mx - mn) / bins; // .item() values: float64
  const dbw = (binWidth * (ne - ns + 1)) / dstBins;
  if (dbw === 0) return 0;
  const bw = f(binWidth), d = f(dbw), half = f(dbw / 2), nhalf = f(-dbw / 2);
  const nh3 = f(f(nhalf * nhalf) * nhalf);
  const h3 = f(f(half * half) * half);
  const mid = f(f(h3 - nh3) / 3);
  const top = dstBins - 1;
  for (let i = 0; i < bins; i++) {
    const begin = f((i - ns) * bw);
    const end = f(begin + bw);
    const db = Math.min(Math.max(floorDivF32(begin, d), 0), top);
    const dbc = f(f(db + 0.5) * d);
    const de = Math.min(Math.max(floorDivF32(end, d), 0), top);
    const density = f(hist[i] / bw);
    const a = f(begin - dbc);
    let nrm = f(density * f(f(h3 - f(f(a * a) * a)) / 3));
    nrm = f(nrm + f(f(f(de - db) - 1) * f(density * mid)));
    const dec = f(f(de * d) + half);
    const b = f(end - dec);
    nrm = f(nrm + f(density * f(f(f(f(b * b) * b) - nh3) / 3)));
    norm[i] = nrm;
  }
  return torchSumF32(norm);
}

/** _non_linear_param_search: the [min, max] (f32) that HistogramObserver quantizes with. */
export function torchHistSearch(st: TorchHistState, dstBins: number): [number, number] {
  const hist = st.hist, bins = hist.length;
  const bwT = f(f(st.max - st.min) / bins);
  const total = torchSumF32(hist);
  const cSum = new Float32Array(bins);
  let acc = 0;
  for (let i = 0; i < bins; i++) { acc += hist[i]; cSum[i] = acc; } // torch.cumsum: double accumulator
  const norm = new Float32Array(bins);
  const stepsize = 1e-5;
  let alpha = 0, beta = 1, startBin = 0, endBin = bins - 1, normMin = Infinity;
  while (alpha < beta) {
    const nextAlpha = alpha + stepsize;
    const nextBeta = beta - stepsize;
    // a 0-dim float32 tensor compared with a Python float: the float is cast to float32
    const ta = f(nextAlpha * total), tb = f(nextBeta * total);
    let l = startBin, r = endBin;
    while (l < endBin && cSum[l] < ta) l++;
    while (r > startBin && cSum[r] > tb) r--;
    let ns = startBin, ne = endBin;
    if (l - startBin > endBin - r) { ns = l; alpha = nextAlpha; } else { ne = r; beta = nextBeta; }
    if (ns === startBin && ne === endBin) continue;
    const nrm = torchQuantError(hist, st.min, st.max, ns, ne, dstBins, norm);
    if (nrm > normMin) break;
    normMin = nrm;
    startBin = ns;
    endBin = ne;
  }
  return [f(st.min + f(bwT * startBin)), f(st.min + f(bwT * (endBin + 1)))];
}

// ---- ONNX Runtime HistogramCollector --------------------------------------------------------

/** numpy.linspace(start, stop, num) of float32 scalars under NEP 50 (float32 throughout, last = stop). */
export function linspaceF32(start: number, stop: number, num: number): Float32Array {
  const y = new Float32Array(num);
  const div = num - 1;
  const delta = f(stop - start);
  const step = f(delta / div);
  for (let i = 0; i < num; i++) y[i] = step === 0 ? f(f(f(i / div) * delta) + start) : f(f(i * step) + start);
  if (num > 1) y[num - 1] = stop;
  return y;
}

/** State of ONNX Runtime's collect_value histogram (entropy, percentile asymmetric, mse). */
export interface OrtHistState {
  hist: Float64Array;
  edges: Float32Array;
  min: number;
  max: number;
  threshold: number;
  started: boolean;
}

/** numpy.histogram(x, nb, range=(lo, hi)) with float32 x and range: the f32 edges and their bins. */
function equalEdges(lo: number, hi: number, nb: number): { lo: number; hi: number; edges: Float32Array } {
  if (lo === hi) { lo = f(lo - 0.5); hi = f(hi + 0.5); }
  const edges = linspaceF32(lo, hi, nb + 1);
  for (let i = 0; i < nb; i++) {
    if (!(edges[i] < edges[i + 1])) throw new RangeError(`x: ${nb} bins over [${lo}, ${hi}] give equal float32 edges (numpy's "too many bins for data range")`);
  }
  return { lo, hi, edges };
}

/** HistogramCollector.collect_value for one batch (its min / max given). */
export function ortCollectValue(st: OrtHistState, numBins: number, bmin: number, bmax: number, counts: (lo: number, hi: number, nb: number, edges: Float32Array) => Float64Array): void {
  const t = Math.max(Math.abs(bmin), Math.abs(bmax));
  const run = (tt: number, nb: number) => {
    const e = equalEdges(f(-tt), tt, nb);
    return { edges: e.edges, c: counts(e.lo, e.hi, nb, e.edges) };
  };
  if (!st.started) {
    const { edges, c } = run(t, numBins);
    Object.assign(st, { hist: c, edges, min: bmin, max: bmax, threshold: t, started: true });
    return;
  }
  const oldT = st.threshold, oldN = st.hist.length;
  if (t <= oldT) {
    const { c } = run(oldT, oldN);
    for (let i = 0; i < oldN; i++) st.hist[i] += c[i];
  } else if (oldT === 0) {
    const { edges, c } = run(t, oldN);
    for (let i = 0; i < oldN; i++) c[i] += st.hist[i];
    st.hist = c; st.edges = edges; st.threshold = t;
  } else {
    const stride = f(f(2 * oldT) / oldN);
    const h = Math.trunc(f(floorDivF32(f(t - oldT), stride) + 1));
    const newN = oldN + 2 * h;
    const newT = f(f(h * stride) + oldT);
    const { edges, c } = run(newT, newN);
    for (let i = 0; i < oldN; i++) c[h + i] += st.hist[i];
    st.hist = c; st.edges = edges; st.threshold = newT;
  }
  st.min = Math.min(st.min, bmin);
  st.max = Math.max(st.max, bmax);
}

/** State of collect_absolute_value (percentile, symmetric): edges may grow by np.arange steps. */
export interface OrtAbsState {
  hist: Float64Array;
  edges: Float32Array;
  min: number;
  max: number;
  started: boolean;
}

/** HistogramCollector.collect_absolute_value for one batch. */
export function ortCollectAbs(st: OrtAbsState, numBins: number, bmin: number, bmax: number, amin: number, amax: number,
  equal: (lo: number, hi: number, nb: number, edges: Float32Array) => Float64Array,
  given: (edges: Float64Array) => Float64Array): void {
  if (!st.started) {
    const e = equalEdges(amin, amax, numBins);
    Object.assign(st, { hist: equal(e.lo, e.hi, numBins, e.edges), edges: e.edges, min: bmin, max: bmax, started: true });
    return;
  }
  const old = st.edges;
  let edges64: Float64Array;
  const lastOld = old[old.length - 1];
  if (amax > lastOld) {
    // np.arange of float32 scalars: length ceil(f32((stop - start) / width)), second value the
    // float32 start + width, the rest start + i * (second - start) in float64
    const width = f(old[1] - old[0]);
    const a = f(lastOld + width), b = f(amax + width);
    const n = Math.max(0, Math.ceil(f(f(b - a) / width)));
    const d = f(a + width) - a;
    edges64 = new Float64Array(old.length + n);
    edges64.set(old);
    for (let i = 0; i < n; i++) edges64[old.length + i] = i === 0 ? a : i === 1 ? f(a + width) : a + i * d;
  } else {
    edges64 = Float64Array.from(old);
  }
  const c = given(edges64);
  for (let i = 0; i < st.hist.length; i++) c[i] += st.hist[i];
  st.hist = c;
  st.edges = Float32Array.from(edges64);
  st.min = Math.min(st.min, bmin);
  st.max = Math.max(st.max, bmax);
}

/** numpy.searchsorted(a, v) (side 'left'): the first index with a[i] >= v. */
function searchLeft(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) lo = m + 1; else hi = m;
  }
  return lo;
}

/** compute_percentile: the [lo, hi] thresholds of one histogram. */
export function ortPercentile(hist: Float64Array, edges: Float32Array, mn: number, mx: number, percentile: number, symmetric: boolean): [number, number] {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  const cdf = new Float64Array(hist.length);
  let s = 0;
  for (let i = 0; i < hist.length; i++) { s += hist[i] / total; cdf[i] = s; }
  let lo: number, hi: number;
  if (symmetric) {
    const r = searchLeft(cdf, percentile / 100);
    lo = -edges[r]; hi = edges[r];
  } else {
    const cut = (100 - percentile) / 200;
    hi = edges[searchLeft(cdf, 1 - cut)];
    lo = edges[searchLeft(cdf, cut)];
  }
  if (lo < mn) lo = mn;
  if (hi > mx) hi = mx;
  return [lo, hi];
}

/** smooth_distribution of quant_utils (float32 result), or null when every entry is 0. */
function smooth(p: Float64Array): Float32Array | null {
  let nz = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) nz++;
  const nnz = p.length - nz;
  if (nnz === 0) return null;
  const eps = 0.0001;
  const eps1 = (eps * nz) / nnz;
  if (!(eps1 < 1)) throw new RangeError(`entropy: a candidate distribution has ${nz} empty bins for ${nnz} filled ones (ONNX Runtime's smoothing assertion eps1 < 1 fails)`);
  const addZ = f(eps), addN = f(-eps1);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    out[i] = f(f(p[i]) + (p[i] === 0 ? addZ : addN));
    if (!(out[i] > 0)) throw new RangeError('entropy: smoothing left a bin <= 0 (ONNX Runtime asserts against it)');
  }
  return out;
}

/** scipy.stats.entropy(p, q) of float32 inputs: normalised in float32, rel_entr per term in float64 rounded to float32, numpy's pairwise float32 sums. */
function klF32(p: Float32Array, q: Float32Array): number {
  const sp = numpySumF32(p), sq = numpySumF32(q);
  const terms = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const x = f(p[i] / sp), y = f(q[i] / sq);
    terms[i] = x > 0 && y > 0 ? f(x * lnF64(x / y)) : x === 0 && y >= 0 ? 0 : Infinity;
  }
  return numpySumF32(terms);
}

/** get_entropy_threshold: the KL-divergence search over symmetric windows of the histogram. */
export function ortEntropy(hist: Float64Array, edges: Float32Array, mn: number, mx: number, quantizedBins: number): [number, number] {
  const nb = hist.length;
  const zero = Math.floor(nb / 2);
  const halfQ = Math.floor(quantizedBins / 2);
  if (halfQ > zero) throw new RangeError(`opts.quantizedBins: ${quantizedBins} quantized bins need at least as many histogram bins, the histogram has ${nb}`);
  const prefix = new Float64Array(nb + 1);
  for (let i = 0; i < nb; i++) prefix[i + 1] = prefix[i] + hist[i];
  let best = Infinity, bestI = halfQ;
  for (let i = halfQ; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, nb);
    const size = end - start;
    const p = new Float64Array(size);
    for (let k = 0; k < size; k++) p[k] = hist[start + k];
    p[0] += prefix[start];
    p[size - 1] += prefix[nb] - prefix[end];
    const merged = Math.floor(size / quantizedBins);
    const qb = new Float64Array(quantizedBins);
    for (let b = 0; b < quantizedBins; b++) {
      let s = 0;
      for (let k = b * merged; k < b * merged + merged; k++) s += hist[start + k];
      qb[b] = s;
    }
    for (let k = quantizedBins * merged; k < size; k++) qb[quantizedBins - 1] += hist[start + k];
    const q = new Float64Array(size);
    for (let b = 0; b < quantizedBins; b++) {
      let norm = 0;
      for (let k = b * merged; k < b * merged + merged; k++) if (p[k] !== 0) norm++;
      if (norm !== 0) {
        const v = Math.trunc(qb[b] / norm); // stored into an int64 array
        for (let k = b * merged; k < b * merged + merged; k++) q[k] = v;
      }
    }
    const ps = smooth(p);
    const qs = smooth(q);
    const kl = qs === null || ps === null ? Infinity : klF32(ps, qs);
    if (kl < best) { best = kl; bestI = i; }
  }
  const start = zero - bestI;
  const end = Math.min(zero + bestI + 1, nb);
  let lo = edges[start], hi = edges[end];
  if (lo < mn) lo = mn;
  if (hi > mx) hi = mx;
  return [lo, hi];
}

/** quant_utils.get_qmin_qmax_for_qType for int8 / uint8. */
export function ortQRange(dtype: QDtype, reduceRange: boolean, symmetric: boolean): [number, number] {
  if (reduceRange) return dtype === 'int8' ? [-64, 64] : [0, 127];
  if (symmetric) return dtype === 'int8' ? [-127, 127] : [0, 254];
  return dtype === 'int8' ? [-128, 127] : [0, 255];
}

/** quant_utils.compute_scale_zp from float32 thresholds: [scale (f32), zero point]. */
export function ortScaleZp(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean): [number, number] {
  rmin = Math.min(rmin, 0);
  rmax = Math.max(rmax, 0);
  if (symmetric) {
    const a = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -a; rmax = a;
  }
  const scale = f(rmax - rmin) / (qmax - qmin); // (rmax - rmin) in float32, divided in float64
  if (scale < 1.1754943508222875e-38) return [1, 0];
  const zp = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - rmin / scale);
  return [f(scale), zp];
}

// ---- mse ---------------------------------------------------------------------------------------

/**
 * The clipping range with the least quantization MSE over a histogram, each bin's count placed at
 * its centre ((e[i] + e[i + 1]) / 2 in float64). Candidates k = 1..steps: [lo k / steps, hi k / steps]
 * with lo = min(0, min), hi = max(0, max) (symmetric: +-max(|lo|, hi) k / steps); each is turned
 * into (scale, zero point) by PyTorch's rule (observerParams) and every centre is quantized with
 * round half to even in float64. The first k with the least error wins (ties: the narrower range).
 */
export function mseSearch(hist: Float64Array, edges: Float32Array, mn: number, mx: number, steps: number, o: ObserverOptions, r: { qmin: number; qmax: number; custom: boolean }): [number, number] {
  const lo0 = Math.min(mn, 0), hi0 = Math.max(mx, 0);
  const nb = hist.length;
  const centers = new Float64Array(nb);
  for (let i = 0; i < nb; i++) centers[i] = (edges[i] + edges[i + 1]) / 2;
  let best = Infinity, bestLo = lo0, bestHi = hi0;
  for (let k = 1; k <= steps; k++) {
    const lo = f((lo0 * k) / steps), hi = f((hi0 * k) / steps);
    const [scale, zp] = observerParams(lo, hi, o, r);
    let err = 0;
    for (let i = 0; i < nb; i++) {
      const w = hist[i];
      if (w === 0) continue;
      const c = centers[i];
      const q = Math.min(r.qmax, Math.max(r.qmin, roundHalfEven(c / scale) + zp));
      const d = c - (q - zp) * scale;
      err += w * d * d;
    }
    if (err < best) { best = err; bestLo = lo; bestHi = hi; }
  }
  return [bestLo, bestHi];
}

// ---- the observer's state machine ------------------------------------------------------------

/** The quantization parameters an observer gives (the shape of QuantParams, without importing the checks). */
export interface ObservedParams {
  dtype: QDtype;
  scale: number | Float32Array;
  zeroPoint: number | Int32Array;
  shape?: number[];
  axis?: number;
  rounding: 'torch' | 'onnx';
}

function finiteOr(a: number, b: number): void {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`x: an observer needs finite values, found ${Number.isNaN(a) || Number.isNaN(b) ? 'NaN' : 'Infinity'}`);
  }
}

/** One observer's state and its update / qparams rules; `be` does the per-batch reductions. */
export class ObserverCore {
  readonly s: CalibSettings;
  /** Values seen so far. */
  count = 0;
  private mn = Infinity;
  private mx = -Infinity;
  private chMin: Float32Array | undefined;
  private chMax: Float32Array | undefined;
  private th: TorchHistState | undefined;
  private ort: OrtHistState | undefined;
  private abs: OrtAbsState | undefined;
  /** range() of the current state (the searches are O(bins^2) for entropy); cleared by update. */
  private memo: { min: number | Float32Array; max: number | Float32Array } | undefined;

  constructor(s: CalibSettings) {
    this.s = s;
    if (s.kind === 'per-channel-minmax') {
      this.chMin = new Float32Array(s.D).fill(Infinity);
      this.chMax = new Float32Array(s.D).fill(-Infinity);
    } else if (s.kind === 'histogram') {
      this.th = { hist: new Float32Array(s.bins), min: Infinity, max: -Infinity };
    } else if (s.kind === 'percentile' && s.symmetric) {
      this.abs = { hist: new Float64Array(0), edges: new Float32Array(0), min: Infinity, max: -Infinity, started: false };
    } else if (s.kind === 'percentile' || s.kind === 'entropy' || s.kind === 'mse') {
      this.ort = { hist: new Float64Array(0), edges: new Float32Array(0), min: Infinity, max: -Infinity, threshold: 0, started: false };
    }
  }

  /** Observe one batch. A batch with a NaN or an infinity is a RangeError and leaves the state as it was. */
  update(be: CalibBackend, x: unknown): void {
    const s = this.s;
    const n = be.length(x);
    if (s.shape !== undefined) {
      const want = s.outer * s.D * s.inner;
      if (n !== want) throw new RangeError(`x: expected ${want} elements (opts.shape [${s.shape.join(', ')}]), got ${n}`);
    }
    if (n === 0) return;
    this.memo = undefined;
    if (s.kind === 'per-channel-minmax') {
      const mn = this.chMin!.slice(), mx = this.chMax!.slice();
      be.minmaxAxis(x, s.outer, s.D, s.inner, mn, mx);
      for (let c = 0; c < s.D; c++) finiteOr(mn[c], mx[c]);
      this.chMin = mn;
      this.chMax = mx;
      this.count += n;
      return;
    }
    const [a, b] = be.minmax(x);
    finiteOr(a, b);
    switch (s.kind) {
      case 'minmax':
        this.mn = Math.min(this.mn, a);
        this.mx = Math.max(this.mx, b);
        break;
      case 'moving-average-minmax':
        if (this.mn === Infinity && this.mx === -Infinity) {
          this.mn = a;
          this.mx = b;
        } else {
          // min + c * (cur - min), each step a float32 tensor operation (c cast to float32)
          const c = f(s.averagingConstant);
          this.mn = f(this.mn + f(c * f(a - this.mn)));
          this.mx = f(this.mx + f(c * f(b - this.mx)));
        }
        break;
      case 'histogram':
        torchHistUpdate(this.th!, s.bins, s.upsampleRate, a, b, (lo, hi) => be.hist(x, lo, hi, s.bins, 'torch', null, false));
        break;
      default:
        if (this.abs) {
          const [am, aM] = be.absRange(x);
          ortCollectAbs(this.abs, s.bins, a, b, am, aM,
            (lo, hi, nb, edges) => be.hist(x, lo, hi, nb, 'numpy', edges, true),
            (e64) => be.hist(x, f(e64[0]), f(e64[e64.length - 1]), e64.length - 1, 'edges', e64, true));
        } else {
          ortCollectValue(this.ort!, s.bins, a, b, (lo, hi, nb, edges) => be.hist(x, lo, hi, nb, 'numpy', edges, false));
        }
    }
    this.count += n;
  }

  private need(): void {
    if (this.count === 0) throw new RangeError(`observer: update() has not seen any value yet (${this.s.kind})`);
  }

  /** The range the parameters are computed from: the observed or the searched [min, max] (per channel: arrays). */
  range(): { min: number | Float32Array; max: number | Float32Array } {
    this.need();
    this.memo ??= this.search();
    const { min, max } = this.memo;
    return typeof min === 'number' ? { min, max } : { min: min.slice(), max: (max as Float32Array).slice() };
  }

  private search(): { min: number | Float32Array; max: number | Float32Array } {
    const s = this.s;
    switch (s.kind) {
      case 'minmax':
      case 'moving-average-minmax':
        return { min: this.mn, max: this.mx };
      case 'per-channel-minmax':
        return { min: this.chMin!.slice(), max: this.chMax!.slice() };
      case 'histogram': {
        const [lo, hi] = torchHistSearch(this.th!, 256);
        return { min: lo, max: hi };
      }
      case 'percentile': {
        const h = this.abs ?? this.ort!;
        const [lo, hi] = ortPercentile(h.hist, h.edges, h.min, h.max, s.percentile, s.symmetric);
        return { min: lo, max: hi };
      }
      case 'entropy': {
        const h = this.ort!;
        const [lo, hi] = ortEntropy(h.hist, h.edges, h.min, h.max, s.quantizedBins);
        return { min: lo, max: hi };
      }
      default: {
        const h = this.ort!;
        const [lo, hi] = mseSearch(h.hist, h.edges, h.min, h.max, s.steps, s.opts, s);
        return { min: lo, max: hi };
      }
    }
  }

  /** The quantization parameters of everything observed so far. */
  qparams(): ObservedParams {
    const s = this.s;
    const r = this.range();
    const shape = s.shape ? { shape: s.shape.slice() } : {};
    if (s.kind === 'per-channel-minmax') {
      const mn = r.min as Float32Array, mx = r.max as Float32Array;
      const scale = new Float32Array(s.D), zeroPoint = new Int32Array(s.D);
      for (let c = 0; c < s.D; c++) [scale[c], zeroPoint[c]] = observerParams(mn[c], mx[c], s.opts, s);
      return { dtype: s.dtype, scale, zeroPoint, shape: s.shape!.slice(), axis: s.axis, rounding: 'torch' };
    }
    const lo = r.min as number, hi = r.max as number;
    if (s.kind === 'percentile' || s.kind === 'entropy') {
      const [scale, zeroPoint] = ortScaleZp(lo, hi, s.qmin, s.qmax, s.symmetric);
      return { dtype: s.dtype, scale, zeroPoint, ...shape, rounding: 'onnx' };
    }
    const [scale, zeroPoint] = observerParams(lo, hi, s.opts, s);
    return { dtype: s.dtype, scale, zeroPoint, ...shape, rounding: 'torch' };
  }
}
