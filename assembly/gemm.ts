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

import { tls } from './mem';

/** k block: a 4 x KC tile of A stays in L1 while B's KC x n block is read from L2. */
const KC: i32 = 128;

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

/** Rows of A copied together (gemm_f32): AG x KC f32 of static scratch. */
const AG: i32 = 64;
const APANEL: usize = memory.data(AG * KC * 4, 16);

/**
 * Copy a k block of 4 rows of A (rows lda bytes apart) interleaved: ai[4 p + r] = A[r][p], so one
 * pointer with constant offsets reaches the 4 rows (4 x 4 transposes; the k tail one by one).
 */
@inline function packA4(a: usize, lda: usize, kc: i32, ai: usize): void {
  const a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const o = <usize>p << 2;
    const r0 = v128.load(a + o), r1 = v128.load(a1 + o), r2 = v128.load(a2 + o), r3 = v128.load(a3 + o);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const d = ai + (<usize>p << 4);
    v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
    v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 16);
    v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 32);
    v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 48);
  }
  for (; p < kc; p++) {
    const o = <usize>p << 2, d = ai + (<usize>p << 4);
    store<f32>(d, load<f32>(a + o));
    store<f32>(d, load<f32>(a1 + o), 4);
    store<f32>(d, load<f32>(a2 + o), 8);
    store<f32>(d, load<f32>(a3 + o), 12);
  }
}

/**
 * 4 rows x 8 columns of C over kc steps of k from an interleaved A block (packA4) and a B panel of
 * 64 bytes a row: constant offsets from two pointers, two steps of k per loop turn. Each element
 * still adds its products in k order.
 */
