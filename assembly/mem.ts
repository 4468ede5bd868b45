/**
 * The one allocator: AssemblyScript's own TLSF (runtime "minimal"), reached through heap.alloc /
 * heap.free. Blocks are 16-byte aligned, so every array handed to a kernel is v128-aligned.
 * @module
 */

/** Allocate size bytes (16-byte aligned). Returns 0 when size is 0. */
export function alloc(size: usize): usize {
  return size == 0 ? 0 : heap.alloc(size);
}

/** Free a block from alloc (0 is ignored). */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Exported by the SIMD build only. */
// @ts-ignore: conditional export
export const SIMD_BUILD: i32 = ASC_FEATURE_SIMD ? 1 : 0;

/** 1 in the relaxed-SIMD build (which is also a SIMD build), else 0. */
export const RELAXED_BUILD: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

/**
 * The threaded build's per-thread scratch: kernels keep a few constants in small static areas
 * (memory.data) between a store and its loads. Shared memory would let two threads race on them,
 * so each worker moves its areas into a block of its own: tls(p) is p + the worker's block (0 on
 * the calling thread). In the other builds tls(p) folds to p.
 */
let TLS_SHIFT: usize = 0;

/** The address of static scratch area p for this thread. */
// @ts-ignore: decorator
@inline export function tls(p: usize): usize {
  return ASC_FEATURE_THREADS ? p + TLS_SHIFT : p;
}

/** Bytes a worker's scratch block needs (the static data ends below the heap base). */
export function thread_scratch_bytes(): usize {
  return __heap_base;
}

/** Set this instance's scratch block (a worker of the threaded build; 0 on the calling thread). */
export function thread_set_scratch(block: usize): void {
  TLS_SHIFT = block;
}

/** 1 in the threaded build (shared memory, run by a worker pool), else 0. */
export const THREADS_BUILD: i32 = ASC_FEATURE_THREADS ? 1 : 0;
