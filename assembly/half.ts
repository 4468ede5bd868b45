/**
 * Half-precision conversions: f32 <-> IEEE binary16 (f16) and f32 <-> bfloat16 (bf16), stored as u16.
 *
 * Narrowing (f32 -> f16 / bf16) rounds to nearest, ties to even; values past the largest finite
 * half round to Inf (f16: |x| >= 65520); f16 subnormals are produced exactly; a NaN keeps its sign
 * and the top payload bits and gets the quiet bit (f16: 0x7e00 | m >> 13, bf16: 0x7fc0 | m >> 16).
 * Widening (f16 / bf16 -> f32) is exact for every input, NaN payloads included.
 *
 * Integer operations, apart from f32 adds that round to the f16 step (|x| + 2^(E + 13) rounds at
 * 2^(E - 10), ties to even; the scalar f16 subnormal path adds 0.5) and, in f16 widening, one exact
 * f32 multiply by 2^112: IEEE arithmetic on finite, non-NaN values, so both builds and every engine
 * give the same bits.
 * @module
 */

// Loop constants through memory: V8 rematerialises splats inside loops (see prune/shared.ts).
const HC: usize = memory.data(160, 16);

/** One f32 bit pattern -> f16 bits (the scalar spelling of the SIMD lanes below). */
@inline function f16Of(x: u32): u32 {
  const a = x & 0x7fffffff;
  let h: u32;
  if (a > 0x7f800000) h = ((a >>> 13) | 0x200) & 0x7fff; // NaN: top payload bits, quiet bit set
  else if (a < 0x38800000) h = reinterpret<u32>(reinterpret<f32>(a) + 0.5) - 0x3f000000; // subnormal / zero; rounds up to 0x400 at the top
  else h = min<u32>((a - 0x38000000 + 0xfff + ((a >>> 13) & 1)) >>> 13, 0x7c00); // normal; past 65520 -> Inf
  return h | ((x >>> 16) & 0x8000);
}

/** One f32 bit pattern -> bf16 bits. */
@inline function bf16Of(x: u32): u32 {
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/** One f16 bit pattern -> f32 bits (exact). */
@inline function f32OfF16(h: u32): u32 {
  const a = h & 0x7fff;
  const s = (h & 0x8000) << 16;
  if (a >= 0x7c00) return s | ((a << 13) + 0x70000000); // Inf / NaN, payload kept
  if (a >= 0x400) return s | ((a << 13) + 0x38000000); // normal
  return s | reinterpret<u32>(<f32>a * reinterpret<f32>(0x33800000)); // subnormal: a * 2^-24, exact
}

/** out[i] = f16 bits of x[i] (u16), n elements. */
export function half_to_f16_f32(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(HC, i32x4.splat(0x7fffffff), 0);
    v128.store(HC, i32x4.splat(0x7f800000), 16);
    v128.store(HC, i32x4.splat(0x38800000), 32);
    v128.store(HC, i32x4.splat(0x06800000), 48);
    v128.store(HC, i32x4.splat(126 << 23), 64);
    v128.store(HC, i32x4.splat(0x00080001), 80);
    v128.store(HC, i16x8.splat(0x7c00), 96);
    v128.store(HC, i16x8.splat(<i16>0x8000), 112);
    const abs = v128.load(HC, 0), expm = v128.load(HC, 16), minNorm = v128.load(HC, 32), mOff = v128.load(HC, 48);
    const k126 = v128.load(HC, 64), w18 = v128.load(HC, 80), inf = v128.load(HC, 96), sgn = v128.load(HC, 112);
    // the loop runs on pointers (fewer loop instructions than an index: 0.94-0.95x, alternated)
    const end = x + (<usize>(n & ~7) << 2);
    let po = out;
    for (let p = x; p < end; p += 32, po += 16) {
      const x0 = v128.load(p), x1 = v128.load(p, 16);
      const h = i16x8.narrow_i32x4_s(f16Lanes(v128.and(x0, abs), expm, minNorm, mOff, k126, w18), f16Lanes(v128.and(x1, abs), expm, minNorm, mOff, k126, w18));
      // |x| >= 65536, Inf and NaN lanes come out above 0x7c00 as u16 (the signed narrowing
      // saturates both ways): such blocks are rare and take the scalar way (one test per 8 lanes
      // instead of a clamp and a NaN merge)
      if (v128.any_true(i16x8.sub_sat_u(h, inf))) {
        for (let j = 0; j < 8; j++) store<u16>(po + (<usize>j << 1), <u16>f16Of(load<u32>(p + (<usize>j << 2))));
        continue;
      }
      // the sign: bit 15 of the saturating signed narrowing of the f32 patterns
      v128.store(po, v128.or(h, v128.and(i16x8.narrow_i32x4_s(x0, x1), sgn)));
    }
    i = n & ~7;
  }
  for (; i < n; i++) store<u16>(out + (<usize>i << 1), <u16>f16Of(load<u32>(x + (<usize>i << 2))));
}