@inline function tile4i(ai: usize, bh: usize, c: usize, ldc: usize, kc: i32, first: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  let pa = ai, pb = bh;
  const end = ai + (<usize>kc << 4);
  for (; pa + 32 <= end; pa += 32, pb += 128) {
    let b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    b0 = v128.load(pb, 64); b1 = v128.load(pb, 80);
    x = v128.load32_splat(pa, 16);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 20);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 24);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 28);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  if (pa < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * tile4i over a B panel of 256 bytes a row (packB64). A copy with its own offsets: Wasm load offsets
 * are immediates, so the panel width cannot be a parameter of one function without address adds.
 */
@inline function tile4iW(ai: usize, bh: usize, c: usize, ldc: usize, kc: i32, first: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (!first) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  let pa = ai, pb = bh;
  const end = ai + (<usize>kc << 4);
  for (; pa + 32 <= end; pa += 32, pb += 512) {
    let b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    b0 = v128.load(pb, 256); b1 = v128.load(pb, 272);
    x = v128.load32_splat(pa, 16);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 20);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 24);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 28);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  if (pa < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** The packed k block x 16 (or 8) columns of B (gemm_f32), per thread through tls. */
const BPANEL: usize = memory.data(KC * 64 * 4, 16);

/** Copy kc rows of 64 floats of B (rows ldb bytes apart) into bp, 256 bytes a row: four lines of each row at once. */
@inline function packB64(b: usize, ldb: usize, kc: i32, bp: usize): void {
  for (let p = 0; p < kc; p++) {
    const s = b + <usize>p * ldb, d = bp + (<usize>p << 8);
    for (let o: usize = 0; o < 256; o += 64) {
      v128.store(d + o, v128.load(s + o));
      v128.store(d + o, v128.load(s + o, 16), 16);
      v128.store(d + o, v128.load(s + o, 32), 32);
      v128.store(d + o, v128.load(s + o, 48), 48);
    }
  }
}

/** Copy kc rows of 16 floats of B (rows ldb bytes apart) into bp, 64 bytes a row. */
@inline function packB16(b: usize, ldb: usize, kc: i32, bp: usize): void {
  for (let p = 0; p < kc; p++) {
    const s = b + <usize>p * ldb, d = bp + (<usize>p << 6);
    v128.store(d, v128.load(s));
    v128.store(d, v128.load(s, 16), 16);
    v128.store(d, v128.load(s, 32), 32);
    v128.store(d, v128.load(s, 48), 48);
  }
}

/** Copy kc rows of 8 floats of B (rows ldb bytes apart) into bp, 64 bytes a row (the first 32 used). */
@inline function packB8x64(b: usize, ldb: usize, kc: i32, bp: usize): void {
  for (let p = 0; p < kc; p++) {
    const s = b + <usize>p * ldb, d = bp + (<usize>p << 6);
    v128.store(d, v128.load(s));
    v128.store(d, v128.load(s, 16), 16);
  }
}

/** Rows of B that one pass of streamRow reads together (16 sequential streams). */
const KS: i32 = 16;

/**
 * One row of C (m < MR) as a stream over B: for each block of KS rows of B, every 32 columns of C
 * are loaded (+0 in the first block), take the KS products in order and are stored back; B is
 * read once, row by row, in 128-byte runs. The same sequential sum per element as the tiles.
 */
@inline function streamRow(a: usize, b: usize, c: usize, k: i32, n: i32): void {
  const ldb = <usize>n << 2;
  for (let k0 = 0; k0 < k; k0 += KS) {
    const ks = min(KS, k - k0);
    const first = k0 == 0;
    const ak = a + (<usize>k0 << 2);
    const bk = b + <usize>k0 * ldb;
    let j = 0;
    for (; j + 32 <= n; j += 32) {
      const cj = c + (<usize>j << 2);
      let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      if (!first) {
        c0 = v128.load(cj); c1 = v128.load(cj, 16); c2 = v128.load(cj, 32); c3 = v128.load(cj, 48);
        c4 = v128.load(cj, 64); c5 = v128.load(cj, 80); c6 = v128.load(cj, 96); c7 = v128.load(cj, 112);
      }
      let bp = bk + (<usize>j << 2);
      for (let p = 0; p < ks; p++) {
        const x = v128.load32_splat(ak + (<usize>p << 2));
        c0 = f32x4.add(c0, f32x4.mul(x, v128.load(bp)));
        c1 = f32x4.add(c1, f32x4.mul(x, v128.load(bp, 16)));
        c2 = f32x4.add(c2, f32x4.mul(x, v128.load(bp, 32)));
        c3 = f32x4.add(c3, f32x4.mul(x, v128.load(bp, 48)));
        c4 = f32x4.add(c4, f32x4.mul(x, v128.load(bp, 64)));
        c5 = f32x4.add(c5, f32x4.mul(x, v128.load(bp, 80)));
        c6 = f32x4.add(c6, f32x4.mul(x, v128.load(bp, 96)));
        c7 = f32x4.add(c7, f32x4.mul(x, v128.load(bp, 112)));
        bp += ldb;
      }
      v128.store(cj, c0); v128.store(cj, c1, 16); v128.store(cj, c2, 32); v128.store(cj, c3, 48);
      v128.store(cj, c4, 64); v128.store(cj, c5, 80); v128.store(cj, c6, 96); v128.store(cj, c7, 112);
    }
    if (j < n) rowTile(1, ak, 0, bk + (<usize>j << 2), ldb, c + (<usize>j << 2), 0, ks, first, n - j);
  }
}

/**
 * The tiles over a packed panel of w columns of B (64: rows of 256 bytes, tile4iW; 16 or 8: rows
 * of 64 bytes, tile4i) for the rows of a group: 4 x 8 tiles over the interleaved copy of A, then
 * the rows past the last full 4 from A in place. wide is a constant at every call site.
 */
// @ts-ignore: decorator
@inline function panelTiles(ap: usize, lap: usize, ag: usize, lda: usize, bp: usize, cg: usize, j: i32, ldc: usize,
  w: i32, m4: i32, mg: i32, kc: i32, first: bool, wide: bool): void {
  for (let h = 0; h < w; h += 8) {
    const cj = cg + (<usize>(j + h) << 2), bh = bp + (<usize>h << 2);
    for (let i = 0; i < m4; i += 4) {
      if (wide) tile4iW(ap + <usize>i * lap, bh, cj + <usize>i * ldc, ldc, kc, first);
      else tile4i(ap + <usize>i * lap, bh, cj + <usize>i * ldc, ldc, kc, first);
    }
    for (let i = m4; i < mg; i++) tile(1, 2, ag + <usize>i * lda, lda, bh, wide ? 256 : 64, cj + <usize>i * ldc, ldc, kc, first);
  }
}

/**
 * One k block of C += A B (C = A B when first): rows in groups of AG, each group's k block of A
 * copied 4 rows interleaved (A's rows a power-of-two stride apart would share cache sets), then B
 * 16 columns at a time copied into a contiguous panel (a whole 64-byte line of each row) and
 * every 4 x 8 tile run over both; rows past the last full 4 and columns past the last full 8
 * read A and B in place.
 */
@inline function blockProduct(ak: usize, lda: usize, bk: usize, ldb: usize, c: usize, ldc: usize, m: i32, n: i32, kc: i32, first: bool): void {
  const bp = tls(BPANEL), ap = tls(APANEL);
  const lap = <usize>kc << 2; // bytes of a row of the A copy (4 rows interleaved: 4 lap a tile)
  for (let i0 = 0; i0 < m; i0 += AG) {
    const mg = min(AG, m - i0);
    const ag = ak + <usize>i0 * lda;
    const m4 = mg & ~3;
    for (let r = 0; r < m4; r += 4) packA4(ag + <usize>r * lda, lda, kc, ap + <usize>r * lap);
    const cg = c + <usize>i0 * ldc;
    let j = 0;
    for (; j + 64 <= n; j += 64) {
      // 64 columns: four whole lines of each row of B read together
      packB64(bk + (<usize>j << 2), ldb, kc, bp);
      panelTiles(ap, lap, ag, lda, bp, cg, j, ldc, 64, m4, mg, kc, first, true);
    }
    for (; j + 8 <= n; j += 16) {
      // 16 columns, or the last 8
      const w = n - j >= 16 ? 16 : 8;
      if (w == 16) packB16(bk + (<usize>j << 2), ldb, kc, bp);
      else packB8x64(bk + (<usize>j << 2), ldb, kc, bp);
      panelTiles(ap, lap, ag, lda, bp, cg, j, ldc, w, m4, mg, kc, first, false);
      if (w == 8) { j += 8; break; }
    }
    if (j < n) {
      const bj = bk + (<usize>j << 2), cj = cg + (<usize>j << 2);
      for (let i = 0; i < mg; i++) rowTile(1, ag + <usize>i * lda, lda, bj, ldb, cj + <usize>i * ldc, ldc, kc, first, n - j);
    }
  }
}

/** C[m x n] = A[m x k] B[k x n] (row-major f32). k = 0 gives zeros. */
export function gemm_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const lda = <usize>k << 2, ldb = <usize>n << 2, ldc = <usize>n << 2;
  if (k == 0) {
    memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  if (ASC_FEATURE_SIMD && m < MR) {
    // 1 to 3 rows: each streams B once (the k-blocked tiles read B's rows 16 KB apart, one cache
    // line and often one page per load when n is a power of two)
    for (let i = 0; i < m; i++) streamRow(a + <usize>i * lda, b, c + <usize>i * ldc, k, n);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    for (let k0 = 0; k0 < k; k0 += KC) {
      blockProduct(a + (<usize>k0 << 2), lda, b + <usize>k0 * ldb, ldb, c, ldc, m, n, min(KC, k - k0), k0 == 0);
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

/**
 * Columns [j0, j1) of C = A B (m >= 4, k >= 1): the threaded build's parts of gemm_f32, each thread
 * copying only its own columns of B. The same blocks and tiles, so the same sums, as gemm_f32
 * gives for those columns when j0 is a multiple of 64.
 */
export function gemm_f32_cols(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, j0: i32, j1: i32): void {
  const lda = <usize>k << 2, ldb = <usize>n << 2, ldc = <usize>n << 2, jo = <usize>j0 << 2;
  if (ASC_FEATURE_SIMD) {
    for (let k0 = 0; k0 < k; k0 += KC) {
      blockProduct(a + (<usize>k0 << 2), lda, b + <usize>k0 * ldb + jo, ldb, c + jo, ldc, m, j1 - j0, min(KC, k - k0), k0 == 0);
    }
  } else {
    for (let i = 0; i < m; i++) {
      const cr = c + <usize>i * ldc;
      for (let j = j0; j < j1; j++) {
        let s: f32 = 0;
        for (let p = 0; p < k; p++) s += load<f32>(a + <usize>i * lda + (<usize>p << 2)) * load<f32>(b + <usize>p * ldb + (<usize>j << 2));
        store<f32>(cr + (<usize>j << 2), s);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GEMM with transposes: C = op(A) op(B), op(A) [m x k], op(B) [k x n], row-major storage of A as
// [m x k] or (transA) [k x m], of B as [k x n] or (transB) [n x k]. Every C[i, j] is the same
// sequential sum as gemm_f32 (starts at +0, adds op(A)[i, p] * op(B)[p, j] for p = 0 .. k - 1,
// no FMA), computed by the same micro-kernel on packed copies of the transposed operands:
// - transA: each k block of op(A) (m x kc) is copied into `ap` row-major, then gemm_f32's loops;
// - transB: each k block of op(B) is copied transposed into gemm_f32's 64-, 16- and 8-column
//   panels and run by gemm_f32's tiles (blockProductT); the last n mod 8 columns take a kc x 4
//   panel in `bp` and then sequential dot products.
// So the bits equal gemm_f32 on explicitly transposed inputs. ap: m * KC f32, bp: KC * 8 f32.
// ---------------------------------------------------------------------------------------------

/** Copy op(A)[:, k0 .. k0 + kc) (A stored [k x m]) into ap as m rows of kc. */
function packAT(a: usize, m: i32, k0: i32, kc: i32, ap: usize): void {
  const ldap = <usize>kc << 2;
  for (let p = 0; p < kc; p++) {
    const src = a + <usize>(k0 + p) * (<usize>m << 2);
    const dst = ap + (<usize>p << 2);
    for (let i = 0; i < m; i++) store<f32>(dst + <usize>i * ldap, load<f32>(src + (<usize>i << 2)));
  }
}

/**
 * Copy op(B)[k0 .. k0 + kc, j0 .. j0 + w) (B stored [n x k]) into bp as kc rows of 1 << sh bytes
 * (w <= 64: the panels blockProduct reads, 256, 64 or 32 bytes a row).
 */
function packBT(b: usize, k: i32, k0: i32, kc: i32, j0: i32, w: i32, bp: usize, sh: i32): void {
  const ldb = <usize>k << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    // 4 x 4 transposes: rows j .. j + 3 of B, columns p .. p + 3 -> rows p .. p + 3 of the panel
    for (; j + 4 <= w; j += 4) {
      const s0 = b + <usize>(j0 + j) * ldb + (<usize>k0 << 2);
      const s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
      const d = bp + (<usize>j << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const q = d + (<usize>p << sh), r = <usize>1 << sh;
        v128.store(q, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(q + r, i64x2.shuffle(t0, t1, 1, 3));
        v128.store(q + 2 * r, i64x2.shuffle(t2, t3, 0, 2));
        v128.store(q + 3 * r, i64x2.shuffle(t2, t3, 1, 3));
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2, q = d + (<usize>p << sh);
        store<f32>(q, load<f32>(s0 + o));
        store<f32>(q + 4, load<f32>(s1 + o));
        store<f32>(q + 8, load<f32>(s2 + o));
        store<f32>(q + 12, load<f32>(s3 + o));
      }
    }
  }
  for (; j < w; j++) {
    const s = b + <usize>(j0 + j) * ldb + (<usize>k0 << 2);
    for (let p = 0; p < kc; p++) store<f32>(bp + (<usize>p << sh) + (<usize>j << 2), load<f32>(s + (<usize>p << 2)));
  }
}

/**
 * blockProduct for B stored [n x k]: op(B)'s k block copied transposed into the same 64-, 16- and
 * 8-column panels, run by the same tiles over the same interleaved copies of A, so the same sums.
 * Returns the first column not done (the last n mod 8 columns are left to the caller).
 */
function blockProductT(ak: usize, lda: usize, b: usize, k: i32, k0: i32, c: usize, ldc: usize, m: i32, n: i32, kc: i32, first: bool): i32 {
  const bp = tls(BPANEL), ap = tls(APANEL);
  const lap = <usize>kc << 2;
  let j = 0;
  for (let i0 = 0; i0 < m; i0 += AG) {
    const mg = min(AG, m - i0);
    const ag = ak + <usize>i0 * lda;
    const m4 = mg & ~3;
    for (let r = 0; r < m4; r += 4) packA4(ag + <usize>r * lda, lda, kc, ap + <usize>r * lap);
    const cg = c + <usize>i0 * ldc;
    j = 0;
    for (; j + 64 <= n; j += 64) {
      packBT(b, k, k0, kc, j, 64, bp, 8);
      panelTiles(ap, lap, ag, lda, bp, cg, j, ldc, 64, m4, mg, kc, first, true);
    }
    for (; j + 8 <= n; j += 16) {
      // 16 columns, or the last 8
      const w = n - j >= 16 ? 16 : 8;
      packBT(b, k, k0, kc, j, w, bp, 6);
      panelTiles(ap, lap, ag, lda, bp, cg, j, ldc, w, m4, mg, kc, first, false);
      if (w == 8) { j += 8; break; }
    }
  }
  return j;
}

/** C[i, j] for rows [0, m) and one column j from B stored [n x k]: the sequential sum over one k block. */
@inline function dotColT(a: usize, lda: usize, b: usize, m: i32, kc: i32, c: usize, ldc: usize, first: bool): void {
  for (let i = 0; i < m; i++) {
    const ar = a + <usize>i * lda;
    const cp = c + <usize>i * ldc;
    let s: f32 = first ? 0 : load<f32>(cp);
    for (let p = 0; p < kc; p++) s += load<f32>(ar + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
    store<f32>(cp, s);
  }
}

/**
 * C[m x n] = op(A) op(B) (see above). ap: m * 256 f32 of scratch (used when transA), bp: 256 * 8
 * f32 (used when transB). k = 0 gives zeros.
 */
export function gemm_trans_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32, ap: usize, bp: usize): void {
  const ldc = <usize>n << 2;
  if (k == 0) {
    memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  if (!ASC_FEATURE_SIMD) {
    // The sequential sum of each C[i, j], read through the strides of the stored layouts.
    const sai: usize = transA ? 4 : <usize>k << 2, sap: usize = transA ? <usize>m << 2 : 4;
    const sbp: usize = transB ? 4 : <usize>n << 2, sbj: usize = transB ? <usize>k << 2 : 4;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s: f32 = 0;
        let pa = a + <usize>i * sai, pb = b + <usize>j * sbj;
        for (let p = 0; p < k; p++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += sap;
          pb += sbp;
        }
        store<f32>(c + <usize>i * ldc + (<usize>j << 2), s);
      }
    }
    return;
  }
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const first = k0 == 0;
    let ak: usize, lda: usize;
    if (transA) {
      packAT(a, m, k0, kc, ap);
      ak = ap;
      lda = <usize>kc << 2;
    } else {
      ak = a + (<usize>k0 << 2);
      lda = <usize>k << 2;
    }
    if (!transB) {
      const ldb = <usize>n << 2;
      blockProduct(ak, lda, b + <usize>k0 * ldb, ldb, c, ldc, m, n, kc, first);
      continue;
    }
    let j = blockProductT(ak, lda, b, k, k0, c, ldc, m, n, kc, first);
    if (j + 4 <= n) {
      packBT(b, k, k0, kc, j, 4, bp, 5);
      const cj = c + (<usize>j << 2);
      let i = 0;
      for (; i + MR <= m; i += MR) tile(MR, 1, ak + <usize>i * lda, lda, bp, 32, cj + <usize>i * ldc, ldc, kc, first);
      for (; i < m; i++) tile(1, 1, ak + <usize>i * lda, lda, bp, 32, cj + <usize>i * ldc, ldc, kc, first);
      j += 4;
    }
    for (; j < n; j++) dotColT(ak, lda, b + <usize>j * (<usize>k << 2) + (<usize>k0 << 2), m, kc, c + (<usize>j << 2), ldc, first);
  }
}

/**
 * The Gemm epilogue in place on C[m x n] = acc: C = alpha * acc + beta * Cin, as
 * t = alpha * acc (skipped when alpha is 1), then t + beta * cin (skipped when beta is 0 or there is
 * no C: C is not read then). cMode: 0 none, 1 scalar, 2 one row of n (broadcast down), 3 m x n.
 */
export function gemm_epilogue_f32(c: usize, m: i32, n: i32, alpha: f32, beta: f32, cin: usize, cMode: i32): void {
  const scaleA = alpha != 1;
  if (beta == 0) cMode = 0;
  if (!scaleA && cMode == 0) return;
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * (<usize>n << 2);
    const crow = cMode == 3 ? cin + <usize>i * (<usize>n << 2) : cin;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const av = f32x4.splat(alpha), bv = f32x4.splat(beta);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        let t = v128.load(row + o);
        if (scaleA) t = f32x4.mul(av, t);
        if (cMode == 1) t = f32x4.add(t, f32x4.mul(bv, v128.load32_splat(cin)));
        else if (cMode >= 2) t = f32x4.add(t, f32x4.mul(bv, v128.load(crow + o)));
        v128.store(row + o, t);
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let t = load<f32>(row + o);
      if (scaleA) t = alpha * t;
      if (cMode == 1) t = t + beta * load<f32>(cin);
      else if (cMode >= 2) t = t + beta * load<f32>(crow + o);
      store<f32>(row + o, t);
    }
  }
}
