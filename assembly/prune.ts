/**
 * Pruning-mask kernels (PyTorch torch.nn.utils.prune: l1_unstructured, global_unstructured,
 * ln_structured, random_unstructured; N:M sparsity; block pruning; importance scores).
 *
 * A mask is u8 0/1, 1 = kept. Magnitudes are ranked by their *key*: the f32 bit pattern with the
 * sign bit cleared. Non-negative floats order like their uint32 bits, so key order is |w| order,
 * -0 == +0, +Inf is above every finite value and every NaN is above +Inf (NaNs among themselves by
 * payload bits). Keys fit in 31 bits, so signed i32 compares (one x64 instruction each in SIMD)
 * order them correctly.
 *
 * Selection of the k smallest keys is a radix select in three kernels (the caller allocates in
 * between): a histogram of the top 16 key bits, then one pass that writes the mask for every
 * element outside the bucket holding the cut and gathers the (few) elements inside it, then a
 * resolve over the gathered candidates with a histogram of the low 16 bits. Ties at the cut are
 * pruned in candidate order, which is index order (tensor order, then index, for global pruning).
 * For one tensor a sampled variant runs first (prune_sample_bracket, prune_mask_range,
 * prune_resolve_range): a key bracket from a sample, one pass, an exact resolve of the bracket.
 *
 * Every kernel is integer-only or uses the same IEEE operations in the same order in both builds;
 * the f64 norm sums are sequential in both.
 * @module
 */
import { PRUNE_NORM_INF, PRUNE_NORM_L1, PRUNE_NORM_L2 } from './consts';

const ABS: i32 = 0x7fffffff;

// Loop constants go through this scratch (stored before a loop, loaded back): V8 (TurboFan, x64)
// rematerialises a splat or v128.const inside the loop that uses it, 3-4 instructions per
// iteration; a loaded value is opaque and stays in a register.
const PC: usize = memory.data(80, 16);

// ---------------------------------------------------------------------------------------------
// Threshold: keep key(w) >= tKey (tKey: key of the smallest f32 >= t; the caller computes it).
// ---------------------------------------------------------------------------------------------

/** out[i] = key(w[i]) > tm1 ? 1 : 0, with tm1 = tKey - 1 (>= -1). */
export function prune_threshold(w: usize, n: i32, tm1: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_threshold 0.47 -> 0.45 ms on 4M)
    v128.store(PC, i32x4.splat(ABS), 0);
    v128.store(PC, i32x4.splat(tm1), 16);
    v128.store(PC, i8x16.splat(1), 32);
    const am = v128.load(PC, 0), tv = v128.load(PC, 16), one = v128.load(PC, 32);
    for (; i + 16 <= n; i += 16) {
      const p = w + (<usize>i << 2);
      const a = i32x4.gt_s(v128.and(v128.load(p, 0), am), tv);
      const b = i32x4.gt_s(v128.and(v128.load(p, 16), am), tv);
      const c = i32x4.gt_s(v128.and(v128.load(p, 32), am), tv);
      const d = i32x4.gt_s(v128.and(v128.load(p, 48), am), tv);
      const m = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
      v128.store(out + <usize>i, v128.and(m, one));
    }
  }
  for (; i < n; i++) {
    store<u8>(out + <usize>i, <u8>((load<i32>(w + (<usize>i << 2)) & ABS) > tm1));
  }
}

// ---------------------------------------------------------------------------------------------
// Radix select, pass 1: histogram of the top 16 key bits (32768 u32 buckets; bit 31 is always 0).
// ---------------------------------------------------------------------------------------------

/**
 * hist[key(w[i]) >>> 16] += 1 for every i (with prior != 0: only where prior[i] != 0).
 * The caller zeroes hist (32768 u32) once; calls accumulate (global pruning).
 */
export function prune_hist_hi(w: usize, n: i32, prior: usize, hist: usize): void {
  if (prior == 0) {
    // Scalar in both builds: 1.8 ms for 4M keys (about 1.3 cycles each). Two interleaved
    // histograms (against store-to-load stalls) measured the same 1.8 ms: not kept.
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const p = w + (<usize>i << 2);
      const k0 = <usize>((load<u32>(p, 0) >>> 16) & 0x7fff) << 2;
      const k1 = <usize>((load<u32>(p, 4) >>> 16) & 0x7fff) << 2;
      const k2 = <usize>((load<u32>(p, 8) >>> 16) & 0x7fff) << 2;
      const k3 = <usize>((load<u32>(p, 12) >>> 16) & 0x7fff) << 2;
      store<u32>(hist + k0, load<u32>(hist + k0) + 1);
      store<u32>(hist + k1, load<u32>(hist + k1) + 1);
      store<u32>(hist + k2, load<u32>(hist + k2) + 1);
      store<u32>(hist + k3, load<u32>(hist + k3) + 1);
    }
    for (; i < n; i++) {
      const k = <usize>((load<u32>(w + (<usize>i << 2)) >>> 16) & 0x7fff) << 2;
      store<u32>(hist + k, load<u32>(hist + k) + 1);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const k = <usize>((load<u32>(w + (<usize>i << 2)) >>> 16) & 0x7fff) << 2;
      store<u32>(hist + k, load<u32>(hist + k) + <u32>(load<u8>(prior + <usize>i) != 0));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the mask of everything outside bucket b; gather the candidates inside it.
// ---------------------------------------------------------------------------------------------

/** Gather element i (key, address of its mask byte) at cand[c]; returns c + 1. */
@inline function gather(cand: usize, c: i32, key: i32, addr: usize): i32 {
  const q = cand + (<usize>c << 3);
  store<i32>(q, key);
  store<u32>(q, <u32>addr, 4);
  return c + 1;
}

/**
 * For every element (where prior, if given, is non-zero): out = 1 if key >>> 16 > b, 0 if below;
 * an element with key >>> 16 == b gets out = 0 and is appended to cand as (key, &out[i]) pairs.
 * Elements with prior == 0 get 0. io[0] holds the candidate count, read and updated (appends).
 */
export function prune_mask_hi(w: usize, n: i32, prior: usize, b: i32, out: usize, cand: usize, io: usize): void {
  const hiEdge = (b << 16) | 0xffff; // key > hiEdge: kept
  const loEdge = (b << 16) - 1; // key > loEdge: in bucket b or above
  let c = load<i32>(io);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_mask_hi 0.68 -> 0.59 ms on 4M)
    v128.store(PC, i32x4.splat(ABS), 0);
    v128.store(PC, i32x4.splat(hiEdge), 16);
    v128.store(PC, i32x4.splat(loEdge), 32);
    v128.store(PC, i8x16.splat(1), 48);
    const am = v128.load(PC, 0), hv = v128.load(PC, 16), lv = v128.load(PC, 32), one = v128.load(PC, 48);
    const zero = i8x16.splat(0);
    for (; i + 16 <= n; i += 16) {
      const p = w + (<usize>i << 2);
      const ka = v128.and(v128.load(p, 0), am);
      const kb = v128.and(v128.load(p, 16), am);
      const kc = v128.and(v128.load(p, 32), am);
      const kd = v128.and(v128.load(p, 48), am);
      const ga = i32x4.gt_s(ka, hv), gb = i32x4.gt_s(kb, hv), gc = i32x4.gt_s(kc, hv), gd = i32x4.gt_s(kd, hv);
      let m = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(ga, gb), i16x8.narrow_i32x4_s(gc, gd));
      const ea = v128.andnot(i32x4.gt_s(ka, lv), ga);
      const eb = v128.andnot(i32x4.gt_s(kb, lv), gb);
      const ec = v128.andnot(i32x4.gt_s(kc, lv), gc);
      const ed = v128.andnot(i32x4.gt_s(kd, lv), gd);
      let pm = zero;
      if (prior != 0) {
        pm = i8x16.ne(v128.load(prior + <usize>i), zero);
        m = v128.and(m, pm);
      }
      v128.store(out + <usize>i, v128.and(m, one));
      if (v128.any_true(v128.or(v128.or(ea, eb), v128.or(ec, ed)))) {
        // lanes in the bucket, as bits (lane j of vector q -> bit 4q + j), lowest index first
        let bits = i32x4.bitmask(ea) | (i32x4.bitmask(eb) << 4) | (i32x4.bitmask(ec) << 8) | (i32x4.bitmask(ed) << 12);
        if (prior != 0) bits &= i8x16.bitmask(pm);
        while (bits != 0) {
          const j = ctz(bits);
          bits &= bits - 1;
          c = gather(cand, c, load<i32>(p + (<usize>j << 2)) & ABS, out + <usize>(i + j));
        }
      }
    }
  }
  for (; i < n; i++) {
    const k = load<i32>(w + (<usize>i << 2)) & ABS;
    const live = prior == 0 || load<u8>(prior + <usize>i) != 0;
    store<u8>(out + <usize>i, <u8>(live && k > hiEdge));
    if (live && k > loEdge && k <= hiEdge) c = gather(cand, c, k, out + <usize>i);
  }
  store<i32>(io, c);
}

