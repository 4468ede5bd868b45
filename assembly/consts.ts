/**
 * The constants both sides of the JS/Wasm boundary use: flag bits, index encodings, tile sizes.
 * Each is exported as a Wasm global; src/runtime/consts.ts holds the same names and values, and
 * test/runtimes/boundary.test.js checks that the two agree in every build. Kernels use them as
 * compile-time constants (AssemblyScript inlines them), so exporting them changes no code.
 * @module
 */

/** quant_quantize_f32_q8 / quant_dequantize_q8_f32 flags: the 8-bit side is int8 (else uint8). */
export const QUANT_SIGNED: i32 = 1;
/** Quantize by multiplying with a precomputed f32 reciprocal (PyTorch) instead of dividing (ONNX). */
export const QUANT_MUL: i32 = 2;

/** CSR column index encodings: i32 columns, u16 columns, u16 byte offsets col * 4 (cols <= 16384). */
export const SPARSE_IDX_I32: i32 = 0;
export const SPARSE_IDX_U16: i32 = 1;
export const SPARSE_IDX_OFF16: i32 = 2;
/** The largest column count whose byte offsets col * 4 fit in a u16. */
export const SPARSE_OFF16_MAX_COLS: i32 = 16384;

/** Rows per tile of the int8 product: A is padded to a multiple of it. */
export const INT_MR: i32 = 4;

/** Norm codes of the pruning kernels: max |w|, sum |w|, sum w^2. */
export const PRUNE_NORM_INF: i32 = 0;
export const PRUNE_NORM_L1: i32 = 1;
export const PRUNE_NORM_L2: i32 = 2;
