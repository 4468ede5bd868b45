// The demo's model code: a multilayer perceptron trained and compressed with sparq's kernels only.
// Dense products: gemm (forward X W^T + b, backward with transposes); losses: crossEntropy and
// distillationLoss; pruning: magnitudeMask / applyMask on the cubic sparsitySchedule; fusion:
// averageWeights; the compressed model: sparseLinear over CSR / sparse int8 / N:M matrices,
// int8 dense layers with activations calibrated by an observer, int4 through matmulInt4.
// Weights are [out x in] row-major (as torch.nn.Linear and sparseLinear take them).
import { readFileSync } from 'node:fs';
import { sparsitySchedule } from 'sparq';

/** The UCI digits as shipped in demo/data/digits.bin (see demo/data/README.md). */
export function loadDigits(url = new URL('./data/digits.bin', import.meta.url)) {
  const raw = readFileSync(url);
  const n = raw.length / 66;
  const parts = [[], [], []];
  for (let i = 0; i < n; i++) parts[raw[i * 66 + 65]].push(i);
  const take = (idx) => {
    const x = new Float32Array(idx.length * 64), y = new Int32Array(idx.length);
    idx.forEach((r, i) => {
      for (let j = 0; j < 64; j++) x[i * 64 + j] = raw[r * 66 + j] / 16;
      y[i] = raw[r * 66 + 64];
    });
    return { x, y, n: idx.length };
  };
  return { train: take(parts[0]), val: take(parts[1]), test: take(parts[2]) };
}

/** A small seeded generator (xorshift32 with a Weyl step) for initialisation and shuffling. */
export function rng(seed) {
  let s = (seed >>> 0) || 1, w = 0;
  const u32 = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; w = (w + 0x9e3779b9) >>> 0; return (s + w) >>> 0; };
  return { next: () => u32() / 2 ** 32, u32 };
}

/** A new MLP with Kaiming-uniform weights (bound sqrt(6 / in)) and zero biases. */
export function mlp(sizes, seed) {
  const r = rng(seed);
  const W = [], b = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fin = sizes[l], fout = sizes[l + 1], bound = Math.sqrt(6 / fin);
    W.push(Float32Array.from({ length: fout * fin }, () => (2 * r.next() - 1) * bound));
    b.push(new Float32Array(fout));
  }
  return { sizes: sizes.slice(), W, b };
}

export const cloneModel = (m) => ({ sizes: m.sizes.slice(), W: m.W.map((w) => w.slice()), b: m.b.map((v) => v.slice()) });

/** Forward pass in f32 with gemm; keeps every layer's input and pre-activation for the backward pass. */
export function forward(sq, m, x, batch) {
  const inputs = [x], pre = [];
  let h = x;
  for (let l = 0; l < m.W.length; l++) {
    const fin = m.sizes[l], fout = m.sizes[l + 1];
    const z = sq.gemm(h, m.W[l], batch, fin, fout, { transB: true, c: m.b[l] });
    pre.push(z);
    if (l + 1 < m.W.length) {
      h = z.map((v) => (v > 0 ? v : 0));
      inputs.push(h);
    } else h = z;
  }
  return { logits: h, inputs, pre };
}

/** Gradients of every weight and bias from d loss / d logits. */
function backward(sq, m, cache, g, batch) {
  const dW = [], db = [];
  for (let l = m.W.length - 1; l >= 0; l--) {
    const fin = m.sizes[l], fout = m.sizes[l + 1];
    dW[l] = sq.gemm(g, cache.inputs[l], fout, batch, fin, { transA: true });
    const bias = new Float32Array(fout);
    for (let i = 0; i < batch; i++) for (let j = 0; j < fout; j++) bias[j] += g[i * fout + j];
    db[l] = bias;
    if (l > 0) {
      const dh = sq.matmul(g, m.W[l], batch, fout, fin);
      const z = cache.pre[l - 1];
      for (let i = 0; i < dh.length; i++) if (!(z[i] > 0)) dh[i] = 0;
      g = dh;
    }
  }
  return { dW, db };
}

/** Predicted classes of an f32 model. */
export function predict(sq, m, x, n) {
  return argmax(forward(sq, m, x, n).logits, n, m.sizes[m.sizes.length - 1]);
}