// findBucket: the first histogram bucket at which the running count reaches r (1 <= r <= total),
// with the count of the buckets before it left in gBelow.
let gBelow: i32 = 0;
@inline function findBucket(hist: usize, r: i32): i32 {
  let below = 0, d = 0;
  while (true) {
    const h = <i32>load<u32>(hist + (<usize>d << 2));
    if (below + h >= r) break;
    below += h;
    d++;
  }
  gBelow = below;
  return d;
}

/**
 * Pass 3: among the c candidates (all in one top-16 bucket), prune the r smallest keys (ties: the
 * earlier candidate first) by writing 0 to their mask bytes and 1 to the others.
 * hist: 65536 u32 of scratch (zeroed here).
 */
export function prune_resolve(cand: usize, c: i32, r: i32, hist: usize): void {
  memory.fill(hist, 0, 65536 << 2);
  for (let j = 0; j < c; j++) {
    const h = hist + (<usize>(load<i32>(cand + (<usize>j << 3)) & 0xffff) << 2);
    store<u32>(h, load<u32>(h) + 1);
  }
  // The low 16 bits t of the r-th smallest key, and how many equal keys to prune (rem).
  const t = findBucket(hist, r);
  let rem = r - gBelow;
  for (let j = 0; j < c; j++) {
    const q = cand + (<usize>j << 3);
    const lo = load<i32>(q) & 0xffff;
    let keep: u8 = 1;
    if (lo < t) keep = 0;
    else if (lo == t && rem > 0) {
      keep = 0;
      rem--;
    }
    store<u8>(<usize>load<u32>(q, 4), keep);
  }
}

// ---------------------------------------------------------------------------------------------
// Sampled select (one tensor, no prior): a sample gives a narrow key bracket [lo, hi] that holds
// the cut with high probability; one pass writes the mask outside it and gathers it; the caller
// checks that the cut is inside (else it runs the histogram select above) and resolves.
// ---------------------------------------------------------------------------------------------

/** The top-16 bucket of the sample key of rank q (hist: the sample's histogram); *below: keys under it. */
function sampleBucket(hist: usize, q: i32, below: usize): i32 {
  let bl = 0, b = 0;
  while (true) {
    const h = <i32>load<u32>(hist + (<usize>b << 2));
    if (bl + h > q) break;
    bl += h;
    b++;
  }
  store<i32>(below, bl);
  return b;
}

/** The sub-bucket (bits 15..8) of rank q within its top-16 bucket (sub: its 256 counts). */
function sampleSub(sub: usize, q: i32, below: i32): i32 {
  let d = 0;
  while (true) {
    const h = <i32>load<u32>(sub + (<usize>d << 2));
    if (below + h > q) break;
    below += h;
    d++;
  }
  return d;
}

@inline function sampleCount(sub: usize, key: i32): void {
  const h = sub + (<usize>((key >>> 8) & 0xff) << 2);
  store<u32>(h, load<u32>(h) + 1);
}

/**
 * Sample L runs of 16 consecutive keys (run j starts at floor(j * n / L); L <= n / 16) and write
 * io[0] = lo, io[1] = hi: lo is at or below the sample key of rank qlo (-1: lo = 0), hi at or
 * above the one of rank qhi (>= 16 L: hi = 0x7fffffff), both to 256-key sub-buckets: a histogram
 * of the sample's top 16 bits, then one scan for bits 15..8 inside the two buckets found.
 * hist: 32768 + 512 u32 + 16 bytes of scratch.
 */
