/**
 * Plain-TS reference of the model-fusion family, written from the definitions:
 * - averageWeights: the weighted sum of the tensors with f32 coefficients, each step rounded to
 *   f32 as a float32 tensor computes `acc = c0 * t0; acc += ci * ti` in model order (model soups,
 *   checkpoint averaging); without coefficients each is f32(1 / m);
 * - foldBatchNorm: torch.nn.utils.fusion (PyTorch 1.13) in float32, operation by operation:
 *   fuse_conv_bn_weights: rs = rsqrt(var + eps); w * (gamma * rs); (b - mean) * rs * gamma + beta;
 *   fuse_linear_bn_weights: s = gamma * rsqrt(var + eps); w * s; (b - mean) * s + beta.
 *   torch's float32 rsqrt on CPU is 1 / sqrt(x) with both steps rounded to f32.
 * Math.fround after every operation gives the f32 result of that operation (a double holds every
 * f32 sum, product and quotient exactly enough to round once: for +, -, * and / of two f32 the
 * double result rounded to f32 is the f32 result; Math.sqrt likewise).
 * @module
 */
const f = Math.fround;

export function averageWeights(tensors: Float32Array[], coefficients?: number[], out?: Float32Array): Float32Array {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TypeError('tensors: expected a non-empty array of Float32Array');
  const m = tensors.length, n = tensors[0].length;
  for (const t of tensors) if (!(t instanceof Float32Array) || t.length !== n) throw new RangeError('tensors: expected Float32Arrays of one length');
  const c = coefficients === undefined ? new Array<number>(m).fill(f(1 / m)) : coefficients.map(f);
  if (c.length !== m) throw new RangeError(`coefficients: expected ${m}`);
  const res = out ?? new Float32Array(n);
  if (res.length !== n) throw new RangeError(`out: expected length ${n}`);
  for (let j = 0; j < n; j++) {
    let acc = f(c[0] * tensors[0][j]);
    for (let i = 1; i < m; i++) acc = f(acc + f(c[i] * tensors[i][j]));
    res[j] = acc;
  }
  return res;
}

export interface RefBatchNorm {
  gamma?: Float32Array | null;
  beta?: Float32Array | null;
  mean: Float32Array;
  var: Float32Array;
  eps?: number;
}

export function foldBatchNorm(weight: Float32Array, bias: Float32Array | null, bn: RefBatchNorm, shape: number[], out?: Float32Array): { weight: Float32Array; bias: Float32Array } {
  const outC = shape[0];
  const inner = outC === 0 ? 0 : weight.length / outC;
  if (shape.reduce((a, b) => a * b, 1) !== weight.length || shape.length < 2) throw new RangeError('shape: does not match weight');
  const eps = f(bn.eps ?? 1e-5);
  const linear = shape.length === 2;
  const w = out ?? new Float32Array(weight.length);
  if (w.length !== weight.length) throw new RangeError(`out: expected length ${weight.length}`);
  const b = new Float32Array(outC);
  for (let o = 0; o < outC; o++) {
    const g = bn.gamma ? bn.gamma[o] : 1;
    const beta = bn.beta ? bn.beta[o] : 0;
    const b0 = bias ? bias[o] : 0;
    const rs = f(1 / f(Math.sqrt(f(bn.var[o] + eps))));
    const s = f(g * rs);
    b[o] = linear ? f(f(f(b0 - bn.mean[o]) * s) + beta) : f(f(f(f(b0 - bn.mean[o]) * rs) * g) + beta);
    for (let j = 0; j < inner; j++) w[o * inner + j] = f(weight[o * inner + j] * s);
  }
  return { weight: w, bias: b };
}