// Four lanes of f16Of for a = |x|, the rounding done by one f32 add: with E the exponent of a (at
// least -14), M = 2^(E + 13) has an ulp of 2^(E - 10), the f16 step at a (2^-24 below 2^-14), so
// s = M + a rounds a to that step, ties to even, in one IEEE rounding. s's low 16 bits then hold
// a / step (1024 .. 2048 for a normal a, the f16 code below 2^-14; bits 12..15 are zero) and its
// high 16 bits, less 126 << 7, hold (E + 14) << 7, so one i32x4.dot_i16x8_s with (1, 8) gives
// (E + 14) << 10 + a / step, the f16 encoding; a carry to 2048 steps the exponent, and 65520 up
// to 65536 gives 0x7c00 (Inf). Larger a, Inf and NaN give more than 0x7c00 or a negative lane.
@inline function f16Lanes(a: v128, expm: v128, minNorm: v128, mOff: v128, k126: v128, w18: v128): v128 {
  const m = i32x4.add(i32x4.max_u(v128.and(a, expm), minNorm), mOff);
  const s = f32x4.add(a, m);
  return i32x4.dot_i16x8_s(i32x4.sub(s, k126), w18);
}

/** out[i] = bf16 bits of x[i] (u16), n elements. */
export function half_to_bf16_f32(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(HC, i32x4.splat(0x7fffffff), 0);
    v128.store(HC, i32x4.splat(0x7f800000), 16);
    v128.store(HC, i32x4.splat(0x10000), 32);
    v128.store(HC, i32x4.splat(0x7fff), 48);
    const abs = v128.load(HC, 0), infBits = v128.load(HC, 16), bit16 = v128.load(HC, 32), rnd = v128.load(HC, 48);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2), po = out + (<usize>i << 1);
      const x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
      // NaN lanes are rare: a block of 16 holding one takes the scalar way
      const m = i32x4.max_s(i32x4.max_s(v128.and(x0, abs), v128.and(x1, abs)), i32x4.max_s(v128.and(x2, abs), v128.and(x3, abs)));
      if (v128.any_true(i32x4.gt_s(m, infBits))) {
        for (let j = 0; j < 16; j++) store<u16>(po + (<usize>j << 1), <u16>bf16Of(load<u32>(p + (<usize>j << 2))));
        continue;
      }
      v128.store(po, i16x8.narrow_i32x4_u(bf16Lanes(x0, bit16, rnd), bf16Lanes(x1, bit16, rnd)));
      v128.store(po, i16x8.narrow_i32x4_u(bf16Lanes(x2, bit16, rnd), bf16Lanes(x3, bit16, rnd)), 16);
    }
  }
  for (; i < n; i++) store<u16>(out + (<usize>i << 1), <u16>bf16Of(load<u32>(x + (<usize>i << 2))));
}

