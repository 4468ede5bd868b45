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