export function prune_sample_bracket(w: usize, n: i32, L: i32, qlo: i32, qhi: i32, hist: usize, io: usize): void {
  memory.fill(hist, 0, 32768 << 2);
  for (let j = 0; j < L; j++) {
    const p = w + (<usize>(<i64>j * n / L) << 2);
    for (let e = 0; e < 16; e++) {
      const h = hist + (<usize>((load<u32>(p + (<usize>e << 2)) >>> 16) & 0x7fff) << 2);
      store<u32>(h, load<u32>(h) + 1);
    }
  }
  const S = L * 16;
  const subLo = hist + (32768 << 2), subHi = subLo + (256 << 2), tmp = subHi + (256 << 2);
  memory.fill(subLo, 0, 512 << 2);
  const bLo = qlo < 0 ? -1 : sampleBucket(hist, qlo, tmp);
  const belowLo = load<i32>(tmp);
  const bHi = qhi >= S ? -1 : sampleBucket(hist, qhi, tmp);
  const belowHi = load<i32>(tmp);
  for (let j = 0; j < L; j++) {
    const p = w + (<usize>(<i64>j * n / L) << 2);
    let e = 0;
    if (ASC_FEATURE_SIMD) {
      // the rare runs that touch bucket bLo or bHi (~0.3% of normal keys each): a vector test
      const am = i32x4.splat(ABS), lv = i32x4.splat(bLo), hv = i32x4.splat(bHi);
      const a = i32x4.shr_u(v128.and(v128.load(p, 0), am), 16), b = i32x4.shr_u(v128.and(v128.load(p, 16), am), 16);
      const c = i32x4.shr_u(v128.and(v128.load(p, 32), am), 16), d = i32x4.shr_u(v128.and(v128.load(p, 48), am), 16);
      const x = v128.or(v128.or(i32x4.eq(a, lv), i32x4.eq(b, lv)), v128.or(i32x4.eq(c, lv), i32x4.eq(d, lv)));
      const y = v128.or(v128.or(i32x4.eq(a, hv), i32x4.eq(b, hv)), v128.or(i32x4.eq(c, hv), i32x4.eq(d, hv)));
      if (!v128.any_true(v128.or(x, y))) e = 16;
    }
    for (; e < 16; e++) {
      const key = load<i32>(p + (<usize>e << 2)) & ABS;
      if (key >>> 16 == bLo) sampleCount(subLo, key);
      if (key >>> 16 == bHi) sampleCount(subHi, key);
    }
  }
  store<i32>(io, bLo < 0 ? 0 : (bLo << 16) | (sampleSub(subLo, qlo, belowLo) << 8), 0);
  store<i32>(io, bHi < 0 ? ABS : (bHi << 16) | (sampleSub(subHi, qhi, belowHi) << 8) | 0xff, 4);
}

/**
 * out = 1 where key > hi, else 0; keys in [lo, hi] are appended to cand as (key, &out[i]) while
 * fewer than cap are there (the count goes on). io[0] = gathered count, io[1] = number of keys
 * >= lo. SIMD: chunks of 4080 keys; the vector loop stores each 16 keys' bracket bits in wbuf
 * (255 u16) without branching and a scalar loop gathers them: the gather branch inside the vector
 * loop cost ~25 ns per candidate (1.9 ms for a 1.6% bracket on 4M keys), this ~1.1 ms (measured).
 */
export function prune_mask_range(w: usize, n: i32, lo: i32, hi: i32, out: usize, cand: usize, cap: i32, io: usize, wbuf: usize): void {
  const lm1 = lo - 1;
  let c = 0, ge = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_mask_range 0.72 -> 0.68 ms on 4M)
    v128.store(PC, i32x4.splat(ABS), 0);
    v128.store(PC, i32x4.splat(hi), 16);
    v128.store(PC, i32x4.splat(lm1), 32);
    v128.store(PC, i8x16.splat(1), 48);
    const am = v128.load(PC, 0), hv = v128.load(PC, 16), lv = v128.load(PC, 32), one = v128.load(PC, 48);
    let acc = i32x4.splat(0);
    while (i + 16 <= n) {
      const i0 = i;
      const stop = min(n - 15, i + 255 * 16); // byte counters: at most 255 steps
      let wq = wbuf;
      let a8 = i8x16.splat(0);
      for (; i < stop; i += 16) {
        const p = w + (<usize>i << 2);
        const ka = v128.and(v128.load(p, 0), am);
        const kb = v128.and(v128.load(p, 16), am);
        const kc = v128.and(v128.load(p, 32), am);
        const kd = v128.and(v128.load(p, 48), am);
        const ga = i32x4.gt_s(ka, hv), gb = i32x4.gt_s(kb, hv), gc = i32x4.gt_s(kc, hv), gd = i32x4.gt_s(kd, hv);
        const m = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(ga, gb), i16x8.narrow_i32x4_s(gc, gd));
        v128.store(out + <usize>i, v128.and(m, one));
        const la = i32x4.gt_s(ka, lv), lb = i32x4.gt_s(kb, lv), lc = i32x4.gt_s(kc, lv), ld = i32x4.gt_s(kd, lv);
        const l8 = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(la, lb), i16x8.narrow_i32x4_s(lc, ld));
        a8 = i8x16.sub(a8, m); // keys > hi
        store<u16>(wq, <u16>i8x16.bitmask(v128.andnot(l8, m)));
        wq += 2;
      }
      acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(a8)));
      for (let q = wbuf, b = i0; q < wq; q += 2, b += 16) {
        let bits = <i32>load<u16>(q);
        while (bits != 0) {
          const j = ctz(bits);
          bits &= bits - 1;
          if (c < cap) gather(cand, c, load<i32>(w + (<usize>(b + j) << 2)) & ABS, out + <usize>(b + j));
          c++;
        }
      }
    }
    ge = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3) + c;
  }
  for (; i < n; i++) {
    const k = load<i32>(w + (<usize>i << 2)) & ABS;
    store<u8>(out + <usize>i, <u8>(k > hi));
    ge += <i32>(k > lm1);
    if (k > lm1 && k <= hi) {
      if (c < cap) gather(cand, c, k, out + <usize>i);
      c++;
    }
  }
  store<i32>(io, c, 0);
  store<i32>(io, ge, 4);
}

/**
 * Among the c gathered candidates (keys in [lo, lo + span]), prune the r smallest (ties: the
 * earlier candidate first; 1 <= r <= c) by writing 0 to their mask bytes and 1 to the others.
 * Two digits of rel = key - lo: the top (at most) 16 significant bits of span, then the rest.
 * hist: 65536 u32 of scratch.
 */
export function prune_resolve_range(cand: usize, c: i32, r: i32, lo: i32, span: i32, hist: usize): void {
  const s = span == 0 ? 0 : max(0, 32 - <i32>clz(span) - 16);
  memory.fill(hist, 0, <usize>((span >>> s) + 1) << 2);
  for (let j = 0; j < c; j++) {
    const h = hist + (<usize>((load<i32>(cand + (<usize>j << 3)) - lo) >>> s) << 2);
    store<u32>(h, load<u32>(h) + 1);
  }
  const d = findBucket(hist, r);
  r -= gBelow;
  let t = lo + (d << s);
  if (s > 0) {
    const dm = (1 << s) - 1;
    memory.fill(hist, 0, <usize>(1 << s) << 2);
    for (let j = 0; j < c; j++) {
      const rel = load<i32>(cand + (<usize>j << 3)) - lo;
      if (rel >>> s == d) {
        const h = hist + (<usize>(rel & dm) << 2);
        store<u32>(h, load<u32>(h) + 1);
      }
    }
    const d2 = findBucket(hist, r);
    r -= gBelow;
    t += d2;
  }
  // t: the cut key; r: how many candidates equal to t are pruned, the earliest first
  for (let j = 0; j < c; j++) {
    const q = cand + (<usize>j << 3);
    const key = load<i32>(q);
    let keep = <u8>(key > t);
    if (key == t) {
      keep = <u8>(r <= 0);
      r--;
    }
    store<u8>(<usize>load<u32>(q, 4), keep);
  }
}

