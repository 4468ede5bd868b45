/**
 * The Wasm export surface of sparq: memory management plus every kernel family (re-exports only).
 * Kernels are pure functions of (pointers, sizes, params) -> void; they never allocate.
 * @module
 */
export { alloc, free } from './mem';
// Marks the SIMD build (the loader reads it from the module's exports).
export { SIMD_BUILD } from './mem';
// Constants the TypeScript side uses too, as globals (a test checks that both sides agree).
export * from './consts';
export * from './quant';
export * from './spmm';
export * from './gemm';
export * from './prune';
export * from './int';
export * from './calib';
export * from './distill';
export * from './half';
export * from './fusion';
