/**
 * Plain-TS reference of the half-precision family, written from the definitions: IEEE 754-2008
 * binary16 (1 sign, 5 exponent, 10 fraction bits, bias 15) and bfloat16 (the top 16 bits of a
 * binary32). Narrowing rounds the exact value to the nearest representable one, ties to the even
 * significand, overflows to Inf (IEEE 754 section 4.3.1 and 7.4); the arithmetic here is done on
 * exact doubles, not with the kernels' bit tricks. NaN: narrowing keeps the sign and the top payload
 * bits and sets the quiet bit; widening keeps every bit. The oracle of the tests.
 * @module
 */

const u32 = new Uint32Array(1);
const f32 = new Float32Array(u32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}

function floatOf(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** Round a non-negative double to an integer, ties to even. */
function roundHalfEven(v: number): number {
  const fl = Math.floor(v);
  const d = v - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** The f16 bit pattern of the f32 with bit pattern `x` (unsigned 32-bit). */
export function f16Bits(x: number): number {
  const sign = (x >>> 31) << 15;
  const exp = (x >>> 23) & 0xff;
  const frac = x & 0x7fffff;
  if (exp === 0xff) {
    if (frac === 0) return sign | 0x7c00; // Inf
    return sign | 0x7c00 | 0x200 | (frac >>> 13); // NaN: quiet bit + the top 10 payload bits
  }
  const v = Math.abs(floatOf(x)); // exact in a double
  if (v === 0) return sign;
  // The f16 spacing at v: 2^(e - 10) for v in [2^e, 2^(e+1)), e >= -14; 2^-24 below 2^-14.
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e -= 1; // guard against log2 rounding up at a power of two
  if (2 ** (e + 1) <= v) e += 1;
  const step = 2 ** (Math.max(e, -14) - 10);
  const q = roundHalfEven(v / step) * step; // the nearest multiple of the step (exact scaling)
  if (q >= 65536) return sign | 0x7c00; // past the largest finite f16 (65504): Inf
  if (q < 2 ** -14) return sign | (q / 2 ** -24); // subnormal (or the zero it rounded to)
  let qe = Math.floor(Math.log2(q));
  if (2 ** qe > q) qe -= 1;
  if (2 ** (qe + 1) <= q) qe += 1;
  const fr = q / 2 ** qe - 1; // in [0, 1), a multiple of 2^-10
  return sign | ((qe + 15) << 10) | (fr * 1024);
}

/** The f32 bit pattern of the f16 bit pattern `h`: exact. */
export function f32BitsOfF16(h: number): number {
  const sign = (h >>> 15) << 31;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (frac << 13)) >>> 0; // Inf / NaN, payload kept
  const v = exp === 0 ? frac * 2 ** -24 : (1 + frac / 1024) * 2 ** (exp - 15);
  return (sign | bitsOf(v)) >>> 0;
}

/** The bf16 bit pattern of the f32 bit pattern `x`. */
export function bf16Bits(x: number): number {
  const hi = x >>> 16;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return hi | 0x40; // NaN: quiet bit set
  // The bf16 values around x are the two f32s with the low 16 bits cleared: round between them.
  const lo = x & 0xffff;
  if (lo > 0x8000 || (lo === 0x8000 && (hi & 1) === 1)) return hi + 1; // carries into the exponent; max finite -> Inf
  return hi;
}

/** The f32 bit pattern of the bf16 bit pattern `h`: exact. */
export function f32BitsOfBf16(h: number): number {
  return (h << 16) >>> 0;
}

function f32Bits(x: unknown, name: string): Uint32Array {
  if (!(x instanceof Float32Array)) throw new TypeError(`${name}: expected Float32Array`);
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

function u16In(h: unknown, name: string): Uint16Array {
  if (!(h instanceof Uint16Array)) throw new TypeError(`${name}: expected Uint16Array`);
  return h;
}

function outOf<T extends Uint16Array | Float32Array>(out: T | undefined, make: () => T, n: number): T {
  const o = out ?? make();
  if (o.length !== n) throw new RangeError(`out: expected length ${n}, got ${o.length}`);
  return o;
}

/** x as IEEE binary16 bit patterns. */
export function toFloat16(x: Float32Array, out?: Uint16Array): Uint16Array {
  const b = f32Bits(x, 'x');
  const o = outOf(out, () => new Uint16Array(b.length), b.length);
  for (let i = 0; i < b.length; i++) o[i] = f16Bits(b[i]);
  return o;
}

/** binary16 bit patterns as f32. */
export function fromFloat16(h: Uint16Array, out?: Float32Array): Float32Array {
  const hb = u16In(h, 'h');
  const o = outOf(out, () => new Float32Array(hb.length), hb.length);
  const ob = new Uint32Array(o.buffer, o.byteOffset, o.length);
  for (let i = 0; i < hb.length; i++) ob[i] = f32BitsOfF16(hb[i]);
  return o;
}

/** x as bfloat16 bit patterns. */
export function toBfloat16(x: Float32Array, out?: Uint16Array): Uint16Array {
  const b = f32Bits(x, 'x');
  const o = outOf(out, () => new Uint16Array(b.length), b.length);
  for (let i = 0; i < b.length; i++) o[i] = bf16Bits(b[i]);
  return o;
}

/** bfloat16 bit patterns as f32. */
export function fromBfloat16(h: Uint16Array, out?: Float32Array): Float32Array {
  const hb = u16In(h, 'h');
  const o = outOf(out, () => new Float32Array(hb.length), hb.length);
  const ob = new Uint32Array(o.buffer, o.byteOffset, o.length);
  for (let i = 0; i < hb.length; i++) ob[i] = f32BitsOfBf16(hb[i]);
  return o;
}
