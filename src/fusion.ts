/**
 * Model fusion: the weighted average of same-shaped weights from several models (checkpoint
 * averaging, model soups) and folding an inference BatchNorm into the Conv / Linear before it
 * (torch.nn.utils.fusion.fuse_conv_bn_weights / fuse_linear_bn_weights, float32, the same bits).
 * @module
 */
import { checkFinite, checkObject, checkShape } from './runtime/check.js';
import { type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';

type F32 = Float32Array | WasmArray<'f32'>;

/** The inference BatchNorm to fold: per output channel parameters, torch's names in brackets. */
export interface BatchNormParams {
  /** Scale (bn.weight); default ones. */
  gamma?: F32 | null;
  /** Shift (bn.bias); default zeros. */
  beta?: F32 | null;
  /** bn.running_mean. */
  mean: F32;
  /** bn.running_var. */
  var: F32;
  /** bn.eps, rounded to f32 as torch adds it to a float32 tensor; default 1e-5. */
  eps?: number;
}

/** The folded weight (the shape of the input weight) and bias (one per output channel). */
export interface FoldedBatchNorm<W = Float32Array | WasmArray<'f32'>> {
  weight: W;
  bias: Float32Array;
}


/**
 * out[j] = c[0] * t0[j] + c[1] * t1[j] + ... summed in model order: acc = c[0] * t0[j], then
 * acc = acc + c[i] * ti[j] (f32, no FMA). Coefficients are rounded to f32; without them every
 * coefficient is f32(1 / m).
 */
export function averageWeights(rt: Runtime, tensors: unknown, coefficients?: unknown, out?: unknown): F32 {
  if (!Array.isArray(tensors)) throw new TypeError(`tensors: expected an array of Float32Array or WasmArray<f32>, got ${typeName(tensors)}`);
  const m = tensors.length;
  if (m === 0) throw new RangeError('tensors: expected at least one tensor, got an empty array');
  let coef: number[];
  if (coefficients === undefined || coefficients === null) {
    coef = new Array<number>(m).fill(Math.fround(1 / m));
  } else {
    if (!Array.isArray(coefficients) && !(coefficients instanceof Float32Array) && !(coefficients instanceof Float64Array)) {
      throw new TypeError(`coefficients: expected an array of numbers, got ${typeName(coefficients)}`);
    }
    const cs = Array.from(coefficients as ArrayLike<unknown>);
    if (cs.length !== m) throw new RangeError(`coefficients: expected ${m} (one per tensor), got ${cs.length}`);
    coef = cs.map((c, i) => Math.fround(checkFinite(`coefficients[${i}]`, c)));
  }
  const slots: Slot[] = [];
  let ps: Slot | undefined, cs: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    for (let i = 0; i < m; i++) {
      const s = rt.input(`tensors[${i}]`, tensors[i], ['f32'] as const);
      slots.push(s);
      if (s.length !== slots[0].length) throw new RangeError(`tensors[${i}]: expected length ${slots[0].length} (that of tensors[0]), got ${s.length}`);
    }
    const n = slots[0].length;
    o = rt.output('out', out, 'f32', n);
    if (m === 2) {
      rt.exports.fusion_average2_f32(slots[0].ptr, slots[1].ptr, coef[0], coef[1], n, o.ptr);
    } else {
      ps = rt.scratchFrom('u32', slots.map((s) => s.ptr));
      cs = rt.scratchFrom('f32', coef);
      rt.exports.fusion_average_f32(ps.ptr, cs.ptr, m, n, o.ptr);
    }
    return rt.finish('f32', o) as F32;
  } finally {
    rt.release(...slots, ps, cs, o);
  }
}

/**
 * Fold an inference BatchNorm into the Conv (shape [outC, inC / groups, ...kernel], rank >= 3)
 * or Linear ([out, in]) weight before it, and its bias (null: none). `out` receives the weight.
 */
export function foldBatchNorm(rt: Runtime, weight: unknown, bias: unknown, bn: unknown, shape: unknown, out?: unknown): FoldedBatchNorm {
  const p = checkObject<BatchNormParams>('bn', bn);
  const eps = p.eps === undefined ? 1e-5 : checkFinite('bn.eps', p.eps);
  if (!(eps >= 0)) throw new RangeError(`bn.eps: expected a number >= 0, got ${eps}`);
  let ws: Slot | undefined, bs: Slot | undefined, gs: Slot | undefined, betas: Slot | undefined, ms: Slot | undefined, vs: Slot | undefined;
  let scale = 0, ob = 0, o: ReturnType<Runtime['output']> | undefined;
  try {
    ws = rt.input('weight', weight, ['f32'] as const);
    const dims = checkShape('shape', shape, ws.length);
    if (dims.length < 2) throw new RangeError(`shape: expected [out, in] (Linear) or [outC, inC / groups, ...kernel] (Conv), got [${dims.join(', ')}]`);
    const outC = dims[0];
    const inner = outC === 0 ? 0 : ws.length / outC;
    const channel = (name: string, v: unknown): Slot => {
      const s = rt.input(name, v, ['f32'] as const);
      if (s.length !== outC) {
        rt.release(s);
        throw new RangeError(`${name}: expected ${outC} values (one per output channel, shape[0]), got ${s.length}`);
      }
      return s;
    };
    if (bias !== null && bias !== undefined) bs = channel('bias', bias);
    ms = channel('bn.mean', p.mean);
    vs = channel('bn.var', p.var);
    if (p.gamma !== null && p.gamma !== undefined) gs = channel('bn.gamma', p.gamma);
    if (p.beta !== null && p.beta !== undefined) betas = channel('bn.beta', p.beta);
    o = rt.output('out', out, 'f32', ws.length);
    scale = rt.alloc(outC * 4);
    ob = rt.alloc(outC * 4);
    rt.exports.fusion_fold_bn_f32(ws.ptr, bs?.ptr ?? 0, gs?.ptr ?? 0, betas?.ptr ?? 0, ms.ptr, vs.ptr, eps, outC, inner, dims.length === 2 ? 1 : 0, o.ptr, ob, scale);
    const b = rt.view('f32', ob, outC).slice();
    return { weight: rt.finish('f32', o) as F32, bias: b };
  } finally {
    rt.release(ws, bs, gs, betas, ms, vs, o);
    rt.free(scale);
    rt.free(ob);
  }
}
