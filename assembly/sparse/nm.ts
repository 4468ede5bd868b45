/**
 * N:M sparse products: per row, G = cols / M groups of N values; value t of a row has an index of
 * `bits` bits (2, 4 or 8) at bit t * bits of the row's index bytes (little-endian within a byte),
 * giving its position inside group t / N. Positions increase within a group.
 *
 * spmm decodes each row's indices into byte offsets and runs the CSR row kernel (the CSR spmm
 * order); spmv runs the CSR spmv order (8 round-robin partial sums, over the stored values,
 * padding zeros included). 2:4 has SIMD paths with lookup tables (nm24-tables.ts).
 * @module
 */
import { csrRow } from './csr-spmm';
import { rowSpmv8 } from './csr-spmv';
import { NM24_COLS, NM24_HI, NM24_LO } from './nm24-tables';

/**
 * Decode groups [g0, g1) of row `ir`'s N:M indices into u32 byte offsets (g * M + pos) * stride,
 * stored from `off` (entry (g0 * N) first).
 */
@inline function nmDecode(g0: i32, g1: i32, N: i32, M: i32, bits: i32, ir: usize, stride: usize, off: usize): void {
  const mask: u32 = (1 << bits) - 1;
  let t: u32 = <u32>(g0 * N);
  const gstep = <usize>M * stride;
  let gb: usize = <usize>g0 * gstep;
  let o = off;
  for (let g = g0; g < g1; g++) {
    for (let k = 0; k < N; k++) {
      const bit = t * <u32>bits;
      const pos = (<u32>load<u8>(ir + <usize>(bit >> 3)) >> (bit & 7)) & mask;
      store<u32>(o, <u32>(gb + <usize>pos * stride));
      o += 4;
      t++;
    }
    gb += gstep;
  }
}

/** SIMD decode of 2:4 groups [g0, g1) (g0 even) into u32 byte offsets col * stride, as nmDecode. */
@inline function nm24Decode(g0: i32, g1: i32, ir: usize, stride: usize, off: usize): void {
  const st = i32x4.splat(<i32>stride);
  const step = i32x4.splat(<i32>(stride << 3));
  let base = i32x4.splat(<i32>(<usize>g0 * (stride << 2)));
  let g = g0;
  let o = off;
  for (; g + 2 <= g1; g += 2) {
    const cols = v128.load(NM24_COLS + (<usize>load<u8>(ir + <usize>(g >> 1)) << 4));
    v128.store(o, i32x4.add(base, i32x4.mul(cols, st)));
    base = i32x4.add(base, step);
    o += 16;
  }
  if (g < g1) nmDecode(g, g1, 2, 4, 2, ir, stride, o);
}

// N:M spmm blocking (2:4 4096^2 x 64: no blocking 53 ms; X blocks of 8/16/32/64 KB 46/43/45/49 ms).
const NM_XBYTES: i32 = 16384;
const NM_ROWS: i32 = 256;

/**
 * Y[rows x n] = A X for an N:M matrix: values f32 [rows x G*N], index bytes [rows x ib]
 * (ib = ceil(G * N * bits / 8)). Each row's indices are decoded once into `scratch`
 * (u32 [G * N], from the caller) as byte offsets into X, then run by the CSR row kernel
 * (measured 107 -> 75 ms for 2:4 4096^2 x 64 against decoding inside every column tile); for
 * 2:4 the SIMD build decodes 4 entries per index byte with a table (43 -> 34 ms).
 */
export function sparse_nm_spmm_f32(rows: i32, G: i32, N: i32, M: i32, bits: i32, values: usize, idx: usize, ib: i32,
  x: usize, n: i32, y: usize, scratch: usize): void {
  const ldx = <usize>n << 2;
  const per = <usize>G * <usize>N;
  // Blocks of NM_ROWS rows x KB groups: the X rows of a group block (about NM_XBYTES) stay in
  // cache while every row of the row block runs over them; the sums carry over between group
  // blocks through Y, so each element still adds its entries in column order.
  let KB = <i32>(<usize>NM_XBYTES / (<usize>M * ldx));
  const fast24 = ASC_FEATURE_SIMD && N == 2 && M == 4;
  if (fast24) KB &= ~1; // even: every group block starts on an index byte
  if (KB < 2) KB = fast24 ? 2 : 1;
  for (let i0 = 0; i0 < rows; i0 += NM_ROWS) {
    const i1 = min(rows, i0 + NM_ROWS);
    for (let g0 = 0; g0 < G; g0 += KB) {
      const g1 = min(G, g0 + KB);
      const cnt = <usize>((g1 - g0) * N);
      for (let i = i0; i < i1; i++) {
        if (ASC_FEATURE_SIMD && fast24) nm24Decode(g0, g1, idx + <usize>i * <usize>ib, ldx, scratch);
        else nmDecode(g0, g1, N, M, bits, idx + <usize>i * <usize>ib, ldx, scratch);
        csrRow(0, cnt, scratch, false, values + ((<usize>i * per + <usize>(g0 * N)) << 2), false, 1, true, x, n, y + <usize>i * ldx, g0 == 0);
      }
    }
  }
}

