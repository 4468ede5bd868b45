/**
 * sparq/search: random, grid and Bayesian search of hyperparameters and of per-layer compression
 * settings. Plain TypeScript: it uses nothing of sparq's Wasm and the kernel entry never imports it.
 * @module
 */
export { search } from './search.js';
export type { AbortSignalLike, ObjectiveResult, SearchOptions, SearchResult, Trial, TrialContext } from './search.js';
export type { ChoiceDim, Config, Dim, FloatDim, IntDim, Space } from './space.js';
export { planLayer, searchCompression, storedBytes } from './compression.js';
export type { CompressionLayer, CompressionOptions, CompressionPlan, CompressionResult, LayerPlan, NmPattern, StorageFormat } from './compression.js';
