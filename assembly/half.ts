/**
 * Half-precision conversions: f32 <-> IEEE binary16 (f16) and f32 <-> bfloat16 (bf16), stored as u16.
 *
 * Narrowing (f32 -> f16 / bf16) rounds to nearest, ties to even; values past the largest finite
 * half round to Inf (f16: |x| >= 65520); f16 subnormals are produced exactly; a NaN keeps its sign
 * and the top payload bits and gets the quiet bit (f16: 0x7e00 | m >> 13, bf16: 0x7fc0 | m >> 16).
 * Widening (f16 / bf16 -> f32) is exact for every input, NaN payloads included.
 *
 * Integer operations only, apart from one f32 add in the f16 subnormal path (|x| + 0.5 rounds at
 * 2^-24, the f16 subnormal step, to nearest even), which is exact IEEE arithmetic on finite values:
 * both builds and every engine give the same bits.
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
    v128.store(HC, i32x4.splat(0x38800000), 16);
    v128.store(HC, i32x4.splat(0xc8000fff), 32);
    v128.store(HC, i32x4.splat(1), 48);
    v128.store(HC, f32x4.splat(0.5), 64);
    v128.store(HC, i32x4.splat(0x7c00), 80);
    v128.store(HC, i32x4.splat(0x7f800000), 96);
    v128.store(HC, i32x4.splat(0x38000), 112);
    v128.store(HC, i32x4.splat(0x8000), 128);
    v128.store(HC, i32x4.splat(0x200), 144);
    const abs = v128.load(HC, 0), minNorm = v128.load(HC, 16), bias = v128.load(HC, 32), one = v128.load(HC, 48), half = v128.load(HC, 64);
    const inf = v128.load(HC, 80), infBits = v128.load(HC, 96), nanOff = v128.load(HC, 112), sgn = v128.load(HC, 128), qbit = v128.load(HC, 144);
    for (; i + 8 <= n; i += 8) {
      const p = x + (<usize>i << 2);
      v128.store(out + (<usize>i << 1), i16x8.narrow_i32x4_u(
        f16Lanes(v128.load(p), abs, minNorm, bias, one, half, inf, infBits, nanOff, sgn, qbit),
        f16Lanes(v128.load(p, 16), abs, minNorm, bias, one, half, inf, infBits, nanOff, sgn, qbit)));
    }
  }
  for (; i < n; i++) store<u16>(out + (<usize>i << 1), <u16>f16Of(load<u32>(x + (<usize>i << 2))));
}

// Four lanes of f16Of with min / max in place of branches (every result is <= 0xffff):
// - normal: the rebiased, rounded bits of max(a, 2^-14), so a subnormal input gives 0x400;
// - subnormal: bits(a + 0.5) - bits(0.5) is a rounded to a multiple of 2^-24, which is <= 0x400
//   below 2^-14 and >= the normal encoding above it (equal in [2^-14, 2^-13)), so the unsigned
//   min of the two is right everywhere; min with 0x7c00 sends overflow, Inf and NaN to Inf;
// - NaN: ((a >> 13) | 0x200) - 0x38000 = 0x7e00 | m >> 13; the max puts it over the 0x7c00.
@inline function f16Lanes(x: v128, abs: v128, minNorm: v128, bias: v128, one: v128, half: v128, inf: v128, infBits: v128, nanOff: v128, sgn: v128, qbit: v128): v128 {
  const a = v128.and(x, abs);
  const q = i32x4.shr_u(a, 13);
  const nrm = i32x4.shr_u(i32x4.add(i32x4.add(i32x4.max_s(a, minNorm), bias), v128.and(q, one)), 13);
  const sub = i32x4.sub(f32x4.add(a, half), half);
  const h = i32x4.min_u(i32x4.min_u(nrm, sub), inf);
  const nan = v128.and(i32x4.gt_s(a, infBits), i32x4.sub(v128.or(q, qbit), nanOff));
  return v128.or(i32x4.max_s(h, nan), v128.and(i32x4.shr_u(x, 16), sgn));
}

/** out[i] = bf16 bits of x[i] (u16), n elements. */
export function half_to_bf16_f32(x: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(HC, i32x4.splat(0x7fffffff), 0);
    v128.store(HC, i32x4.splat(0x7f800000), 16);
    v128.store(HC, i32x4.splat(0x10000), 32);
    v128.store(HC, i32x4.splat(0x7fff), 48);
    v128.store(HC, i32x4.splat(0x400000), 64);
    const abs = v128.load(HC, 0), infBits = v128.load(HC, 16), bit16 = v128.load(HC, 32), rnd = v128.load(HC, 48), quiet = v128.load(HC, 64);
    for (; i + 8 <= n; i += 8) {
      const p = x + (<usize>i << 2);
      const r0 = bf16Lanes(v128.load(p), abs, infBits, bit16, rnd, quiet);
      const r1 = bf16Lanes(v128.load(p, 16), abs, infBits, bit16, rnd, quiet);
      v128.store(out + (<usize>i << 1), i8x16.shuffle(r0, r1, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31));
    }
  }
  for (; i < n; i++) store<u16>(out + (<usize>i << 1), <u16>bf16Of(load<u32>(x + (<usize>i << 2))));
}

