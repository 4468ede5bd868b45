/**
 * The Wasm export surface of sparq: memory management plus every kernel family (re-exports only).
 * Kernels are pure functions of (pointers, sizes, params) -> void; they never allocate.
 * @module
 */
export { alloc, free } from './mem';
// Marks the SIMD build (the loader reads it from the module's exports).
export { SIMD_BUILD, RELAXED_BUILD } from './mem';
// The threaded build's per-thread scratch (workers of the pool) and its marker.
export { thread_scratch_bytes, thread_set_scratch, THREADS_BUILD } from './mem';
// Constants the TypeScript side uses too, as globals (a test checks that both sides agree).
export * from './consts';
export * from './quant';
// The sparse kernels by name: their modules also export @inline helpers to each other.
export { sparse_csr_spmm_f32, sparse_csrq8_spmm_f32 } from './sparse/csr-spmm';
export { sparse_csr_spmv_f32, sparse_csrq8_spmv_f32 } from './sparse/csr-spmv';
export { sparse_nm_spmm_f32, sparse_nm_spmv_f32 } from './sparse/nm';
export { sparse_bsr_spmm_f32 } from './sparse/bsr';
export { sparse_transpose_f32, sparse_untranspose_bias_f32 } from './sparse/transpose';
export * from './gemm';
export * from './prune/selection';
export * from './prune/nm';
export * from './prune/norms';
export * from './prune/elementwise';
export * from './int';
export * from './calib';
export * from './distill';
export * from './half';
export * from './fusion';
