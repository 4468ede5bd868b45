// Distillation: softmax and distillationLoss on 256 x 32 000 logits (an LLM vocabulary) and on
// 4096 x 10, on Wasm-resident data (SIMD and scalar builds), against a plain-JS loop (Math.exp,
// float64) and a copy of the input (Float32Array.set of the same size) timed in alternation.
import { QUICK, median, record, time } from './harness.mjs';

const SHAPES = [[256, 32000], [4096, 10]];

function logits(n, seed) {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 - 0.5) * 16;
  }
  return x;
}

// Plain-JS baselines: the same definitions in float64 with Math.exp / Math.log.
function jsSoftmax(x, rows, cols, T, out) {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    let z = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp((x[o + j] - m) / T);
      out[o + j] = e;
      z += e;
    }
    const rz = 1 / z;
    for (let j = 0; j < cols; j++) out[o + j] *= rz;
  }
}
function jsDistill(s, t, rows, cols, T, grad, p) {
  let kl = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let ms = -Infinity, mt = -Infinity;
    for (let j = 0; j < cols; j++) {
      if (s[o + j] > ms) ms = s[o + j];
      if (t[o + j] > mt) mt = t[o + j];
    }
    let zs = 0, zt = 0;
    for (let j = 0; j < cols; j++) {
      const a = Math.exp((s[o + j] - ms) / T), b = Math.exp((t[o + j] - mt) / T);
      grad[o + j] = a;
      p[j] = b;
      zs += a;
      zt += b;
    }
    const ls = Math.log(zs), lt = Math.log(zt), c = T / rows;
    for (let j = 0; j < cols; j++) {
      const q = grad[o + j] / zs, pj = p[j] / zt;
      if (pj > 0) kl += pj * ((t[o + j] - mt) / T - lt - ((s[o + j] - ms) / T - ls));
      grad[o + j] = c * (q - pj);
    }
  }
  return (kl / rows) * T * T;
}

/** fn's median and the median of same-size input copies timed around it (copy, fn, copy, ...). */
function pairedWithCopy(fn, n) {
  const src = new Float32Array(n).fill(1.5), dst = new Float32Array(n);
  const opts = { maxTime: QUICK ? 0.2 : 0.6, minSamples: QUICK ? 5 : 10 };
  const rounds = QUICK ? 2 : 4;
  const copies = [time(() => dst.set(src), opts)];
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(time(fn, opts));
    copies.push(time(() => dst.set(src), opts));
  }
  return { ms: median(runs.map((t) => t.ms)), meanMs: median(runs.map((t) => t.meanMs)), rme: Math.max(...runs.map((t) => t.rme)), samples: 0, copyMs: median(copies.map((t) => t.ms)) };
}

export async function run({ simd, scalar }) {
  for (const [rows, cols] of SHAPES) {
    const n = rows * cols, shape = `${rows} x ${cols}`;
    const s = logits(n, 7), t = logits(n, 11);
    const bytes = n * 8; // read f32, write f32
    let copyMs = 0;
    for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
      const sw = sq.wasmArray(s), tw = sq.wasmArray(t), ow = sq.alloc('f32', n);
      const tm = (fn) => (name === 'simd' ? pairedWithCopy(fn, n) : time(fn));
      const sm = tm(() => sq.softmax(sw, rows, cols, undefined, ow));
      if (sm.copyMs) copyMs = sm.copyMs;
      record('distill', `softmax ${shape}, resident [${name}]`, sm, { bytes, ratios: { 'input copy': sm.copyMs ?? copyMs } });
      const ls = tm(() => sq.logSoftmax(sw, rows, cols, { temperature: 2 }, ow));
      record('distill', `logSoftmax T=2 ${shape}, resident [${name}]`, ls, { bytes, ratios: { 'input copy': ls.copyMs ?? copyMs } });
      const kd = tm(() => sq.distillationLoss(sw, tw, rows, cols, { temperature: 4 }, ow));
      record('distill', `distillationLoss T=4 ${shape}, resident [${name}]`, kd, { bytes: n * 12, ratios: { 'input copy': kd.copyMs ?? copyMs } });
      for (const a of [sw, tw, ow]) a.dispose();
    }
    const out = new Float32Array(n), p = new Float64Array(cols);
    record('distill', `softmax ${shape} [plain JS]`, time(() => jsSoftmax(s, rows, cols, 1, out)), { bytes, ratios: { 'input copy': copyMs } });
    record('distill', `distillationLoss T=4 ${shape} [plain JS]`, time(() => jsDistill(s, t, rows, cols, 4, out, p)), { bytes: n * 12, ratios: { 'input copy': copyMs } });
  }
}