export function argmax(logits, rows, cols) {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (logits[i * cols + j] > logits[i * cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

export const accuracy = (pred, y) => pred.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / y.length;

/**
 * Trains with Adam (lr, betas 0.9 / 0.999, eps 1e-8, weight decay on weights) over shuffled
 * minibatches. Options: `teacher` (a model: distillation with `distill` = { temperature, alpha }),
 * `prune` ({ final, begin, end, frequency } in steps: gradual magnitude pruning of every weight on
 * the cubic schedule, the mask re-applied after each step), `keep` (the number of last epochs whose
 * weights are kept as checkpoints), `onEpoch(epoch, info)`.
 */
export function train(sq, m, data, opts) {
  const { epochs, lr = 2e-3, batch = 64, seed = 1, teacher, distill, prune, keep = 0, weightDecay = 0, onEpoch } = opts;
  const r = rng(seed);
  const n = data.n, fin = m.sizes[0], classes = m.sizes[m.sizes.length - 1];
  const params = [...m.W, ...m.b];
  const mom = params.map((p) => new Float32Array(p.length)), vel = params.map((p) => new Float32Array(p.length));
  const teacherLogits = teacher ? forward(sq, teacher, data.x, n).logits : null;
  const masks = m.W.map(() => null);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const checkpoints = [];
  let step = 0, lastSparsity = -1;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) { const j = r.u32() % (i + 1); const t = order[i]; order[i] = order[j]; order[j] = t; }
    let lossSum = 0;
    for (let s0 = 0; s0 < n; s0 += batch) {
      const B = Math.min(batch, n - s0);
      const x = new Float32Array(B * fin), y = new Int32Array(B);
      const tl = teacherLogits ? new Float32Array(B * classes) : null;
      for (let i = 0; i < B; i++) {
        const k = order[s0 + i];
        x.set(data.x.subarray(k * fin, (k + 1) * fin), i * fin);
        y[i] = data.y[k];
        if (tl) tl.set(teacherLogits.subarray(k * classes, (k + 1) * classes), i * classes);
      }
      const cache = forward(sq, m, x, B);
      const { loss, grad } = tl
        ? sq.distillationLoss(cache.logits, tl, B, classes, { temperature: distill.temperature, alpha: distill.alpha, labels: y })
        : sq.crossEntropy(cache.logits, y, B, classes);
      lossSum += loss * B;
      const { dW, db } = backward(sq, m, cache, grad, B);
      const grads = [...dW, ...db];
      step++;
      const c1 = 1 - 0.9 ** step, c2 = 1 - 0.999 ** step;
      params.forEach((p, pi) => {
        const g = grads[pi], mo = mom[pi], ve = vel[pi], wd = pi < m.W.length ? weightDecay : 0;
        for (let i = 0; i < p.length; i++) {
          const gi = g[i] + wd * p[i];
          mo[i] = 0.9 * mo[i] + 0.1 * gi;
          ve[i] = 0.999 * ve[i] + 0.001 * gi * gi;
          p[i] -= (lr * (mo[i] / c1)) / (Math.sqrt(ve[i] / c2) + 1e-8);
        }
      });
      if (prune) {
        const s = sparsitySchedule(step, prune);
        if (s !== lastSparsity) {
          // a new mask at each step of the schedule, ranked by |w| among the weights kept so far
          for (let l = 0; l < m.W.length; l++) masks[l] = sq.magnitudeMask(m.W[l], { amount: s });
          lastSparsity = s;
        }
        for (let l = 0; l < m.W.length; l++) if (masks[l]) sq.applyMask(m.W[l], masks[l], m.W[l]);
      }
    }
    if (keep && epoch >= epochs - keep) checkpoints.push(cloneModel(m));
    onEpoch?.(epoch, { loss: lossSum / n, step, sparsity: prune ? lastSparsity : 0 });
  }
  return { model: m, checkpoints, masks, steps: step };
}

/** Fuses checkpoints by averaging every weight and bias (averageWeights, uniform coefficients). */
export function fuse(sq, checkpoints) {
  const m = cloneModel(checkpoints[0]);
  for (let l = 0; l < m.W.length; l++) {
    m.W[l] = sq.averageWeights(checkpoints.map((c) => c.W[l]));
    m.b[l] = sq.averageWeights(checkpoints.map((c) => c.b[l]));
  }
  return m;
}

/** Symmetric int8 per row (output channel): scale f32(max|w| / 127) (1 for a zero row), values by sparq's quantize. */
function int8PerRow(sq, w, rows, cols) {
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let mx = 0;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, Math.abs(w[r * cols + c]));
    scale[r] = mx > 0 ? Math.fround(mx / 127) : 1;
  }
  const q = sq.quantize(w, { dtype: 'int8', scale, shape: [rows, cols], axis: 0 });
  return { q, scale };
}

