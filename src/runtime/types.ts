/**
 * The public types of `init`. They name no DOM or WebAssembly library type, so sparq's published
 * declarations compile under any `lib` (Node without DOM, workerd, Deno, bundlers).
 * @module
 */

/**
 * A compiled `WebAssembly.Module`. Typed as any object (`init` checks it at run time): the
 * library type exists only where the consumer's `lib` or `types` declare the WebAssembly namespace.
 */
export type WasmModule = object;

/** Raw bytes of a Wasm build: an ArrayBuffer or a view of one (the DOM library's `BufferSource`). */
export type WasmBytes = ArrayBuffer | ArrayBufferView<ArrayBuffer>;

/** Options of `init`. */
export interface InitOptions {
  /** Use the SIMD build (default: when `WebAssembly.validate` accepts it). */
  simd?: boolean;
  /**
   * Use the relaxed-SIMD build, whose integer products use the relaxed int8 dot product on 7-bit
   * operands only (the same bits as the other builds). Default: when the runtime validates it and
   * a known-answer probe gives the exact result; else the SIMD build.
   */
  relaxed?: boolean;
  /**
   * Threads to run large calls on: a whole number (1 by default) or 'auto' (the platform's core
   * count). Where threads cannot run (no SharedArrayBuffer, a page that is not cross-origin
   * isolated, Cloudflare workerd), init gives a one-thread instance and `threadsUnavailable` says why.
   */
  threads?: number | 'auto';
  /** A precompiled module of either build (edge runtimes, strict CSP). */
  module?: WasmModule;
  /** The raw bytes of either build. */
  bytes?: WasmBytes;
}
