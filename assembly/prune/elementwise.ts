/**
 * Element-wise pruning kernels: the threshold mask, random keys (random_unstructured),
 * importance scores (Taylor, OBD), applying a mask, counting zeros, and packing masks to bits.
 * Every kernel uses the same IEEE operations in the same order in both builds.
 * @module
 */
import { ABS, PC } from './shared';

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
