// Quantization: quantize, dequantize and dynamicQuantize on 4 194 304 floats, per tensor and per
// channel (1024 x 4096, axis 0), for the SIMD build and the scalar build on Wasm-resident data,
// the SIMD build through the copying convenience API, and a plain-JS loop; ratios to a 16 MiB copy.
import { record, time, timePaired } from './harness.mjs';

const N = 1 << 22;
const ROWS = 1024, COLS = 4096;

function data() {
  const x = new Float32Array(N);
  let s = 12345;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 - 0.5) * 8;
  }
  return x;
}

// Plain-JS baselines with the same semantics (round half to even, saturate).
function jsQuantize(x, scale, zp, out) {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] / scale;
    let r = Math.round(v);
    if (r - v === 0.5 && (r & 1) !== 0) r -= 1;
    r += zp;
    out[i] = r < -128 ? -128 : r > 127 ? 127 : r;
  }
}
function jsQuantizeRows(x, scales, out) {
  for (let r = 0; r < ROWS; r++) {
    const s = scales[r];
    for (let c = 0, i = r * COLS; c < COLS; c++, i++) {
      const v = x[i] / s;
      let q = Math.round(v);
      if (q - v === 0.5 && (q & 1) !== 0) q -= 1;
      out[i] = q < -128 ? -128 : q > 127 ? 127 : q;
    }
  }
}
function jsDequantize(q, scale, zp, out) {
  for (let i = 0; i < q.length; i++) out[i] = (q[i] - zp) * scale;
}
function jsDynamic(x, out) {
  let mn = 0, mx = 0;
  for (let i = 0; i < x.length; i++) { const v = x[i]; if (v < mn) mn = v; if (v > mx) mx = v; }
  const scale = Math.fround((mx - mn) / 255);
  const zp = Math.max(0, Math.min(255, Math.round(-mn / scale)));
  for (let i = 0; i < x.length; i++) {
    const v = x[i] / scale;
    let r = Math.round(v);
    if (r - v === 0.5 && (r & 1) !== 0) r -= 1;
    r += zp;
    out[i] = r < 0 ? 0 : r > 255 ? 255 : r;
  }
  return { scale, zp };
}

export async function run({ simd, scalar, copyMs }) {
  const x = data();
  const ratios = { copy: copyMs };
  const bytesQ = N * 5; // read f32, write i8
  const perTensor = { dtype: 'int8', scale: 0.03, zeroPoint: 0 };
  const scales = new Float32Array(ROWS).map((_, i) => 0.01 + i * 1e-5);
  const perChannel = { dtype: 'int8', scale: scales, shape: [ROWS, COLS], axis: 0 };
  const blocked = { dtype: 'int8', scale: new Float32Array(N / 32).map((_, i) => 0.01 + (i % 97) * 1e-4), shape: [ROWS, COLS], axis: 1, blockSize: 32 };

  const res = {};
  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const xw = sq.wasmArray(x);
    const qw = sq.alloc('i8', N);
    const yw = sq.alloc('f32', N);
    const dq = sq.alloc('u8', N);
    // the SIMD rows (the ones with targets) against copies timed around each of them
    const tm = name === 'simd' ? timePaired : time;
    const rat = (t) => (t.copyMs ? { copy: t.copyMs } : ratios);
    const rec = (label, fn, bytes) => { const t = tm(fn); return record('quant', label, t, { bytes, ratios: rat(t) }); };
    res[name] = {
      q: rec(`quantize per tensor, resident [${name}]`, () => sq.quantize(xw, perTensor, qw), bytesQ),
      qt: rec(`quantize per tensor, rounding 'torch', resident [${name}]`, () => sq.quantize(xw, { ...perTensor, rounding: 'torch' }, qw), bytesQ),
      qc: rec(`quantize per channel, resident [${name}]`, () => sq.quantize(xw, perChannel, qw), bytesQ),
      d: rec(`dequantize per tensor, resident [${name}]`, () => sq.dequantize(qw, perTensor, yw), bytesQ),
      dc: rec(`dequantize per channel, resident [${name}]`, () => sq.dequantize(qw, perChannel, yw), bytesQ),
      dyn: rec(`dynamicQuantize, resident [${name}]`, () => sq.dynamicQuantize(xw, dq), N * 9),
    };
    // blocked (ONNX opset 21), blocks of 32 along the last axis: 131072 scales
    record('quant', `quantize blocked (32, last axis), resident [${name}]`, time(() => sq.quantize(xw, blocked, qw)), { bytes: bytesQ, ratios });
    record('quant', `dequantize blocked (32, last axis), resident [${name}]`, time(() => sq.dequantize(qw, blocked, yw)), { bytes: bytesQ, ratios });
    if (name === 'simd') {
      const q8 = new Int8Array(N), y = new Float32Array(N);
      rec('quantize per tensor, copying API [simd]', () => sq.quantize(x, perTensor, q8), bytesQ);
      rec("quantize per tensor, rounding 'torch', copying API [simd]", () => sq.quantize(x, { ...perTensor, rounding: 'torch' }, q8), bytesQ);
      rec('quantize per channel, copying API [simd]', () => sq.quantize(x, perChannel, q8), bytesQ);
      rec('dequantize per tensor, copying API [simd]', () => sq.dequantize(q8, perTensor, y), bytesQ);
      const u8c = new Uint8Array(N); // an out array, as the quantize rows pass one
      rec('dynamicQuantize, copying API [simd]', () => sq.dynamicQuantize(x, u8c), N * 9);
    }
    for (const a of [xw, qw, yw, dq]) a.dispose();
  }
  const q8 = new Int8Array(N), y = new Float32Array(N), u8 = new Uint8Array(N);
  record('quant', 'quantize per tensor [plain JS]', time(() => jsQuantize(x, 0.03, 0, q8)), { bytes: bytesQ, ratios });
  record('quant', 'quantize per channel [plain JS]', time(() => jsQuantizeRows(x, scales, q8)), { bytes: bytesQ, ratios });
  record('quant', 'dequantize per tensor [plain JS]', time(() => jsDequantize(q8, 0.03, 0, y)), { bytes: bytesQ, ratios });
  record('quant', 'dynamicQuantize [plain JS]', time(() => jsDynamic(x, u8)), { bytes: N * 9, ratios });
  console.log(`  SIMD / scalar speedup: quantize ${(res.scalar.q.ms / res.simd.q.ms).toFixed(2)}x, dequantize ${(res.scalar.d.ms / res.simd.d.ms).toFixed(2)}x, dynamicQuantize ${(res.scalar.dyn.ms / res.simd.dyn.ms).toFixed(2)}x`);
}
