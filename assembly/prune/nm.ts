/**
 * N:M pruning masks along the last dimension (keys: shared.ts); integer compares only, the same
 * masks in both builds.
 * @module
 */
import { ABS } from './shared';

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