// ---------------------------------------------------------------------------------------------
// N:M along the last dimension: in each group of m, keep the n largest keys; equal keys: the
// lower index wins. Element e of a group is kept iff fewer than n elements beat it, where j beats
// e iff key_j > key_e or (key_j == key_e and j < e).
// ---------------------------------------------------------------------------------------------

/** 4x4 transpose of i32 lanes: returns row e of the transpose of (v0, v1, v2, v3). */
@inline function tr4(v0: v128, v1: v128, v2: v128, v3: v128, e: i32): v128 {
  const t0 = v128.shuffle<i32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(v2, v3, 0, 4, 1, 5);
  const t2 = v128.shuffle<i32>(v0, v1, 2, 6, 3, 7), t3 = v128.shuffle<i32>(v2, v3, 2, 6, 3, 7);
  if (e == 0) return v128.shuffle<i32>(t0, t1, 0, 1, 4, 5);
  if (e == 1) return v128.shuffle<i32>(t0, t1, 2, 3, 6, 7);
  if (e == 2) return v128.shuffle<i32>(t2, t3, 0, 1, 4, 5);
  return v128.shuffle<i32>(t2, t3, 2, 3, 6, 7);
}

/** 2:4-style ranks of four groups of four at p (m = 4): 16 mask bytes at o. */
@inline function nm4Groups(p: usize, o: usize, am: v128, n0: v128, n1: v128, n2: v128, n3: v128): void {
  const v0 = v128.and(v128.load(p, 0), am);
  const v1 = v128.and(v128.load(p, 16), am);
  const v2 = v128.and(v128.load(p, 32), am);
  const v3 = v128.and(v128.load(p, 48), am);
  const t0 = v128.shuffle<i32>(v0, v1, 0, 4, 1, 5); // g0e0 g1e0 g0e1 g1e1
  const t1 = v128.shuffle<i32>(v2, v3, 0, 4, 1, 5); // g2e0 g3e0 g2e1 g3e1
  const t2 = v128.shuffle<i32>(v0, v1, 2, 6, 3, 7);
  const t3 = v128.shuffle<i32>(v2, v3, 2, 6, 3, 7);
  const a = v128.shuffle<i32>(t0, t1, 0, 1, 4, 5);
  const b = v128.shuffle<i32>(t0, t1, 2, 3, 6, 7);
  const c = v128.shuffle<i32>(t2, t3, 0, 1, 4, 5);
  const d = v128.shuffle<i32>(t2, t3, 2, 3, 6, 7);
  // gXY = -1 where Y beats X (Y > X in key, X before Y); X beats Y where gXY = 0.
  const gab = i32x4.gt_s(b, a), gac = i32x4.gt_s(c, a), gad = i32x4.gt_s(d, a);
  const gbc = i32x4.gt_s(c, b), gbd = i32x4.gt_s(d, b), gcd = i32x4.gt_s(d, c);
  // -rank of each element (its beaters counted as -1s), less the element's position:
  // -rank(b) = ~gab + gbc + gbd = (gbc + gbd - gab) - 1, and so on (~g = -1 - g).
  const ra = i32x4.add(i32x4.add(gab, gac), gad);
  const rb = i32x4.sub(i32x4.add(gbc, gbd), gab);
  const rc = i32x4.sub(i32x4.sub(gcd, gac), gbc);
  const rd = i32x4.sub(i32x4.sub(i32x4.sub(i32x4.splat(0), gad), gbd), gcd);
  // keep iff rank < n, i.e. -rank > -n: -rank(e) = r_e - e, so r_e > e - n
  const ka = i32x4.gt_s(ra, n0), kb = i32x4.gt_s(rb, n1), kc = i32x4.gt_s(rc, n2), kd = i32x4.gt_s(rd, n3);
  // group k element e goes to byte 4k + e: lane k = -(ka + kb << 8 + kc << 16 + kd << 24), no
  // byte shuffle (V8 rebuilt its pshufb mask every iteration): 2:4 0.86 -> 0.83 ms on 4M floats
  const t = i32x4.add(i32x4.add(ka, i32x4.shl(kb, 8)), i32x4.add(i32x4.shl(kc, 16), i32x4.shl(kd, 24)));
  v128.store(o, i32x4.sub(i32x4.splat(0), t));
}

/**
 * N:M mask over `groups` groups of m consecutive elements. scratch: 32 * m bytes (m >= 8, m a
 * multiple of 4, SIMD build) or 4 * m bytes (other m > 4), 16-byte aligned.
 *
 * m > 4 counts beaters with one compare per pair: for i < j, j beats i iff key_j > key_i, and
 * otherwise i beats j. A[e] = #{j > e: j beats e} - #{i < e: e beats i} = beaters(e) - e, so e
 * is kept iff A[e] < n - e.
 */
