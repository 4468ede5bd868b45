// Half precision on 4 194 304 floats (16 MiB of f32): toFloat16 / fromFloat16 / toBfloat16 /
// fromBfloat16 for the SIMD build (timed in alternation with the 16 MiB copy) and the scalar build
// on Wasm-resident data, the SIMD build through the copying API, and plain-JS bit-manipulation
// baselines with the same rounding; ratios to the copy.
import { record, time, timePaired } from './harness.mjs';

const N = 1 << 22;

function data() {
  const x = new Float32Array(N);
  let s = 24680;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s >>> 8) / 16777216 - 0.5) * 0.2; // weight-like magnitudes, some below 2^-14
  }
  return x;
}

// Plain-JS baselines (round half to even on the bits, NaN quieted as sparq does).
function jsToF16(xb, out) {
  for (let i = 0; i < xb.length; i++) {
    const x = xb[i], a = x & 0x7fffffff, s = (x >>> 16) & 0x8000;
    let h;
    if (a > 0x7f800000) h = 0x7e00 | ((a >>> 13) & 0x3ff);
    else if (a >= 0x477ff000) h = 0x7c00;
    else if (a < 0x38800000) h = roundSub(a);
    else h = (a - 0x38000000 + 0xfff + ((a >>> 13) & 1)) >>> 13;
    out[i] = h | s;
  }
}
const f32b = new Float32Array(1), u32b = new Uint32Array(f32b.buffer);
function roundSub(a) {
  u32b[0] = a;
  f32b[0] = f32b[0] + 0.5;
  return u32b[0] - 0x3f000000;
}
function jsFromF16(h, outBits) {
  for (let i = 0; i < h.length; i++) {
    const v = h[i], a = v & 0x7fff, s = (v & 0x8000) << 16;
    let r;
    if (a >= 0x7c00) r = (a << 13) + 0x70000000;
    else if (a >= 0x400) r = (a << 13) + 0x38000000;
    else { f32b[0] = a * 2 ** -24; r = u32b[0]; }
    outBits[i] = s | r;
  }
}
function jsToBf16(xb, out) {
  for (let i = 0; i < xb.length; i++) {
    const x = xb[i];
    out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
}
function jsFromBf16(h, outBits) {
  for (let i = 0; i < h.length; i++) outBits[i] = h[i] << 16;
}

export async function run({ simd, scalar, copyMs }) {
  const x = data();
  const ratios = { copy: copyMs };
  const res = {};
  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const xw = sq.wasmArray(x), hw = sq.alloc('u16', N), bw = sq.alloc('u16', N), yw = sq.alloc('f32', N);
    sq.toFloat16(xw, hw);
    sq.toBfloat16(xw, bw);
    const tm = name === 'simd' ? timePaired : time;
    const rec = (label, fn, bytes) => { const t = tm(fn); return record('half', label, t, { bytes, ratios: t.copyMs ? { copy: t.copyMs } : ratios }); };
    res[name] = {
      to16: rec(`toFloat16, resident [${name}]`, () => sq.toFloat16(xw, hw), N * 6),
      from16: rec(`fromFloat16, resident [${name}]`, () => sq.fromFloat16(hw, yw), N * 6),
      toB: rec(`toBfloat16, resident [${name}]`, () => sq.toBfloat16(xw, bw), N * 6),
      fromB: rec(`fromBfloat16, resident [${name}]`, () => sq.fromBfloat16(bw, yw), N * 6),
    };
    if (name === 'simd') {
      const h = new Uint16Array(N), y = new Float32Array(N);
      rec('toFloat16, copying API [simd]', () => sq.toFloat16(x, h), N * 6);
      rec('fromFloat16, copying API [simd]', () => sq.fromFloat16(h, y), N * 6);
    }
    for (const a of [xw, hw, bw, yw]) a.dispose();
  }
  const xb = new Uint32Array(x.buffer), h = new Uint16Array(N), yb = new Uint32Array(N);
  jsToF16(xb, h);
  record('half', 'toFloat16 [plain JS]', time(() => jsToF16(xb, h)), { bytes: N * 6, ratios });
  record('half', 'fromFloat16 [plain JS]', time(() => jsFromF16(h, yb)), { bytes: N * 6, ratios });
  record('half', 'toBfloat16 [plain JS]', time(() => jsToBf16(xb, h)), { bytes: N * 6, ratios });
  record('half', 'fromBfloat16 [plain JS]', time(() => jsFromBf16(h, yb)), { bytes: N * 6, ratios });
  console.log(`  SIMD / scalar speedup: toFloat16 ${(res.scalar.to16.ms / res.simd.to16.ms).toFixed(2)}x, toBfloat16 ${(res.scalar.toB.ms / res.simd.toB.ms).toFixed(2)}x`);
}
