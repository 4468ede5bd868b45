/**
 * Half precision: f32 <-> IEEE binary16 (float16) and f32 <-> bfloat16, as u16 bit patterns.
 * Narrowing rounds to nearest, ties to even, overflows to Inf and produces float16 subnormals
 * (numpy `astype(float16)`, torch `.to(torch.bfloat16)` for every non-NaN input); a NaN keeps its
 * sign and top payload bits and gets the quiet bit. Widening is exact, NaN payloads included.
 * @module
 */
import type { Runtime, Slot, WasmArray } from './runtime/runtime.js';

type Out = ReturnType<Runtime['output']>;

function convert(rt: Runtime, kernel: 'half_to_f16_f32' | 'half_to_bf16_f32' | 'half_from_f16_f32' | 'half_from_bf16_f32', x: unknown, xName: string, from: 'f32' | 'u16', to: 'f32' | 'u16', out: unknown): unknown {
  let xs: Slot | undefined, o: Out | undefined;
  try {
    xs = rt.input(xName, x, [from] as const);
    o = rt.output('out', out, to, xs.length);
    rt.exports[kernel](xs.ptr, xs.length, o.ptr);
    return rt.finish(to, o);
  } finally {
    rt.release(xs, o);
  }
}

/** f32 -> float16 bits. */
export function toFloat16(rt: Runtime, x: unknown, out?: unknown): Uint16Array | WasmArray<'u16'> {
  return convert(rt, 'half_to_f16_f32', x, 'x', 'f32', 'u16', out) as Uint16Array | WasmArray<'u16'>;
}

/** float16 bits -> f32 (exact). */
export function fromFloat16(rt: Runtime, h: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  return convert(rt, 'half_from_f16_f32', h, 'h', 'u16', 'f32', out) as Float32Array | WasmArray<'f32'>;
}

/** f32 -> bfloat16 bits. */
export function toBfloat16(rt: Runtime, x: unknown, out?: unknown): Uint16Array | WasmArray<'u16'> {
  return convert(rt, 'half_to_bf16_f32', x, 'x', 'f32', 'u16', out) as Uint16Array | WasmArray<'u16'>;
}

/** bfloat16 bits -> f32 (exact). */
export function fromBfloat16(rt: Runtime, h: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  return convert(rt, 'half_from_bf16_f32', h, 'h', 'u16', 'f32', out) as Float32Array | WasmArray<'f32'>;
}
