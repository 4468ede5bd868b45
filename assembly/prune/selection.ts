/**
 * Selection of the k smallest keys (see shared.ts for keys) for l1_unstructured and
 * global_unstructured, and of the k smallest f64 norms for structured and block pruning.
 *
 * Keys: a radix select in three kernels (the caller allocates in between): a histogram of the top
 * 16 key bits, then one pass that writes the mask for every element outside the bucket holding
 * the cut and gathers the (few) elements inside it, then a resolve over the gathered candidates
 * with a histogram of the low 16 bits. Ties at the cut are pruned in candidate order, which is
 * index order (tensor order, then index, for global pruning). For one tensor a sampled variant runs
 * first (prune_sample_bracket, prune_mask_range, prune_resolve_range): a key bracket from a
 * sample, one pass, an exact resolve of the bracket. Integer-only in both builds.
 * @module
 */
import { ABS, PC } from './shared';
import { tls } from '../mem';

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
    v128.store(tls(PC), i32x4.splat(ABS), 0);
    v128.store(tls(PC), i32x4.splat(hiEdge), 16);
    v128.store(tls(PC), i32x4.splat(loEdge), 32);
    v128.store(tls(PC), i8x16.splat(1), 48);
    const am = v128.load(tls(PC), 0), hv = v128.load(tls(PC), 16), lv = v128.load(tls(PC), 32), one = v128.load(tls(PC), 48);
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
    v128.store(tls(PC), i32x4.splat(ABS), 0);
    v128.store(tls(PC), i32x4.splat(hi), 16);
    v128.store(tls(PC), i32x4.splat(lm1), 32);
    v128.store(tls(PC), i8x16.splat(1), 48);
    const am = v128.load(tls(PC), 0), hv = v128.load(tls(PC), 16), lv = v128.load(tls(PC), 32), one = v128.load(tls(PC), 48);
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
