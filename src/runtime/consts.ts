/**
 * The constants both sides of the JS/Wasm boundary use, with the same names and values
 * as assembly/consts.ts (test/runtimes/boundary.test.js checks that they agree in every build).
 * @module
 */

/** @internal quant kernels' flags: the 8-bit side is int8 (else uint8). */
export const QUANT_SIGNED = 1;
/** @internal Quantize by multiplying with a precomputed f32 reciprocal (PyTorch) instead of dividing (ONNX). */
export const QUANT_MUL = 2;
/** @internal CSR column index encodings: i32 columns, u16 columns, u16 byte offsets col * 4. */
export const SPARSE_IDX_I32 = 0;
/** @internal */
export const SPARSE_IDX_U16 = 1;
/** @internal */
export const SPARSE_IDX_OFF16 = 2;
/** @internal The largest column count whose byte offsets col * 4 fit in a u16. */
export const SPARSE_OFF16_MAX_COLS = 16384;
/** @internal Rows per tile of the int8 product: A is padded to a multiple of it. */
export const INT_MR = 4;
/** @internal Norm codes of the pruning kernels: max |w|, sum |w|, sum w^2. */
export const PRUNE_NORM_INF = 0;
/** @internal */
export const PRUNE_NORM_L1 = 1;
/** @internal */
export const PRUNE_NORM_L2 = 2;
