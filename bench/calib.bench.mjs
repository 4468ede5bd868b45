// Calibration: observer `update` throughput on 4 194 304 floats (16 MiB) for the minmax observer
// and the histogram observers (PyTorch's HistogramObserver binning, ONNX Runtime's entropy
// collector), on Wasm-resident batches (SIMD rows timed in alternation with the 16 MiB copy), the
// SIMD build through the copying API, the scalar build, and plain-JS loops with the same rules.
import { record, time, timePaired } from './harness.mjs';

const N = 1 << 22;

function data() {
  const x = new Float32Array(N);
  let s = 4242;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 + (s >>> 20) / 4096 - 1) * 3; // a triangle-shaped spread
  }
  return x;
}

// Plain-JS baselines: min / max, and torch.histc's bin rule over 2048 bins.
function jsMinmax(x) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) { const v = x[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}
function jsHist(x, counts) {
  const [lo, hi] = jsMinmax(x);
  const f = Math.fround, span = f(hi - lo), nb = counts.length;
  for (let i = 0; i < x.length; i++) {
    let b = Math.trunc(f(f(f(x[i] - lo) * nb) / span));
    if (b === nb) b = nb - 1;
    counts[b]++;
  }
}

export async function run({ simd, scalar, copyMs }) {
  const x = data();
  const ratios = { copy: copyMs };
  const bytes = N * 4;
  // a batch with the same range every time, so every update takes the same path (no re-binning)
  const kinds = [['minmax', 'minmax', {}], ['histogram', 'histogram (torch, 2048 bins)', {}], ['entropy', 'entropy (ONNX Runtime, 128 bins)', {}]];
  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const xw = sq.wasmArray(x);
    for (const [kind, label, opts] of kinds) {
      const o = sq.observer(kind, { dtype: 'uint8', ...opts });
      o.update(xw);
      const t = name === 'simd' ? timePaired(() => o.update(xw)) : time(() => o.update(xw));
      record('calib', `${label} update, resident [${name}]`, t, { bytes, ratios: t.copyMs ? { copy: t.copyMs } : ratios });
      if (name === 'simd') {
        const tc = timePaired(() => o.update(x));
        record('calib', `${label} update, copying API [simd]`, tc, { bytes, ratios: { copy: tc.copyMs } });
      }
      o.dispose();
    }
    xw.dispose();
  }
  const counts = new Float64Array(2048);
  record('calib', 'minmax [plain JS]', time(() => jsMinmax(x)), { bytes, ratios });
  record('calib', 'histogram (torch rule, 2048 bins) [plain JS]', time(() => jsHist(x, counts)), { bytes, ratios });
}