export function prune_nm(w: usize, groups: i32, nk: i32, m: i32, out: usize, scratch: usize): void {
  let g = 0;
  if (m == 4) {
    if (ASC_FEATURE_SIMD) {
      // Four groups per iteration, transposed so lane k of a, b, c, d holds group k's elements
      // 0..3: the six pair compares are lane-parallel, each gives both directions of "beats".
      // thresholds per element position: keep e iff -rank > -n, with the constant part of -rank
      // moved into the threshold so no v128.not (two x64 instructions in V8) is needed
      const am = i32x4.splat(ABS);
      const n0 = i32x4.splat(-nk), n1 = i32x4.splat(1 - nk), n2 = i32x4.splat(2 - nk), n3 = i32x4.splat(3 - nk);
      // two blocks of four groups per iteration: 1.12 -> 0.93 ms on 4M floats (measured; with the
      // not-free thresholds above, 1.24 -> 1.12 ms)
      for (; g + 8 <= groups; g += 8) {
        nm4Groups(w + (<usize>g << 4), out + (<usize>g << 2), am, n0, n1, n2, n3);
        nm4Groups(w + (<usize>g << 4) + 64, out + (<usize>g << 2) + 16, am, n0, n1, n2, n3);
      }
      for (; g + 4 <= groups; g += 4) {
        nm4Groups(w + (<usize>g << 4), out + (<usize>g << 2), am, n0, n1, n2, n3);
      }
    }
  }
  if (m == 4) {
    // The same six pair compares, one group at a time.
    for (; g < groups; g++) {
      const p = w + (<usize>g << 4);
      const a = load<i32>(p, 0) & ABS, b = load<i32>(p, 4) & ABS, c = load<i32>(p, 8) & ABS, d = load<i32>(p, 12) & ABS;
      const gab = <i32>(b > a), gac = <i32>(c > a), gad = <i32>(d > a), gbc = <i32>(c > b), gbd = <i32>(d > b), gcd = <i32>(d > c);
      const o = out + (<usize>g << 2);
      store<u8>(o, <u8>(gab + gac + gad < nk));
      store<u8>(o, <u8>(1 - gab + gbc + gbd < nk), 1);
      store<u8>(o, <u8>(2 - gac - gbc + gcd < nk), 2);
      store<u8>(o, <u8>(3 - gad - gbd - gcd < nk), 3);
    }
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if ((m & 3) == 0) {
      // Four groups per step, transposed into E[e] (lane q = element e of group g + q), with the
      // accumulators A[e] as vectors: 4:8 went from 19 ms (scalar pairs, byte counters) to 2.7 ms
      // on 4M floats (measured).
      const am = i32x4.splat(ABS);
      const E = scratch, A = scratch + (<usize>m << 4);
      const gs = <usize>m << 2; // bytes per group
      for (; g + 4 <= groups; g += 4) {
        const p = w + <usize>g * gs;
        for (let c = 0; c < m; c += 4) {
          const x = p + (<usize>c << 2);
          const v0 = v128.and(v128.load(x), am), v1 = v128.and(v128.load(x + gs), am);
          const v2 = v128.and(v128.load(x + 2 * gs), am), v3 = v128.and(v128.load(x + 3 * gs), am);
          const q = E + (<usize>c << 4);
          v128.store(q, tr4(v0, v1, v2, v3, 0), 0);
          v128.store(q, tr4(v0, v1, v2, v3, 1), 16);
          v128.store(q, tr4(v0, v1, v2, v3, 2), 32);
          v128.store(q, tr4(v0, v1, v2, v3, 3), 48);
        }
        v128.store(A, i32x4.splat(0));
        let j = 1;
        // two j per sweep over i: one read-modify-write of A[i] per two pairs (4:8 3.4 -> 2.7 ms,
        // 8:16 5.0 -> 3.6 ms, measured)
        for (; j + 1 < m; j += 2) {
          const ej = v128.load(E + (<usize>j << 4)), ek = v128.load(E + (<usize>j << 4), 16);
          let aj = i32x4.splat(0), ak = i32x4.splat(0);
          for (let i = 0; i < j; i++) {
            const ei = v128.load(E + (<usize>i << 4));
            const gij = i32x4.gt_s(ej, ei), gik = i32x4.gt_s(ek, ei);
            const ai = A + (<usize>i << 4);
            v128.store(ai, i32x4.sub(v128.load(ai), i32x4.add(gij, gik)));
            aj = i32x4.add(aj, gij);
            ak = i32x4.add(ak, gik);
          }
          const gjk = i32x4.gt_s(ek, ej);
          v128.store(A + (<usize>j << 4), i32x4.sub(aj, gjk));
          v128.store(A + (<usize>j << 4), i32x4.add(ak, gjk), 16);
        }
        for (; j < m; j++) {
          const ej = v128.load(E + (<usize>j << 4));
          let aj = i32x4.splat(0);
          for (let i = 0; i < j; i++) {
            const gij = i32x4.gt_s(ej, v128.load(E + (<usize>i << 4))); // -1: j beats i
            const ai = A + (<usize>i << 4);
            v128.store(ai, i32x4.sub(v128.load(ai), gij));
            aj = i32x4.add(aj, gij);
          }
          v128.store(A + (<usize>j << 4), aj);
        }
        // keep iff A[e] < n - e; lanes back to groups, 4 bytes per group
        const o = out + <usize>g * <usize>m;
        for (let c = 0; c < m; c += 4) {
          const q = A + (<usize>c << 4);
          const k0 = i32x4.lt_s(v128.load(q, 0), i32x4.splat(nk - c));
          const k1 = i32x4.lt_s(v128.load(q, 16), i32x4.splat(nk - c - 1));
          const k2 = i32x4.lt_s(v128.load(q, 32), i32x4.splat(nk - c - 2));
          const k3 = i32x4.lt_s(v128.load(q, 48), i32x4.splat(nk - c - 3));
          // lanes back as in nm4Groups, no byte shuffle (4:8 2.55 -> 2.47, 8:16 3.53 -> 3.46 ms on 4M)
          const t = i32x4.add(i32x4.add(k0, i32x4.shl(k1, 8)), i32x4.add(i32x4.shl(k2, 16), i32x4.shl(k3, 24)));
          const b = i32x4.sub(i32x4.splat(0), t);
          const oc = o + <usize>c;
          v128.store32_lane(oc, b, 0);
          v128.store32_lane(oc + <usize>m, b, 1);
          v128.store32_lane(oc + (<usize>m << 1), b, 2);
          v128.store32_lane(oc + <usize>m * 3, b, 3);
        }
      }
    }
  }
  // One group at a time, the same pairwise count with the accumulators in scratch (i32).
  for (; g < groups; g++) {
    const p = w + ((<usize>g * <usize>m) << 2);
    const o = out + <usize>g * <usize>m;
    store<i32>(scratch, 0);
    for (let j = 1; j < m; j++) {
      const kj = load<i32>(p + (<usize>j << 2)) & ABS;
      let aj = 0;
      for (let i = 0; i < j; i++) {
        const gij = <i32>(kj > (load<i32>(p + (<usize>i << 2)) & ABS)); // 1: j beats i
        const ai = scratch + (<usize>i << 2);
        store<i32>(ai, load<i32>(ai) + gij);
        aj -= gij;
      }
      store<i32>(scratch + (<usize>j << 2), aj);
    }
    for (let e = 0; e < m; e++) store<u8>(o + <usize>e, <u8>(e + load<i32>(scratch + (<usize>e << 2)) < nk));
  }
}

// ---------------------------------------------------------------------------------------------
// Norms for structured / block pruning: f64 sums, sequential in memory order, in both builds.
// p = 1: sum |w|; p = 2: sum w^2 (the square of an f32 is exact in f64); p = 0: max |w| (Inf
// norm; NaN propagates).
// ---------------------------------------------------------------------------------------------

