/**
 * What the pruning kernels share: a mask is u8 0/1, 1 = kept. Magnitudes are ranked by their
 * *key*: the f32 bit pattern with the sign bit cleared (an AND with ABS). Non-negative floats
 * order like their uint32 bits, so key order is |w| order, -0 == +0, +Inf is above every finite
 * value and every NaN is above +Inf (NaNs among themselves by payload bits). Keys fit in 31 bits,
 * so signed i32 compares (one x64 instruction each in SIMD) order them correctly.
 * @module
 */

export const ABS: i32 = 0x7fffffff;

// Loop constants go through this scratch (stored before a loop, loaded back): V8 (TurboFan, x64)
// rematerialises a splat or v128.const inside the loop that uses it, 3-4 instructions per
// iteration; a loaded value is opaque and stays in a register.
export const PC: usize = memory.data(80, 16);
