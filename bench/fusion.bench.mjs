// Model fusion on 16 MiB tensors (4 194 304 floats): averageWeights of two and of four models and
// foldBatchNorm into a Linear [4096 x 1024] and a Conv [256 x 256 x 8 x 8] weight, for the SIMD
// build (timed in alternation with the 16 MiB copy) and the scalar build on Wasm-resident data,
// and plain-JS loops with the same operations; ratios to the copy.
import { record, time, timePaired } from './harness.mjs';

const N = 1 << 22;
const f = Math.fround;

function tensor(seed) {
  const x = new Float32Array(N);
  let s = seed;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 - 0.5) * 0.1;
  }
  return x;
}

function jsAverage(ts, cs, out) {
  const t0 = ts[0], c0 = cs[0];
  for (let j = 0; j < out.length; j++) out[j] = c0 * t0[j];
  for (let i = 1; i < ts.length; i++) {
    const t = ts[i], c = cs[i];
    for (let j = 0; j < out.length; j++) out[j] = out[j] + f(c * t[j]);
  }
}
function jsFold(w, outC, bn, out) {
  const inner = w.length / outC;
  for (let o = 0; o < outC; o++) {
    const s = f(bn.gamma[o] * f(1 / f(Math.sqrt(f(bn.var[o] + f(1e-5))))));
    for (let j = o * inner, e = j + inner; j < e; j++) out[j] = w[j] * s;
  }
}

export async function run({ simd, scalar, copyMs }) {
  const ts = [tensor(1), tensor(2), tensor(3), tensor(4)];
  const ratios = { copy: copyMs };
  const bnOf = (c) => ({ gamma: tensor(5).subarray(0, c), beta: tensor(6).subarray(0, c), mean: tensor(7).subarray(0, c), var: tensor(8).subarray(0, c).map(Math.abs), eps: 1e-5 });
  const shapes = [['Linear [4096 x 1024]', [4096, 1024]], ['Conv [256 x 256 x 8 x 8]', [256, 256, 8, 8]]];
  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const tw = ts.map((t) => sq.wasmArray(t)), out = sq.alloc('f32', N);
    const tm = name === 'simd' ? timePaired : time;
    const rec = (label, fn, bytes) => { const t = tm(fn); return record('fusion', label, t, { bytes, ratios: t.copyMs ? { copy: t.copyMs } : ratios }); };
    rec(`averageWeights, 2 models, resident [${name}]`, () => sq.averageWeights(tw.slice(0, 2), [0.5, 0.5], out), N * 12);
    rec(`averageWeights, 4 models, resident [${name}]`, () => sq.averageWeights(tw, undefined, out), N * 20);
    for (const [label, shape] of shapes) {
      const bn = bnOf(shape[0]);
      rec(`foldBatchNorm ${label}, resident [${name}]`, () => sq.foldBatchNorm(tw[0], null, bn, shape, out), N * 8);
    }
    for (const a of [...tw, out]) a.dispose();
  }
  const out = new Float32Array(N);
  record('fusion', 'averageWeights, 2 models [plain JS]', time(() => jsAverage(ts.slice(0, 2), [0.5, 0.5], out)), { bytes: N * 12, ratios });
  record('fusion', 'averageWeights, 4 models [plain JS]', time(() => jsAverage(ts, [0.25, 0.25, 0.25, 0.25], out)), { bytes: N * 20, ratios });
  record('fusion', 'foldBatchNorm Linear [4096 x 1024] [plain JS]', time(() => jsFold(ts[0], 4096, bnOf(4096), out)), { bytes: N * 8, ratios });
}