// Four lanes of bf16Of for non-NaN x: the rounded top half, at most 0xffff (the unsigned narrowing
// keeps it); a carry out of the largest finite magnitude gives the Inf pattern.
@inline function bf16Lanes(x: v128, bit16: v128, rnd: v128): v128 {
  return i32x4.shr_u(i32x4.add(x, i32x4.add(i32x4.shr_u(v128.and(x, bit16), 16), rnd)), 16);
}

/** out[i] = f32 of the f16 bits h[i], n elements (exact). */
export function half_from_f16_f32(h: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(HC, i32x4.splat(0x8fffe000), 0);
    v128.store(HC, f32x4.splat(reinterpret<f32>(0x77800000)), 16); // 2^112
    v128.store(HC, i16x8.splat(0x7bff), 32);
    v128.store(HC, i16x8.splat(0x7fff), 64);
    v128.store(HC, i16x8.splat(1), 80);
    v128.store(HC, i16x8.splat(0x3ff), 96);
    const keep = v128.load(HC, 0), scale = v128.load(HC, 16), maxFin = v128.load(HC, 32);
    const m7h = v128.load(HC, 64), oneh = v128.load(HC, 80), subMax = v128.load(HC, 96);
    for (; i + 16 <= n; i += 16) {
      const q = h + (<usize>i << 1), p = out + (<usize>i << 2);
      const v0 = v128.load(q), v1 = v128.load(q, 16);
      const a0 = v128.and(v0, m7h), a1 = v128.and(v1, m7h);
      // A subnormal (|h| in [1, 0x3ff]) would be an f32 subnormal operand of the multiply, which
      // x64 cores run through a microcode assist (about 50x slower), and Inf / NaN (|h| > 0x7bff)
      // need their exponent set: such blocks are rare and go the scalar way.
      const sub = v128.or(i16x8.sub_sat_u(subMax, i16x8.sub(a0, oneh)), i16x8.sub_sat_u(subMax, i16x8.sub(a1, oneh)));
      if (v128.any_true(v128.or(sub, v128.or(i16x8.sub_sat_u(a0, maxFin), i16x8.sub_sat_u(a1, maxFin))))) {
        for (let j = 0; j < 16; j++) store<u32>(p + (<usize>j << 2), f32OfF16(<u32>load<u16>(q + (<usize>j << 1))));
        continue;
      }
      v128.store(p, widenLanes(i32x4.extend_low_i16x8_s(v0), keep, scale));
      v128.store(p, widenLanes(i32x4.extend_high_i16x8_s(v0), keep, scale), 16);
      v128.store(p, widenLanes(i32x4.extend_low_i16x8_s(v1), keep, scale), 32);
      v128.store(p, widenLanes(i32x4.extend_high_i16x8_s(v1), keep, scale), 48);
    }
  }
  for (; i < n; i++) store<u32>(out + (<usize>i << 2), f32OfF16(<u32>load<u16>(h + (<usize>i << 1))));
}

// Four lanes of f32OfF16 for zero and normal inputs, from the sign-extended f16 bits hs: (hs << 13)
// keeping bit 31 and the 28 bits below the top 4 is the sign with |h| << 13, which read as an f32
// is the value times 2^-112, so one exact multiply by 2^112 widens it.
@inline function widenLanes(hs: v128, keep: v128, scale: v128): v128 {
  return f32x4.mul(v128.and(i32x4.shl(hs, 13), keep), scale);
}

/** out[i] = f32 of the bf16 bits h[i], n elements (exact: h << 16). */
export function half_from_bf16_f32(h: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(h + (<usize>i << 1));
      const p = out + (<usize>i << 2);
      const z = i64x2.splat(0);
      // the interleaving patterns (punpcklwd / punpckhwd); V8 spelled (0, 8, 0, 9, ...) as two
      // byte shuffles and an OR with their masks rebuilt in every iteration
      v128.store(p, i16x8.shuffle(z, v, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(p, i16x8.shuffle(z, v, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
  }
  for (; i < n; i++) store<u32>(out + (<usize>i << 2), <u32>load<u16>(h + (<usize>i << 1)) << 16);
}