const transpose = (w, rows, cols) => {
  const t = new (w.constructor)(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
};

/**
 * A compressed model from an f32 model and a plan (one { sparsity, nm, bits, format } per layer,
 * the LayerPlan of sparq/search): pruned by magnitude (or N:M), then stored in the plan's format
 * and run with sparq's kernel for it. Dense int8 layers quantize their input with parameters from
 * a minmax observer over `calib` (inputs of the layer as the compressed layers before it give them).
 */
export function compress(sq, m, plan, calib) {
  const layers = [];
  let h = calib ? calib.x : null;
  const nCal = calib ? calib.n : 0;
  for (let l = 0; l < m.W.length; l++) {
    const p = plan[l], rows = m.sizes[l + 1], cols = m.sizes[l];
    let w = m.W[l];
    let mask = null;
    if (p.nm) mask = sq.nmMask(w, [rows, cols], { n: p.nm.n, m: p.nm.m });
    else if (p.sparsity > 0) mask = sq.magnitudeMask(w, { amount: p.sparsity });
    if (mask) w = sq.applyMask(w, mask);
    const L = { format: p.format, rows, cols, bias: m.b[l], w, mask };
    switch (p.format) {
      case 'dense-f32': break;
      case 'csr': L.mat = sq.sparseMatrix(sq.csrFromDense(w, rows, cols, mask)); break;
      case 'nm': L.mat = sq.nmMatrix(w, rows, cols, p.nm); break;
      case 'csr-int8': {
        // int8 per output channel (symmetric, scale max|w| / 127) through sparq's quantize, kept for the ONNX export
        const { q, scale } = int8PerRow(sq, w, rows, cols);
        L.q = q;
        L.scale = scale;
        const a = sq.csrFromDense(w, rows, cols, mask);
        const data = new Int8Array(a.indices.length);
        for (let r = 0; r < rows; r++) for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++) data[p] = q[r * cols + a.indices[p]];
        L.mat = sq.sparseInt8Matrix({ rows, cols, indptr: a.indptr, indices: a.indices, data, scale });
        break;
      }
      case 'dense-int8': {
        const { q, scale } = int8PerRow(sq, w, rows, cols);
        L.q = q;
        L.scale = scale;
        L.packed = sq.packedInt8(transpose(q, rows, cols), cols, rows, { scale });
        const obs = sq.observer('minmax', { dtype: 'uint8' });
        obs.update(h);
        L.xq = obs.qparams();
        obs.dispose();
        L.mult = Float32Array.from(L.packed.scale, (s) => Math.fround(L.xq.scale * s));
        break;
      }
      case 'int4': L.packed4 = sq.packedInt4(transpose(w, rows, cols), cols, rows, { blockSize: 32 }); break;
      default: throw new Error(`unknown format ${p.format}`);
    }
    layers.push(L);
    if (calib && l + 1 < m.W.length) h = relu(runLayer(sq, L, h, nCal));
  }
  return { sizes: m.sizes, layers, run: (x, n) => runModel(sq, layers, x, n), dispose: () => layers.forEach(disposeLayer) };
}

const relu = (z) => { for (let i = 0; i < z.length; i++) if (!(z[i] > 0)) z[i] = 0; return z; };

function disposeLayer(L) {
  L.mat?.dispose();
  L.packed?.dispose();
  L.packed4?.dispose();
}

/** One compressed layer: y = x W^T + b with the layer's kernel. */
function runLayer(sq, L, x, n) {
  switch (L.format) {
    case 'dense-f32': return sq.gemm(x, L.w, n, L.cols, L.rows, { transB: true, c: L.bias });
    case 'csr': case 'nm': case 'csr-int8': return sq.sparseLinear(x, n, L.mat, L.bias);
    case 'int4': return sq.matmulInt4(x, n, L.packed4, L.bias);
    case 'dense-int8': {
      // static activation quantization (uint8, observer range), exact int32 products, then scale and bias
      const xq = sq.quantize(x, L.xq);
      const acc = sq.matmulInteger(xq, L.packed, n, L.cols, L.rows, { aZeroPoint: L.xq.zeroPoint ?? 0 });
      const y = new Float32Array(n * L.rows);
      for (let i = 0; i < n; i++) for (let j = 0; j < L.rows; j++) y[i * L.rows + j] = Math.fround(Math.fround(acc[i * L.rows + j]) * L.mult[j]) + L.bias[j];
      return y;
    }
  }
  throw new Error(`unknown format ${L.format}`);
}

function runModel(sq, layers, x, n) {
  let h = x;
  layers.forEach((L, l) => {
    h = runLayer(sq, L, h, n);
    if (l + 1 < layers.length) relu(h);
  });
  return h;
}