@inline function normTerm(v: f32, p: i32): f64 {
  const a = abs<f64>(<f64>v);
  return p == PRUNE_NORM_L2 ? a * a : a;
}

@inline function normAcc(acc: f64, v: f32, p: i32): f64 {
  if (p == PRUNE_NORM_INF) {
    const a = abs<f64>(<f64>v);
    return a > acc || a != a ? a : acc; // NaN sticks: once acc is NaN, a > acc is false
  }
  return acc + normTerm(v, p);
}

/** out[j] (f64, D entries) = norm of slice j of a [outer, D, inner] tensor. */
export function prune_slice_norms(w: usize, outer: i32, D: i32, inner: i32, p: i32, out: usize): void {
  memory.fill(out, 0, <usize>D << 3);
  for (let o = 0; o < outer; o++) {
    const wo = w + ((<usize>o * <usize>D * <usize>inner) << 2);
    for (let j = 0; j < D; j++) {
      const q = out + (<usize>j << 3);
      let acc = load<f64>(q);
      if (acc != acc) continue;
      const ws = wo + ((<usize>j * <usize>inner) << 2);
      if (p == PRUNE_NORM_INF) for (let i = 0; i < inner; i++) acc = normAcc(acc, load<f32>(ws + (<usize>i << 2)), 0);
      else if (p == PRUNE_NORM_L1) for (let i = 0; i < inner; i++) acc += normTerm(load<f32>(ws + (<usize>i << 2)), 1);
      else for (let i = 0; i < inner; i++) acc += normTerm(load<f32>(ws + (<usize>i << 2)), 2);
      store<f64>(q, acc);
    }
  }
}

/**
 * Two adjacent blocks' f64 accumulators (lanes 0, 1) += the f32 lanes 0, 1 of x, p = 1 or 2 (a
 * constant at every call). |a| is an AND with `am` (the sign mask held in a register); p = 2 needs
 * no abs at all.
 */
@inline function pairAcc(acc: v128, x: v128, p: i32, am: v128): v128 {
  const a = f64x2.promote_low_f32x4(x);
  return f64x2.add(acc, p == PRUNE_NORM_L2 ? f64x2.mul(a, a) : v128.and(a, am));
}

/** The SIMD part of one row of prune_block_norms for a constant p (1 or 2); returns the next block. */
@inline function blockNormsRow(wr: usize, orow: usize, full: i32, bw: i32, p: i32, am: v128): i32 {
  let bc = 0;
  if ((bw & 3) == 0) {
    // element j of blocks bc and bc + 1 in lanes 0, 1: 4 at a time from each block
    for (; bc + 2 <= full; bc += 2) {
      const q = orow + (<usize>bc << 3);
      const x0 = wr + ((<usize>bc * <usize>bw) << 2), x1 = x0 + (<usize>bw << 2);
      let acc = v128.load(q);
      for (let j = 0; j < bw; j += 4) {
        const a = v128.load(x0 + (<usize>j << 2)), b = v128.load(x1 + (<usize>j << 2));
        const lo = v128.shuffle<i32>(a, b, 0, 4, 1, 5), hi = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
        acc = pairAcc(acc, lo, p, am);
        acc = pairAcc(acc, v128.shuffle<i32>(lo, lo, 2, 3, 2, 3), p, am);
        acc = pairAcc(acc, hi, p, am);
        acc = pairAcc(acc, v128.shuffle<i32>(hi, hi, 2, 3, 2, 3), p, am);
      }
      v128.store(q, acc);
    }
  } else if (bw == 2) {
    for (; bc + 2 <= full; bc += 2) {
      const q = orow + (<usize>bc << 3);
      const a = v128.load(wr + ((<usize>bc << 1) << 2));
      let acc = pairAcc(v128.load(q), v128.shuffle<i32>(a, a, 0, 2, 0, 2), p, am);
      v128.store(q, pairAcc(acc, v128.shuffle<i32>(a, a, 1, 3, 1, 3), p, am));
    }
  } else if (bw == 1) {
    for (; bc + 4 <= full; bc += 4) {
      const q = orow + (<usize>bc << 3);
      const a = v128.load(wr + (<usize>bc << 2));
      v128.store(q, pairAcc(v128.load(q), a, p, am));
      v128.store(q, pairAcc(v128.load(q, 16), v128.shuffle<i32>(a, a, 2, 3, 2, 3), p, am), 16);
    }
  }
  return bc;
}

/** Scratch for prune_block_norms' sign mask (through memory, so V8 keeps it in a register). */
const BN_MASK: usize = memory.data(16, 16);

/**
 * out[br * nbc + bc] (f64) = norm of block (br, bc) of an R x C matrix cut in bh x bw blocks
 * (edge blocks hold what is left); each block's sum runs row by row, left to right.
 * Rows are visited in order and each row adds its terms to the accumulators of its blocks, so
 * every block keeps the same sequential f64 chain in both builds. SIMD (p = 1, 2): two adjacent
 * blocks per f64x2 (their accumulators are adjacent), lane k = block bc + k: 4x4 blocks on 4M
 * floats: the old per-block scalar loop 5.0 ms, now 1.3 ms (scalar build 3.4 ms), measured.
 */
export function prune_block_norms(w: usize, R: i32, C: i32, bh: i32, bw: i32, p: i32, out: usize): void {
  const nbc = (C + bw - 1) / bw;
  const nbr = (R + bh - 1) / bh;
  const full = C / bw; // blocks of full width in a row
  memory.fill(out, 0, (<usize>nbr * <usize>nbc) << 3);
  if (ASC_FEATURE_SIMD) v128.store(BN_MASK, i64x2.splat(0x7fffffffffffffff));
  for (let r = 0; r < R; r++) {
    const wr = w + ((<usize>r * <usize>C) << 2);
    const orow = out + ((<usize>(r / bh) * <usize>nbc) << 3);
    let bc = 0;
    if (ASC_FEATURE_SIMD) {
      // p specialised outside the loops (a test per term before), the abs mask loaded once a row
      const am = v128.load(BN_MASK);
      if (p == PRUNE_NORM_L2) bc = blockNormsRow(wr, orow, full, bw, 2, am);
      else if (p == PRUNE_NORM_L1) bc = blockNormsRow(wr, orow, full, bw, 1, am);
    }
    for (; bc < nbc; bc++) {
      const q = orow + (<usize>bc << 3);
      let acc = load<f64>(q);
      const c0 = bc * bw, c1 = min(C, c0 + bw);
      const x = wr + (<usize>c0 << 2);
      const len = c1 - c0;
      if (p == PRUNE_NORM_L1) for (let c = 0; c < len; c++) acc += normTerm(load<f32>(x + (<usize>c << 2)), 1);
      else if (p == PRUNE_NORM_L2) for (let c = 0; c < len; c++) acc += normTerm(load<f32>(x + (<usize>c << 2)), 2);
      else for (let c = 0; c < len; c++) acc = normAcc(acc, load<f32>(x + (<usize>c << 2)), 0);
      store<f64>(q, acc);
    }
  }
}

