/**
 * Reads shared by the sparse kernels: a stored column index (u16 or i32) and a stored value (f32,
 * or int8 taken as f32), also splatted to four lanes. CSR column indices are i32 (idx16 = 0), u16
 * (idx16 = 1) or, when cols <= 16384, u16 byte offsets col * 4 (idx16 = 2; spmv gathers them from
 * a copy of x at a fixed address: csr-spmv-offsets.ts); the caller has checked every index.
 * @module
 */

@inline export function colAt(indices: usize, p: usize, idx16: bool): usize {
  return idx16 ? <usize>load<u16>(indices + (p << 1)) : <usize>load<i32>(indices + (p << 2));
}

@inline export function valAt(values: usize, p: usize, q8: bool): f32 {
  return q8 ? <f32>load<i8>(values + p) : load<f32>(values + (p << 2));
}

@inline export function splatVal(values: usize, p: usize, q8: bool): v128 {
  return q8 ? f32x4.splat(<f32>load<i8>(values + p)) : v128.load32_splat(values + (p << 2));
}
