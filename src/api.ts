/**
 * What every entry point exports besides `init` (re-exports only).
 * @module
 */
export type { InitOptions, WasmBytes, WasmModule } from './runtime/types.js';
export { Sparq } from './sparq.js';
export type { F32In, MaskIn, Q8In, SparseIn } from './sparq.js';
export { WasmArray } from './runtime/runtime.js';
export type { DType } from './runtime/runtime.js';
export type { DynamicQuantized, ObserverOptions, QDtype, QuantError, QuantParams, Rounding } from './quant.js';
export { sparsitySchedule } from './prune.js';
export type { BlockOptions, GlobalOptions, MagnitudeOptions, NMOptions, RandomOptions, ScheduleOptions, Selection, StructuredOptions } from './prune.js';
export { SparseMatrix } from './sparse.js';
export type { BsrOptions, Csr, CsrInt8, NmOptions, SparseFormat } from './sparse.js';
export { PackedInt4, PackedInt8 } from './int.js';
export type { Int8In, MatMulIntegerOptions, OnnxInt4, PackedInt4Options, PackedInt8Options, QLinearMatmulOptions, QuantizedLinearOptions, Scale, ZeroPoint } from './int.js';
export type { DistillationOptions, LossOptions, LossResult, SoftmaxOptions } from './distill.js';
export { Observer } from './calib.js';
export type { CalibOptions, ObserverKind } from './calib.js';
export type { BatchNormParams, FoldedBatchNorm } from './fusion.js';
export type { GemmOptions } from './gemm-trans.js';