/**
 * Selection among f64 norms (one per slice or block): keep[j] = 0 for the k smallest (k >= 1),
 * ties: lower index first, NaN above +Infinity (all NaNs equal). The norms are overwritten by
 * their rank keys (bit pattern with the sign cleared, NaN -> one canonical NaN; non-negative
 * doubles order like these u64), then a radix select over rel = key - min(key): a first digit of
 * the top (at most) 16 significant bits of the span max - min (norms of similar size share their
 * exponent and top mantissa bits: a fixed top-16-bit digit put 1M block norms in a handful of
 * buckets, 8-11 ms; this spreads them, measured ~1 ms), then 16-bit digits below it over the
 * indices gathered in cand (nb u32). hist: 65536 u32 of scratch.
 */
export function prune_select_f64(keys: usize, nb: i32, k: i32, keep: usize, hist: usize, cand: usize): void {
  let lo: u64 = 0x7fffffffffffffff, hi: u64 = 0;
  for (let i = 0; i < nb; i++) {
    const q = keys + (<usize>i << 3);
    let b = load<u64>(q) & 0x7fffffffffffffff;
    if (b > 0x7ff0000000000000) b = 0x7ff8000000000000;
    store<u64>(q, b);
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  const span = hi - lo;
  let sh: i32 = span == 0 ? 0 : max(0, 64 - <i32>clz(span) - 16);
  let r = k, c = 0;
  let t: u64 = 0; // the digits found so far, as bits of rel
  let level = 0;
  while (true) {
    const bits = level == 0 ? 16 : min(16, <i32>sh);
    if (level > 0) sh -= bits;
    const dm: u64 = (<u64>1 << <u64>bits) - 1;
    memory.fill(hist, 0, <usize>(1 << bits) << 2);
    if (level == 0) {
      for (let i = 0; i < nb; i++) {
        const h = hist + (<usize>((load<u64>(keys + (<usize>i << 3)) - lo) >> <u64>sh) << 2);
        store<u32>(h, load<u32>(h) + 1);
      }
    } else {
      for (let j = 0; j < c; j++) {
        const i = load<u32>(cand + (<usize>j << 2));
        const h = hist + (<usize>(((load<u64>(keys + (<usize>i << 3)) - lo) >> <u64>sh) & dm) << 2);
        store<u32>(h, load<u32>(h) + 1);
      }
    }
    const d = findBucket(hist, r);
    r -= gBelow;
    t |= <u64>d << <u64>sh;
    if (sh == 0) break;
    let c2 = 0;
    if (level == 0) {
      for (let i = 0; i < nb; i++) {
        if (<i32>((load<u64>(keys + (<usize>i << 3)) - lo) >> <u64>sh) == d) {
          store<u32>(cand + (<usize>c2 << 2), i);
          c2++;
        }
      }
    } else {
      for (let j = 0; j < c; j++) {
        const i = load<u32>(cand + (<usize>j << 2));
        if (<i32>(((load<u64>(keys + (<usize>i << 3)) - lo) >> <u64>sh) & dm) == d) {
          store<u32>(cand + (<usize>c2 << 2), i);
          c2++;
        }
      }
    }
    c = c2;
    level++;
  }
  // lo + t: the k-th smallest key; r: how many keys equal to it are pruned (lowest index first)
  t += lo;
  for (let i = 0; i < nb; i++) {
    const key = load<u64>(keys + (<usize>i << 3));
    let kp = <u8>(key > t); // branch-free: key < t is a coin flip near the median
    if (key == t) {
      kp = <u8>(r <= 0);
      r--;
    }
    store<u8>(keep + <usize>i, kp);
  }
}

/** out[o, j, i] = keep[j] for a [outer, D, inner] tensor. */
export function prune_expand_slices(keep: usize, outer: i32, D: i32, inner: i32, out: usize): void {
  let q = out;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < D; j++) {
      memory.fill(q, load<u8>(keep + <usize>j), <usize>inner);
      q += <usize>inner;
    }
  }
}

/**
 * out[r, c] = keep[(r / bh) * nbc + c / bw] for an R x C matrix: the first row of each block row
 * is built (one u16 / u32 / u64 store per block for bw = 2 / 4 / 8), the others are copies of it.
 */
export function prune_expand_blocks(keep: usize, R: i32, C: i32, bh: i32, bw: i32, out: usize): void {
  const nbc = (C + bw - 1) / bw;
  const full = C / bw;
  for (let r0 = 0; r0 < R; r0 += bh) {
    const kr = keep + <usize>(r0 / bh) * <usize>nbc;
    const orow = out + <usize>r0 * <usize>C;
    let bc = 0;
    if (bw == 1) {
      memory.copy(orow, kr, <usize>C);
      bc = nbc;
    } else if (bw == 2) {
      for (; bc < full; bc++) store<u16>(orow + (<usize>bc << 1), <u16>load<u8>(kr + <usize>bc) * 0x0101);
    } else if (bw == 4) {
      for (; bc < full; bc++) store<u32>(orow + (<usize>bc << 2), <u32>load<u8>(kr + <usize>bc) * 0x01010101);
    } else if (bw == 8) {
      for (; bc < full; bc++) store<u64>(orow + (<usize>bc << 3), <u64>load<u8>(kr + <usize>bc) * 0x0101010101010101);
    }
    for (; bc < nbc; bc++) {
      const c0 = bc * bw;
      memory.fill(orow + <usize>c0, load<u8>(kr + <usize>bc), <usize>(min(C, c0 + bw) - c0));
    }
    const r1 = min(R, r0 + bh);
    for (let r = r0 + 1; r < r1; r++) memory.copy(out + <usize>r * <usize>C, orow, <usize>C);
  }
}

// ---------------------------------------------------------------------------------------------
// Random keys: key_i = fmix32(i * 0x9e3779b9 ^ S) >>> 1 with S = fmix32(seed ^ 0x6a09e667)
// (fmix32: MurmurHash3's finaliser). Stored as 31-bit keys for the radix select.
// ---------------------------------------------------------------------------------------------