/**
 * 2:4 spmv, SIMD: per 8 stored values (4 groups, 16 index bits) the 16 contiguous x values are
 * loaded and the 8 picked with swizzles, instead of decoding offsets and gathering. The lanes and
 * the order are those of rowSpmv8 (entry t into partial sum t mod 8), so the bits are the same.
 */
@inline function nm24Spmv(rows: i32, G: i32, values: usize, idx: usize, ib: i32, x: usize, y: usize): void {
  const per = <usize>G << 1;
  for (let i = 0; i < rows; i++) {
    const ir = idx + <usize>i * <usize>ib;
    const vr = values + ((<usize>i * per) << 2);
    let a = f32x4.splat(0), b = a;
    let t: usize = 0;
    for (; t + 8 <= per; t += 8) {
      const bits = <usize>load<u16>(ir + (t >> 2)); // entries t .. t + 7, 2 bits each
      const xg = x + (t << 3); // group t / 2, 16 bytes a group
      const xa = v128.or(
        i8x16.swizzle(v128.load(xg), v128.load(NM24_LO + ((bits & 15) << 4))),
        i8x16.swizzle(v128.load(xg, 16), v128.load(NM24_HI + (((bits >> 4) & 15) << 4))));
      const xb = v128.or(
        i8x16.swizzle(v128.load(xg, 32), v128.load(NM24_LO + (((bits >> 8) & 15) << 4))),
        i8x16.swizzle(v128.load(xg, 48), v128.load(NM24_HI + (((bits >> 12) & 15) << 4))));
      a = f32x4.add(a, f32x4.mul(v128.load(vr + (t << 2)), xa));
      b = f32x4.add(b, f32x4.mul(v128.load(vr + (t << 2), 16), xb));
    }
    let s0 = f32x4.extract_lane(a, 0), s1 = f32x4.extract_lane(a, 1), s2 = f32x4.extract_lane(a, 2), s3 = f32x4.extract_lane(a, 3);
    let s4 = f32x4.extract_lane(b, 0), s5 = f32x4.extract_lane(b, 1), s6 = f32x4.extract_lane(b, 2);
    const s7 = f32x4.extract_lane(b, 3);
    // fewer than 8 entries left: they go to s0 .. s6 in turn, as in rowSpmv8
    for (let k = 0; t < per; t++, k++) {
      const pos = (<usize>load<u8>(ir + (t >> 2)) >> ((t & 3) << 1)) & 3;
      const v = load<f32>(vr + (t << 2)) * load<f32>(x + ((((t >> 1) << 2) + pos) << 2));
      if (k == 0) s0 += v; else if (k == 1) s1 += v; else if (k == 2) s2 += v;
      else if (k == 3) s3 += v; else if (k == 4) s4 += v; else if (k == 5) s5 += v; else s6 += v;
    }
    store<f32>(y + (<usize>i << 2), ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)));
  }
}

/** y = A x for an N:M matrix, in the spmv order (8 round-robin partial sums per row). */
export function sparse_nm_spmv_f32(rows: i32, G: i32, N: i32, M: i32, bits: i32, values: usize, idx: usize, ib: i32,
  x: usize, y: usize, scratch: usize): void {
  if (ASC_FEATURE_SIMD) {
    if (N == 2 && M == 4) { nm24Spmv(rows, G, values, idx, ib, x, y); return; }
  }
  const per = <usize>G * <usize>N;
  for (let i = 0; i < rows; i++) {
    nmDecode(0, G, N, M, bits, idx + <usize>i * <usize>ib, 4, scratch);
    rowSpmv8(0, per, scratch, false, values + ((<usize>i * per) << 2), false, true, x, y + (<usize>i << 2));
  }
}
