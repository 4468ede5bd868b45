/**
 * CSR spmv with u16 byte-offset indices (idx16 = 2, cols <= 16384): x is copied to XS, a fixed
 * address, so a gather is one load at [XS + offset] with no shift or add, and the indices are read
 * four at a time as a u64. Same 8 partial sums, same order as rowSpmv8 (csr-spmv.ts). Measured at
 * 90% (4096 x 4096): f32 0.46 -> 0.42 ms, int8 0.41 -> 0.37 ms against u16 column indices; then
 * 32 entries an iteration (the same adds in the same order): f32 0.44 -> 0.38 ms, int8 0.395 ->
 * 0.353 ms.
 * @module
 */
import { valAt } from './shared';

const XS: usize = memory.data(65536, 16);

/** x at the 4 byte offsets packed in w (lane k: bits 16k .. 16k + 15). */
@inline function gatherOff4(w: u64): v128 {
  let g = v128.load32_zero(<usize>(<u32>w & 0xffff), XS);
  g = v128.load32_lane(<usize>(<u32>(w >> 16) & 0xffff), g, 1, XS);
  g = v128.load32_lane(<usize>(<u32>(w >> 32) & 0xffff), g, 2, XS);
  return v128.load32_lane(<usize>(<u32>(w >> 48)), g, 3, XS);
}

@inline function xOffAt(indices: usize, p: usize): f32 {
  return load<f32>(<usize>load<u16>(indices + (p << 1)), XS);
}

/**
 * Entries p .. p + 15 of a byte-offset row into the spmv sums: offStepA adds entries p .. p + 3
 * and p + 8 .. p + 11 to the lanes s0..s3 (acc), offStepB entries p + 4 .. p + 7 and p + 12 ..
 * p + 15 to s4..s7, each in entry order; ip points at entry p's offset.
 */
@inline function offStepA(acc: v128, values: usize, p: usize, ip: usize, q8: bool): v128 {
  let v0: v128, v2: v128;
  if (q8) {
    const w = v128.load(values + p); // 16 int8
    v0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(w)));
    v2 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_high_i8x16_s(w)));
  } else {
    v0 = v128.load(values + (p << 2), 0);
    v2 = v128.load(values + (p << 2), 32);
  }
  acc = f32x4.add(acc, f32x4.mul(v0, gatherOff4(load<u64>(ip, 0))));
  return f32x4.add(acc, f32x4.mul(v2, gatherOff4(load<u64>(ip, 16))));
}

@inline function offStepB(acc: v128, values: usize, p: usize, ip: usize, q8: bool): v128 {
  let v1: v128, v3: v128;
  if (q8) {
    const w = v128.load(values + p);
    v1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(i16x8.extend_low_i8x16_s(w)));
    v3 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(i16x8.extend_high_i8x16_s(w)));
  } else {
    v1 = v128.load(values + (p << 2), 16);
    v3 = v128.load(values + (p << 2), 48);
  }
  acc = f32x4.add(acc, f32x4.mul(v1, gatherOff4(load<u64>(ip, 8))));
  return f32x4.add(acc, f32x4.mul(v3, gatherOff4(load<u64>(ip, 24))));
}

@inline function rowSpmvOff(p0: usize, p1: usize, indices: usize, values: usize, q8: bool): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  let p = p0;
  if (ASC_FEATURE_SIMD) {
    let a = f32x4.splat(0), b = a;
    let ip = indices + (p << 1);
    // 32 entries an iteration (0.44 -> 0.38 ms against 16): two steps of 16, each adding its
    // entries to a (s0..s3) and b (s4..s7) in entry order
    for (; p + 32 <= p1; p += 32) {
      a = offStepA(a, values, p, ip, q8);
      b = offStepB(b, values, p, ip, q8);
      a = offStepA(a, values, p + 16, ip + 32, q8);
      b = offStepB(b, values, p + 16, ip + 32, q8);
      ip += 64;
    }
    if (p + 16 <= p1) {
      a = offStepA(a, values, p, ip, q8);
      b = offStepB(b, values, p, ip, q8);
      ip += 32;
      p += 16;
    }
    if (p + 8 <= p1) {
      let va: v128, vb: v128;
      if (q8) {
        const w = v128.load8x8_s(values + p); // 8 int8 -> i16x8
        va = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w));
        vb = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w));
      } else {
        va = v128.load(values + (p << 2));
        vb = v128.load(values + (p << 2), 16);
      }
      a = f32x4.add(a, f32x4.mul(va, gatherOff4(load<u64>(ip, 0))));
      b = f32x4.add(b, f32x4.mul(vb, gatherOff4(load<u64>(ip, 8))));
      p += 8;
    }
    // (a branch-free masked tail for the last 0..15 entries measured no faster)
    s0 = f32x4.extract_lane(a, 0); s1 = f32x4.extract_lane(a, 1); s2 = f32x4.extract_lane(a, 2); s3 = f32x4.extract_lane(a, 3);
    s4 = f32x4.extract_lane(b, 0); s5 = f32x4.extract_lane(b, 1); s6 = f32x4.extract_lane(b, 2); s7 = f32x4.extract_lane(b, 3);
  }
  for (; p + 8 <= p1; p += 8) {
    s0 += valAt(values, p, q8) * xOffAt(indices, p);
    s1 += valAt(values, p + 1, q8) * xOffAt(indices, p + 1);
    s2 += valAt(values, p + 2, q8) * xOffAt(indices, p + 2);
    s3 += valAt(values, p + 3, q8) * xOffAt(indices, p + 3);
    s4 += valAt(values, p + 4, q8) * xOffAt(indices, p + 4);
    s5 += valAt(values, p + 5, q8) * xOffAt(indices, p + 5);
    s6 += valAt(values, p + 6, q8) * xOffAt(indices, p + 6);
    s7 += valAt(values, p + 7, q8) * xOffAt(indices, p + 7);
  }
  const r = <i32>(p1 - p);
  if (r > 0) s0 += valAt(values, p, q8) * xOffAt(indices, p);
  if (r > 1) s1 += valAt(values, p + 1, q8) * xOffAt(indices, p + 1);
  if (r > 2) s2 += valAt(values, p + 2, q8) * xOffAt(indices, p + 2);
  if (r > 3) s3 += valAt(values, p + 3, q8) * xOffAt(indices, p + 3);
  if (r > 4) s4 += valAt(values, p + 4, q8) * xOffAt(indices, p + 4);
  if (r > 5) s5 += valAt(values, p + 5, q8) * xOffAt(indices, p + 5);
  if (r > 6) s6 += valAt(values, p + 6, q8) * xOffAt(indices, p + 6);
  return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
}

@inline export function csrSpmvOff(rows: i32, indptr: usize, indices: usize, values: usize, q8: bool, scale: usize, x: usize, y: usize, cols: i32): void {
  memory.copy(XS, x, <usize>cols << 2);
  for (let i = 0; i < rows; i++) {
    const p0 = <usize>load<i32>(indptr + (<usize>i << 2));
    const p1 = <usize>load<i32>(indptr + (<usize>i << 2), 4);
    const t = rowSpmvOff(p0, p1, indices, values, q8);
    store<f32>(y + (<usize>i << 2), q8 ? t * load<f32>(scale + (<usize>i << 2)) : t);
  }
}
