/**
 * sparq/model: ONNX and safetensors files in and out, and their compression with sparq's
 * kernels (quantizeOnnx, pruneOnnx, compressionReport). Depends on protobufjs; the kernel entry
 * `sparq` does not.
 * @module
 */
export { readOnnx, writeOnnx, saveOnnx } from './onnx.js';
export type { Int64, OnnxAttribute, OnnxFunction, OnnxGraph, OnnxModel, OnnxNode, OnnxOpset, OnnxShape, OnnxSparseTensor, OnnxTensor, OnnxType, OnnxValueInfo, ReadOnnxOptions, StringEntry, WriteOnnxOptions } from './onnx.js';
export { DataType, dtypeName } from './onnx-types.js';
export type { TensorData } from './onnx-types.js';
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type { Safetensors, SafetensorsData, SafetensorsDtype, SafetensorsTensor } from './safetensors.js';
export { quantizeOnnx, quantizeInt4Mlas, quantizeWeightInt8, ortScaleZp } from './quantize.js';
export type { Int4Weight, Int8Weight, QuantizeOnnxOptions } from './quantize.js';
export { pruneOnnx } from './prune.js';
export type { PruneOnnxOptions } from './prune.js';
export { compressionReport } from './report.js';
export type { CompressionReport, WeightReport } from './report.js';
