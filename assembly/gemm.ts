/**
 * Dense f32 matrix product C[m x n] = A[m x k] B[k x n], all row-major.
 *
 * Accumulation order (both builds): every C[i, j] starts at +0 and adds the products
 * A[i, p] * B[p, j] for p = 0, 1, ..., k - 1 in sequence, one f32 multiply then one f32 add
 * (no FMA). The SIMD path vectorises across j (4 columns a lane group) and keeps a tile of
 * MR rows x 8 columns of C in registers; blocking over k stores the partial sums to C and loads
 * them back, which is exact, so the order above holds for every tile and for the scalar path.
 * @module
 */

/** k block: a 4 x KC tile of A stays in L1 while B's KC x n block is read from L2. */
const KC: i32 = 256;

/** Row tile of the SIMD micro-kernel. 4 x 8 keeps 8 accumulators + 2 B + 1 A vector in registers. */
const MR: i32 = 4;

// The micro-kernel: R rows (1..4) x V vectors (1..2) of C, over kc steps of k. Inlined with constant
// R and V, so every unused accumulator and branch folds away.
@inline function tile(R: i32, V: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, kc: i32, first: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(c); if (V > 1) c01 = v128.load(c, 16);
    if (R > 1) { c10 = v128.load(c + ldc); if (V > 1) c11 = v128.load(c + ldc, 16); }
    if (R > 2) { c20 = v128.load(c + 2 * ldc); if (V > 1) c21 = v128.load(c + 2 * ldc, 16); }
    if (R > 3) { c30 = v128.load(c + 3 * ldc); if (V > 1) c31 = v128.load(c + 3 * ldc, 16); }
  }
  const a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
  let bp = b;
  for (let p: usize = 0; p < <usize>kc << 2; p += 4) {
    const b0 = v128.load(bp);
    const b1 = V > 1 ? v128.load(bp, 16) : b0;
    const x0 = v128.load32_splat(a + p);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0));
    if (V > 1) c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    if (R > 1) {
      const x1 = v128.load32_splat(a1 + p);
      c10 = f32x4.add(c10, f32x4.mul(x1, b0));
      if (V > 1) c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    }
    if (R > 2) {
      const x2 = v128.load32_splat(a2 + p);
      c20 = f32x4.add(c20, f32x4.mul(x2, b0));
      if (V > 1) c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    }
    if (R > 3) {
      const x3 = v128.load32_splat(a3 + p);
      c30 = f32x4.add(c30, f32x4.mul(x3, b0));
      if (V > 1) c31 = f32x4.add(c31, f32x4.mul(x3, b1));
    }
    bp += ldb;
  }
  v128.store(c, c00); if (V > 1) v128.store(c, c01, 16);
  if (R > 1) { v128.store(c + ldc, c10); if (V > 1) v128.store(c + ldc, c11, 16); }
  if (R > 2) { v128.store(c + 2 * ldc, c20); if (V > 1) v128.store(c + 2 * ldc, c21, 16); }
  if (R > 3) { v128.store(c + 3 * ldc, c30); if (V > 1) v128.store(c + 3 * ldc, c31, 16); }
}

/** Scalar columns [j0, n) of rows [i0, i0 + R) over one k block: the same sequential sums. */
@inline function scalarCols(R: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, kc: i32, first: bool, j0: i32, n: i32): void {
  for (let r = 0; r < R; r++) {
    const ar = a + <usize>r * lda;
    const cr = c + <usize>r * ldc;
    for (let j = j0; j < n; j++) {
      let s: f32 = first ? 0 : load<f32>(cr + (<usize>j << 2));
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < kc; p++) {
        s += load<f32>(ar + (<usize>p << 2)) * load<f32>(bp);
        bp += ldb;
      }
      store<f32>(cr + (<usize>j << 2), s);
    }
  }
}

@inline function rowTile(R: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, kc: i32, first: bool, n: i32): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) tile(R, 2, a, lda, b + (<usize>j << 2), ldb, c + (<usize>j << 2), ldc, kc, first);
  for (; j + 4 <= n; j += 4) tile(R, 1, a, lda, b + (<usize>j << 2), ldb, c + (<usize>j << 2), ldc, kc, first);
  if (j < n) scalarCols(R, a, lda, b, ldb, c, ldc, kc, first, j, n);
}

/** C[m x n] = A[m x k] B[k x n] (row-major f32). k = 0 gives zeros. */
export function gemm_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const lda = <usize>k << 2, ldb = <usize>n << 2, ldc = <usize>n << 2;
  if (k == 0) {
    memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = min(KC, k - k0);
      const first = k0 == 0;
      const ak = a + (<usize>k0 << 2);
      const bk = b + <usize>k0 * ldb;
      let i = 0;
      for (; i + MR <= m; i += MR) rowTile(MR, ak + <usize>i * lda, lda, bk, ldb, c + <usize>i * ldc, ldc, kc, first, n);
      for (; i < m; i++) rowTile(1, ak + <usize>i * lda, lda, bk, ldb, c + <usize>i * ldc, ldc, kc, first, n);
    }
  } else {
    // Row-wise axpy: C[i, :] += A[i, p] * B[p, :] for p in order, which is the same sequential
    // sum per element as above.
    for (let i = 0; i < m; i++) {
      const cr = c + <usize>i * ldc;
      memory.fill(cr, 0, ldc);
      const ar = a + <usize>i * lda;
      for (let p = 0; p < k; p++) {
        const av = load<f32>(ar + (<usize>p << 2));
        const br = b + <usize>p * ldb;
        for (let j = 0; j < n; j++) {
          const o = <usize>j << 2;
          store<f32>(cr + o, load<f32>(cr + o) + av * load<f32>(br + o));
        }
      }
    }
  }
}