// Four lanes of bf16Of, before the shift by 16 (the shuffle above takes the high halves): a NaN
// lane gets no rounding increment (it could carry out of the payload) and the quiet bit.
@inline function bf16Lanes(x: v128, abs: v128, infBits: v128, bit16: v128, rnd: v128, quiet: v128): v128 {
  const nan = i32x4.gt_s(v128.and(x, abs), infBits);
  const inc = v128.andnot(i32x4.add(i32x4.shr_u(v128.and(x, bit16), 16), rnd), nan);
  return v128.or(i32x4.add(x, inc), v128.and(nan, quiet));
}

/** out[i] = f32 of the f16 bits h[i], n elements (exact). */
export function half_from_f16_f32(h: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(HC, i32x4.splat(0x7fff), 0);
    v128.store(HC, f32x4.splat(reinterpret<f32>(0x77800000)), 16); // 2^112
    v128.store(HC, i32x4.splat(0x7bff), 32);
    v128.store(HC, i32x4.splat(0x7f800000), 48);
    v128.store(HC, i16x8.splat(0x7fff), 64);
    v128.store(HC, i16x8.splat(1), 80);
    v128.store(HC, i16x8.splat(0x3ff), 96);
    const m7 = v128.load(HC, 0), scale = v128.load(HC, 16), maxFin = v128.load(HC, 32), expAll = v128.load(HC, 48);
    const m7h = v128.load(HC, 64), oneh = v128.load(HC, 80), subMax = v128.load(HC, 96);
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(h + (<usize>i << 1));
      const p = out + (<usize>i << 2);
      // A subnormal (|h| in [1, 0x3ff]) would be an f32 subnormal operand of the multiply, which
      // x64 cores run through a microcode assist (about 50x slower): such blocks go the scalar way.
      if (v128.any_true(i16x8.sub_sat_u(subMax, i16x8.sub(v128.and(v, m7h), oneh)))) {
        for (let j = 0; j < 8; j++) store<u32>(p + (<usize>j << 2), f32OfF16(<u32>load<u16>(h + (<usize>(i + j) << 1))));
        continue;
      }
      v128.store(p, widenLanes(i32x4.extend_low_i16x8_u(v), m7, scale, maxFin, expAll));
      v128.store(p, widenLanes(i32x4.extend_high_i16x8_u(v), m7, scale, maxFin, expAll), 16);
    }
  }
  for (; i < n; i++) store<u32>(out + (<usize>i << 2), f32OfF16(<u32>load<u16>(h + (<usize>i << 1))));
}

// Four lanes of f32OfF16 for normal, zero, Inf and NaN inputs: (a << 13) read as an f32 is the
// value times 2^-112, so one exact multiply by 2^112 widens it; for Inf / NaN the product is finite
// with the payload in place, and OR-ing the all-ones exponent over it gives the Inf / NaN with that
// payload.
@inline function widenLanes(h: v128, m7: v128, scale: v128, maxFin: v128, expAll: v128): v128 {
  const a = v128.and(h, m7);
  const v = f32x4.mul(i32x4.shl(a, 13), scale);
  const special = v128.and(i32x4.gt_s(a, maxFin), expAll);
  return v128.or(v128.or(v, special), i32x4.shl(v128.xor(h, a), 16));
}

/** out[i] = f32 of the bf16 bits h[i], n elements (exact: h << 16). */
export function half_from_bf16_f32(h: usize, n: i32, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const v = v128.load(h + (<usize>i << 1));
      const p = out + (<usize>i << 2);
      const z = i64x2.splat(0);
      v128.store(p, i16x8.shuffle(z, v, 0, 8, 0, 9, 0, 10, 0, 11));
      v128.store(p, i16x8.shuffle(z, v, 0, 12, 0, 13, 0, 14, 0, 15), 16);
    }
  }
  for (; i < n; i++) store<u32>(out + (<usize>i << 2), <u32>load<u16>(h + (<usize>i << 1)) << 16);
}
