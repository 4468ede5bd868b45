/**
 * BSR spmm: Y[rows x n] = A X for a block-sparse A. Block rows BR = rows / bh; block row R holds
 * blocks bptr[R] .. bptr[R+1] - 1, block b at block column bcol[b] (u16 or i32), values [bh x bw]
 * row-major at values + b * bh * bw * 4.
 *
 * Accumulation order (both builds, no FMA): the CSR spmm order, every Y[i, c] adds its stored
 * entries in increasing column order. The SIMD path keeps 4 rows x 8 columns in registers, sharing
 * each X load; the scalar path adds row by row (axpy). BSR spmv is this product with n = 1.
 * @module
 */
import { colAt } from './shared';

// R rows (1..4) of a block row x V vectors (1, 2) of columns: each X load serves R rows.
// Not shared with gemm's tile (gemm.ts), whose step is the same: here the accumulators stay in
// registers across all blocks of the block row, each block jumping to the X rows its block column
// names, while gemm's tile runs one contiguous k range and would store and reload them per block.
@inline function bsrTile(R: i32, V: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32,
  r0: i32, xj: usize, ldx: usize, yp: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const bsz = <usize>(bh * bw) << 2;
  const rs = <usize>bw << 2;
  const bwx = <usize>bw * ldx;
  for (let q = q0; q < q1; q++) {
    let vp = vals + q * bsz + <usize>r0 * rs;
    let xp = xj + colAt(bcol, q, idx16) * bwx;
    for (let jj = 0; jj < bw; jj++) {
      const x0 = v128.load(xp);
      const x1 = V > 1 ? v128.load(xp, 16) : x0;
      const w0 = v128.load32_splat(vp);
      c00 = f32x4.add(c00, f32x4.mul(w0, x0));
      if (V > 1) c01 = f32x4.add(c01, f32x4.mul(w0, x1));
      if (R > 1) {
        const w1 = v128.load32_splat(vp + rs);
        c10 = f32x4.add(c10, f32x4.mul(w1, x0));
        if (V > 1) c11 = f32x4.add(c11, f32x4.mul(w1, x1));
      }
      if (R > 2) {
        const w2 = v128.load32_splat(vp + 2 * rs);
        c20 = f32x4.add(c20, f32x4.mul(w2, x0));
        if (V > 1) c21 = f32x4.add(c21, f32x4.mul(w2, x1));
      }
      if (R > 3) {
        const w3 = v128.load32_splat(vp + 3 * rs);
        c30 = f32x4.add(c30, f32x4.mul(w3, x0));
        if (V > 1) c31 = f32x4.add(c31, f32x4.mul(w3, x1));
      }
      vp += 4;
      xp += ldx;
    }
  }
  v128.store(yp, c00); if (V > 1) v128.store(yp, c01, 16);
  if (R > 1) { v128.store(yp + ldx, c10); if (V > 1) v128.store(yp + ldx, c11, 16); }
  if (R > 2) { v128.store(yp + 2 * ldx, c20); if (V > 1) v128.store(yp + 2 * ldx, c21, 16); }
  if (R > 3) { v128.store(yp + 3 * ldx, c30); if (V > 1) v128.store(yp + 3 * ldx, c31, 16); }
}

@inline function bsrRows(R: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32, r0: i32,
  x: usize, n: i32, ldx: usize, yr: usize): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) bsrTile(R, 2, q0, q1, bcol, idx16, vals, bh, bw, r0, x + (<usize>j << 2), ldx, yr + (<usize>j << 2));
  if (j + 4 <= n) { bsrTile(R, 1, q0, q1, bcol, idx16, vals, bh, bw, r0, x + (<usize>j << 2), ldx, yr + (<usize>j << 2)); j += 4; }
  if (j < n) bsrScalar(R, q0, q1, bcol, idx16, vals, bh, bw, r0, x, n, ldx, yr, j);
}

/** Rows [r0, r0 + R) of a block row, columns [j, n), by row axpy in entry order. */
@inline function bsrScalar(R: i32, q0: usize, q1: usize, bcol: usize, idx16: bool, vals: usize, bh: i32, bw: i32, r0: i32,
  x: usize, n: i32, ldx: usize, yr: usize, j: i32): void {
  const bsz = <usize>(bh * bw) << 2;
  const w = <usize>(n - j) << 2;
  for (let r = 0; r < R; r++) {
    const yj = yr + <usize>r * ldx + (<usize>j << 2);
    memory.fill(yj, 0, w);
    for (let q = q0; q < q1; q++) {
      const vp = vals + q * bsz + (<usize>((r0 + r) * bw) << 2);
      let xp = x + (<usize>j << 2) + colAt(bcol, q, idx16) * <usize>bw * ldx;
      for (let jj = 0; jj < bw; jj++) {
        const v = load<f32>(vp + (<usize>jj << 2));
        for (let o: usize = 0; o < w; o += 4) store<f32>(yj + o, load<f32>(yj + o) + v * load<f32>(xp + o));
        xp += ldx;
      }
    }
  }
}

@inline function bsrSpmm(BR: i32, bh: i32, bw: i32, bptr: usize, bcol: usize, idx16: bool, vals: usize, x: usize, n: i32, y: usize): void {
  const ldx = <usize>n << 2;
  for (let R = 0; R < BR; R++) {
    const q0 = <usize>load<i32>(bptr + (<usize>R << 2));
    const q1 = <usize>load<i32>(bptr + (<usize>R << 2), 4);
    const yb = y + <usize>(R * bh) * ldx;
    if (ASC_FEATURE_SIMD) {
      let r = 0;
      for (; r + 4 <= bh; r += 4) bsrRows(4, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx);
      if (r + 2 <= bh) { bsrRows(2, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx); r += 2; }
      if (r < bh) bsrRows(1, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx);
    } else {
      for (let r = 0; r < bh; r++) bsrScalar(1, q0, q1, bcol, idx16, vals, bh, bw, r, x, n, ldx, yb + <usize>r * ldx, 0);
    }
  }
}

/** Y[rows x n] = A X for a BSR A with bh x bw blocks (rows = BR * bh). */
export function sparse_bsr_spmm_f32(BR: i32, bh: i32, bw: i32, bptr: usize, bcol: usize, idx16: i32, values: usize, x: usize, n: i32, y: usize): void {
  if (idx16 != 0) bsrSpmm(BR, bh, bw, bptr, bcol, true, values, x, n, y);
  else bsrSpmm(BR, bh, bw, bptr, bcol, false, values, x, n, y);
}