@inline function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** out[i] (u32) = the random key of element i under seed. */
export function prune_random_keys(n: i32, seed: u32, out: usize): void {
  const S = fmix32(seed ^ 0x6a09e667);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_random_keys 1.50 -> 1.22 ms on 4M)
    v128.store(PC, i32x4.splat(S), 0);
    v128.store(PC, i32x4.splat(0x9e3779b9), 16);
    v128.store(PC, i32x4.splat(0x85ebca6b), 32);
    v128.store(PC, i32x4.splat(0xc2b2ae35), 48);
    v128.store(PC, i32x4.splat(4), 64);
    const sv = v128.load(PC, 0), gold = v128.load(PC, 16), m1 = v128.load(PC, 32), m2 = v128.load(PC, 48);
    const step = v128.load(PC, 64);
    let iv = i32x4(0, 1, 2, 3);
    for (; i + 4 <= n; i += 4) {
      let h = v128.xor(i32x4.mul(iv, gold), sv);
      h = v128.xor(h, i32x4.shr_u(h, 16));
      h = i32x4.mul(h, m1);
      h = v128.xor(h, i32x4.shr_u(h, 13));
      h = i32x4.mul(h, m2);
      h = v128.xor(h, i32x4.shr_u(h, 16));
      v128.store(out + (<usize>i << 2), i32x4.shr_u(h, 1));
      iv = i32x4.add(iv, step);
    }
  }
  for (; i < n; i++) store<u32>(out + (<usize>i << 2), fmix32((<u32>i * 0x9e3779b9) ^ S) >>> 1);
}

// ---------------------------------------------------------------------------------------------
// Importance scores and helpers.
// ---------------------------------------------------------------------------------------------

/** out = |w * g| (f32 multiply, then clear the sign). */
export function prune_taylor(w: usize, g: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, f32x4.abs(f32x4.mul(v128.load(w + o), v128.load(g + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, abs<f32>(load<f32>(w + o) * load<f32>(g + o)));
  }
}

/** out = ((w * w) * h) * 0.5, each step rounded to f32. */
export function prune_obd(w: usize, h: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_obd 1.31 -> 1.28 ms on 4M)
    v128.store(PC, f32x4.splat(0.5), 0);
    const half = v128.load(PC, 0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a = v128.load(w + o);
      v128.store(out + o, f32x4.mul(f32x4.mul(f32x4.mul(a, a), v128.load(h + o)), half));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const a = load<f32>(w + o);
    store<f32>(out + o, ((a * a) * load<f32>(h + o)) * <f32>0.5);
  }
}

/** out = w * (mask != 0 ? 1 : 0) in f32 (PyTorch's orig * mask: -0, and NaN for NaN / Inf). */
export function prune_apply(w: usize, mask: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises splats in loops (prune_apply 1.06 -> 1.03 ms on 4M)
    v128.store(PC, i32x4.splat(0x3f800000), 0);
    const zero = i8x16.splat(0), onef = v128.load(PC, 0);
    for (; i + 16 <= n; i += 16) {
      const m = v128.not(i8x16.eq(v128.load(mask + <usize>i), zero)); // 0xff where kept
      const lo = i16x8.extend_low_i8x16_s(m), hi = i16x8.extend_high_i8x16_s(m);
      const p = w + (<usize>i << 2), q = out + (<usize>i << 2);
      v128.store(q, f32x4.mul(v128.load(p, 0), v128.and(i32x4.extend_low_i16x8_s(lo), onef)), 0);
      v128.store(q, f32x4.mul(v128.load(p, 16), v128.and(i32x4.extend_high_i16x8_s(lo), onef)), 16);
      v128.store(q, f32x4.mul(v128.load(p, 32), v128.and(i32x4.extend_low_i16x8_s(hi), onef)), 32);
      v128.store(q, f32x4.mul(v128.load(p, 48), v128.and(i32x4.extend_high_i16x8_s(hi), onef)), 48);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(w + o) * (load<u8>(mask + <usize>i) != 0 ? <f32>1 : <f32>0));
  }
}

/** io[0] = number of f32 elements equal to 0 (either sign; NaN is not zero). */
export function prune_zeros_f32(x: usize, n: i32, io: usize): void {
  let c = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = i32x4.sub(acc, f32x4.eq(v128.load(x + (<usize>i << 2)), z));
    c = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) c += <i32>(load<f32>(x + (<usize>i << 2)) == 0);
  store<i32>(io, c);
}

/** io[0] = number of zero bytes. */
export function prune_zeros_u8(x: usize, n: i32, io: usize): void {
  let c = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = i8x16.splat(0);
    let acc = i32x4.splat(0);
    while (i + 16 <= n) {
      // byte counters: at most 255 steps before widening into acc
      let a8 = z;
      const stop = min(n - 15, i + 255 * 16);
      for (; i < stop; i += 16) a8 = i8x16.sub(a8, i8x16.eq(v128.load(x + <usize>i), z));
      acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(a8)));
    }
    c = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) c += <i32>(load<u8>(x + <usize>i) == 0);
  store<i32>(io, c);
}

/** out[b] bit j = mask[8b + j] != 0 (least significant bit first); ceil(n / 8) bytes. */
export function prune_pack(mask: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = i8x16.splat(0);
    for (; i + 16 <= n; i += 16) {
      const bits = i8x16.bitmask(v128.not(i8x16.eq(v128.load(mask + <usize>i), z)));
      store<u16>(out + <usize>(i >> 3), <u16>bits);
    }
  }
  for (; i < n; i += 8) {
    let byte = 0;
    const e = min(8, n - i);
    for (let j = 0; j < e; j++) byte |= <i32>(load<u8>(mask + <usize>(i + j)) != 0) << j;
    store<u8>(out + <usize>(i >> 3), <u8>byte);
  }
}

/** out[i] = bit (i & 7) of bits[i >> 3]. */
export function prune_unpack(bits: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // through memory: V8 rematerialises v128.const in loops (prune_unpack 0.285 -> 0.179 ms on 4M)
    v128.store(PC, i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128), 0);
    v128.store(PC, i8x16.splat(1), 16);
    v128.store(PC, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1), 32);
    const sel = v128.load(PC, 0), one = v128.load(PC, 16), spread = v128.load(PC, 32);
    const z = i8x16.splat(0);
    for (; i + 16 <= n; i += 16) {
      const two = load<u16>(bits + <usize>(i >> 3));
      const v = i8x16.swizzle(i16x8.splat(<i16>two), spread);
      v128.store(out + <usize>i, v128.andnot(one, i8x16.eq(v128.and(v, sel), z)));
    }
  }
  for (; i < n; i++) store<u8>(out + <usize>i, <u8>((<i32>load<u8>(bits + <usize>(i >> 3)) >> (i & 7)) & 1));
}
