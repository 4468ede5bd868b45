/**
 * `sparq/ref`: the plain-TS reference kernels, with the same method names and arguments as a
 * `Sparq` instance (typed arrays only). Slow by design; the oracle of sparq's tests.
 * @module
 */
import * as quant from './quant.js';
import * as sparse from './sparse.js';
import * as int from './int.js';
import * as prune from './prune.js';
import * as half from './half.js';
import * as fusion from './fusion.js';
import * as gemm from './gemm.js';
import * as distill from './distill.js';
import * as calib from './calib.js';

/** The reference implementation, shaped like a Sparq instance. */
export const ref = {
  simd: false as const,
  name: 'ref' as const,
  ...quant,
  ...sparse,
  ...int,
  ...prune,
  ...half,
  ...fusion,
  ...gemm,
  ...distill,
  ...calib,
};