/**
 * The compressed model as an ONNX model (opset 13): f32 layers as MatMul over W^T (pruned zeros
 * kept), int8 layers as DequantizeLinear (per output channel) + MatMul, dense int8 layers with
 * static activations as QuantizeLinear + MatMulInteger + Cast + Mul, int4 layers as com.microsoft
 * MatMulNBits; then Add (bias) and Relu between layers.
 */
export function toOnnxModel(sq, cm) {
  const init = [], node = [];
  const t = (name, dataType, dims, data) => init.push({ name, dataType, dims, data });
  let h = 'x';
  cm.layers.forEach((L, l) => {
    const { rows, cols } = L, p = `l${l}`;
    let y = `${p}_mm`;
    if (L.format === 'dense-f32' || L.format === 'csr' || L.format === 'nm') {
      t(`${p}_w`, 1, [cols, rows], transpose(L.w, rows, cols));
      node.push({ opType: 'MatMul', input: [h, `${p}_w`], output: [y], name: `${p}_matmul` });
    } else if (L.format === 'csr-int8') {
      t(`${p}_wq`, 3, [cols, rows], transpose(L.q, rows, cols));
      t(`${p}_ws`, 1, [rows], L.scale);
      t(`${p}_wz`, 3, [rows], new Int8Array(rows));
      node.push({ opType: 'DequantizeLinear', input: [`${p}_wq`, `${p}_ws`, `${p}_wz`], output: [`${p}_w`], name: `${p}_dequant`, attribute: [{ name: 'axis', type: 2, i: 1 }] });
      node.push({ opType: 'MatMul', input: [h, `${p}_w`], output: [y], name: `${p}_matmul` });
    } else if (L.format === 'dense-int8') {
      t(`${p}_xs`, 1, [], Float32Array.of(L.xq.scale));
      t(`${p}_xz`, 2, [], Uint8Array.of(L.xq.zeroPoint ?? 0));
      t(`${p}_wq`, 3, [cols, rows], transpose(L.q, rows, cols));
      t(`${p}_wz`, 3, [rows], new Int8Array(rows));
      t(`${p}_mult`, 1, [rows], L.mult);
      node.push({ opType: 'QuantizeLinear', input: [h, `${p}_xs`, `${p}_xz`], output: [`${p}_xq`], name: `${p}_quant` });
      node.push({ opType: 'MatMulInteger', input: [`${p}_xq`, `${p}_wq`, `${p}_xz`, `${p}_wz`], output: [`${p}_acc`], name: `${p}_matmulinteger` });
      node.push({ opType: 'Cast', input: [`${p}_acc`], output: [`${p}_accf`], name: `${p}_cast`, attribute: [{ name: 'to', type: 2, i: 1 }] });
      node.push({ opType: 'Mul', input: [`${p}_accf`, `${p}_mult`], output: [y], name: `${p}_scale` });
    } else if (L.format === 'int4') {
      const o = L.packed4.toOnnx();
      t(`${p}_w4`, 2, [rows, Math.ceil(cols / 32), 16], o.data);
      t(`${p}_s4`, 1, [rows * Math.ceil(cols / 32)], o.scales);
      node.push({ opType: 'MatMulNBits', domain: 'com.microsoft', input: [h, `${p}_w4`, `${p}_s4`], output: [y], name: `${p}_matmulnbits`,
        attribute: [{ name: 'K', type: 2, i: cols }, { name: 'N', type: 2, i: rows }, { name: 'bits', type: 2, i: 4 }, { name: 'block_size', type: 2, i: 32 }] });
    }
    t(`${p}_b`, 1, [rows], L.bias);
    const last = l + 1 === cm.layers.length;
    node.push({ opType: 'Add', input: [y, `${p}_b`], output: [last ? 'logits' : `${p}_z`], name: `${p}_bias` });
    if (!last) {
      node.push({ opType: 'Relu', input: [`${p}_z`], output: [`${p}_h`], name: `${p}_relu` });
      h = `${p}_h`;
    }
  });
  const int4 = cm.layers.some((L) => L.format === 'int4');
  return {
    irVersion: 8,
    producerName: 'sparq demo',
    opsetImport: [{ domain: '', version: 13 }, ...(int4 ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: {
      name: 'digits_mlp',
      node: node.map((n) => ({ attribute: [], ...n })),
      initializer: init,
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: cm.sizes[0] }] } } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: cm.sizes[cm.sizes.length - 1] }] } } } }],
    },
  };
}
