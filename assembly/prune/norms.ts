/**
 * Norms for structured (ln_structured) and block pruning, and the masks that expand the kept
 * slices or blocks back to the tensor (the selection among the norms: prune_select_f64 in
 * selection.ts).
 * @module
 */
import { PRUNE_NORM_INF, PRUNE_NORM_L1, PRUNE_NORM_L2 } from '../consts';

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
