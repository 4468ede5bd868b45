/**
 * Model fusion kernels: the weighted average of several models' weights (checkpoint averaging,
 * model soups) and folding an inference BatchNorm into the Conv / Linear before it, exactly as
 * torch.nn.utils.fusion.fuse_conv_bn_weights / fuse_linear_bn_weights compute it in float32.
 *
 * Every result is a fixed sequence of f32 operations (no FMA), the same in both builds:
 * - average: acc = c[0] * t0[j]; then acc = acc + c[i] * ti[j] for i = 1 .. m - 1 (model order);
 * - BatchNorm: rs = 1 / sqrt(var + eps) (torch's float32 rsqrt on CPU divides 1 by the rounded
 *   square root); the weight scale is gamma * rs; the bias is ((b - mean) * rs) * gamma + beta for a
 *   Conv and (b - mean) * (gamma * rs) + beta for a Linear, the operation order of the two torch
 *   functions.
 * @module
 */

// Loop constants through memory: V8 rematerialises splats inside loops (see prune/shared.ts).
const FC: usize = memory.data(16, 16);

/**
 * out[j] = sum over models i of c[i] * t_i[j], summed in model order (see above). `ptrs` holds m
 * u32 addresses of the tensors, `c` m f32 coefficients; n elements each; m >= 1.
 */
export function fusion_average_f32(ptrs: usize, c: usize, m: i32, n: i32, out: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 16 <= n; j += 16) {
      const o = <usize>j << 2;
      let p = <usize>load<u32>(ptrs) + o;
      v128.store(FC, f32x4.splat(load<f32>(c)));
      let cv = v128.load(FC);
      let a0 = f32x4.mul(cv, v128.load(p)), a1 = f32x4.mul(cv, v128.load(p, 16));
      let a2 = f32x4.mul(cv, v128.load(p, 32)), a3 = f32x4.mul(cv, v128.load(p, 48));
      for (let i = 1; i < m; i++) {
        p = <usize>load<u32>(ptrs + (<usize>i << 2)) + o;
        v128.store(FC, f32x4.splat(load<f32>(c + (<usize>i << 2))));
        cv = v128.load(FC);
        a0 = f32x4.add(a0, f32x4.mul(cv, v128.load(p)));
        a1 = f32x4.add(a1, f32x4.mul(cv, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(cv, v128.load(p, 32)));
        a3 = f32x4.add(a3, f32x4.mul(cv, v128.load(p, 48)));
      }
      v128.store(out + o, a0);
      v128.store(out + o, a1, 16);
      v128.store(out + o, a2, 32);
      v128.store(out + o, a3, 48);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    let acc = load<f32>(c) * load<f32>(<usize>load<u32>(ptrs) + o);
    for (let i = 1; i < m; i++) acc += load<f32>(c + (<usize>i << 2)) * load<f32>(<usize>load<u32>(ptrs + (<usize>i << 2)) + o);
    store<f32>(out + o, acc);
  }
}

/**
 * out[j] = c0 * a[j] + c1 * b[j]: the two-model case of fusion_average_f32 (the same operations),
 * with the coefficients in registers.
 */
export function fusion_average2_f32(a: usize, b: usize, c0: f32, c1: f32, n: i32, out: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(FC, f32x4.splat(c0));
    const v0 = v128.load(FC);
    v128.store(FC, f32x4.splat(c1));
    const v1 = v128.load(FC);
    for (; j + 16 <= n; j += 16) {
      const o = <usize>j << 2;
      const pa = a + o, pb = b + o, po = out + o;
      v128.store(po, f32x4.add(f32x4.mul(v0, v128.load(pa)), f32x4.mul(v1, v128.load(pb))));
      v128.store(po, f32x4.add(f32x4.mul(v0, v128.load(pa, 16)), f32x4.mul(v1, v128.load(pb, 16))), 16);
      v128.store(po, f32x4.add(f32x4.mul(v0, v128.load(pa, 32)), f32x4.mul(v1, v128.load(pb, 32))), 32);
      v128.store(po, f32x4.add(f32x4.mul(v0, v128.load(pa, 48)), f32x4.mul(v1, v128.load(pb, 48))), 48);
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(out + o, c0 * load<f32>(a + o) + c1 * load<f32>(b + o));
  }
}

/**
 * Fold BatchNorm (gamma, beta, mean, var, eps; outC channels) into a weight of outC rows of `inner`
 * elements and its bias. b, gamma, beta may be 0 (absent: zeros, ones, zeros, as torch substitutes
 * them). linear != 0 selects fuse_linear_bn_weights' bias order. Writes outW (outC x inner) and
 * outB (outC). scale is outC f32 of scratch.
 */
export function fusion_fold_bn_f32(w: usize, b: usize, gamma: usize, beta: usize, mean: usize, vr: usize, eps: f32,
  outC: i32, inner: i32, linear: i32, outW: usize, outB: usize, scale: usize): void {
  for (let o = 0; o < outC; o++) {
    const q = <usize>o << 2;
    const rs: f32 = <f32>1 / sqrt<f32>(load<f32>(vr + q) + eps);
    const g: f32 = gamma ? load<f32>(gamma + q) : 1;
    const bt: f32 = beta ? load<f32>(beta + q) : 0;
    const bb: f32 = b ? load<f32>(b + q) : 0;
    const s = g * rs;
    store<f32>(scale + q, s);
    store<f32>(outB + q, linear ? (bb - load<f32>(mean + q)) * s + bt : (bb - load<f32>(mean + q)) * rs * g + bt);
  }
  for (let o = 0; o < outC; o++) {
    const s = load<f32>(scale + (<usize>o << 2));
    const row = <usize>o * <usize>inner << 2;
    scaleRow(w + row, s, inner, outW + row);
  }
}

/** out[j] = x[j] * s for j < n (torch multiplies the weight by the broadcast scale: w * s). */
@inline function scaleRow(x: usize, s: f32, n: i32, out: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    v128.store(FC, f32x4.splat(s));
    const sv = v128.load(FC);
    for (; j + 16 <= n; j += 16) {
      const p = x + (<usize>j << 2), po = out + (<usize>j << 2);
      v128.store(po, f32x4.mul(v128.load(p), sv));
      v128.store(po, f32x4.mul(v128.load(p, 16), sv), 16);
      v128.store(po, f32x4.mul(v128.load(p, 32), sv), 32);
      v128.store(po, f32x4.mul(v128.load(p, 48), sv), 48);
    }
    for (; j + 4 <= n; j += 4) v128.store(out + (<usize>j << 2), f32x4.mul(v128.load(x + (<usize>j << 2)), sv));
  }
  for (; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(x + (<usize>j << 2)) * s);
}
