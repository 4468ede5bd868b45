// Quantization family: one suite per implementation [ref, scalar, simd], plus cross-build bit
// identity, edge vectors, the zero-copy paths, bad input and memory behaviour.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, randF32, assertBits, throwsLike, EDGE_LENGTHS, SEED } from './_util.js';
import { ref } from 'sparq/ref';

const f = Math.fround;

for (const { name, sq } of IMPLS) {
  const t = suite(`quant [${name}]`);

  t('ties at k + 0.5 round half to even (int8, scale 1)', () => {
    const x = new Float32Array([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5, 126.5, 127.5, -127.5, -128.5, 0.49999997, -0.49999997]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: 1 })), [0, 2, 2, 4, 0, -2, -2, -4, 126, 127, -128, -128, 0, 0]);
  });

  t('ties with a zero point: rounding happens before the zero point is added', () => {
    // ONNX: saturate(round(x / scale) + zp); round(0.5) = 0, then + 3 = 3 (not round(3.5) = 4).
    const x = new Float32Array([0.5, 1.5, -0.5, 2.5]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'uint8', scale: 1, zeroPoint: 3 })), [3, 5, 3, 5]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: 1, zeroPoint: -3 })), [-3, -1, -3, -1]);
  });

  t('saturation, -0, denormals, NaN and +-Inf', () => {
    const x = new Float32Array([1e30, -1e30, 300, -300, -0, 1e-45, -1e-45, 1e-38, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 3e9]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: 1 })), [127, -128, 127, -128, 0, 0, 0, 0, 0, 127, -128, 127, -128, 127]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'uint8', scale: 1, zeroPoint: 100 })), [255, 0, 255, 0, 100, 100, 100, 100, 100, 255, 0, 255, 0, 255]);
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: 1, zeroPoint: -7, rounding: 'torch' })), [127, -128, 127, -128, -7, -7, -7, -7, -7, 127, -128, 127, -128, 127]);
    // a denormal scale: 1e-45 / 1e-45 = 1
    assert.equal(Array.from(sq.quantize(new Float32Array([1e-45, 3e-45, -1e-45]), { dtype: 'int8', scale: 1e-45 })), [1, 2, -1]);
  });

  t('dequantize: (q - zp) * scale, int8 and uint8, extremes', () => {
    const q8 = new Int8Array([-128, -1, 0, 1, 127]);
    assert.equal(Array.from(sq.dequantize(q8, { dtype: 'int8', scale: 0.5, zeroPoint: -128 })), [0, 63.5, 64, 64.5, 127.5]);
    const u8 = new Uint8Array([0, 128, 255]);
    const s = f(0.1);
    assert.equal(Array.from(sq.dequantize(u8, { dtype: 'uint8', scale: 0.1, zeroPoint: 128 })), [f(-128 * s), 0, f(127 * s)]);
  });

  t('per axis (any axis), blocked, with zero points', () => {
    const x = new Float32Array(2 * 3 * 4).map((_, i) => (i - 11) * 0.75);
    const shape = [2, 3, 4];
    // axis 1: scale per middle index
    const p1 = { dtype: 'int8', scale: new Float32Array([0.5, 1, 2]), zeroPoint: new Int32Array([0, 1, -1]), shape, axis: 1 };
    const q1 = sq.quantize(x, p1);
    for (let e = 0; e < x.length; e++) {
      const j = Math.floor(e / 4) % 3;
      assert.is(q1[e], ref.quantizeValue(x[e], p1.scale[j], p1.zeroPoint[j], 'int8', false), `axis 1, element ${e}`);
    }
    // negative axis = last
    const p2 = { dtype: 'uint8', scale: new Float32Array([0.5, 1, 2, 4]), zeroPoint: 128, shape, axis: -1 };
    const q2 = sq.quantize(x, p2);
    for (let e = 0; e < x.length; e++) assert.is(q2[e], ref.quantizeValue(x[e], p2.scale[e % 4], 128, 'uint8', false));
    // blocked along the last axis, block 3 over 4: blocks [0..2], [3]
    const p3 = { dtype: 'int8', scale: new Float32Array(2 * 3 * 2).map((_, i) => 0.25 * (i + 1)), shape, axis: 2, blockSize: 3 };
    const q3 = sq.quantize(x, p3);
    for (let e = 0; e < x.length; e++) {
      const row = Math.floor(e / 4), k = e % 4;
      assert.is(q3[e], ref.quantizeValue(x[e], p3.scale[row * 2 + Math.floor(k / 3)], 0, 'int8', false));
    }
    const d3 = sq.dequantize(q3, p3);
    for (let e = 0; e < x.length; e++) {
      const row = Math.floor(e / 4), k = e % 4;
      assert.is(d3[e], f(q3[e] * p3.scale[row * 2 + Math.floor(k / 3)]));
    }
  });

  t('torch rounding multiplies by the f32 reciprocal; onnx divides', () => {
    // Find values where x / s and x * (1 / s) round to different integers: the modes must differ there.
    const r = rng(SEED ^ 0x77);
    let differ = 0;
    for (let trial = 0; trial < 200; trial++) {
      const s = f(r.uniform(0.001, 0.2));
      const inv = f(1 / s);
      const x = new Float32Array(256);
      for (let i = 0; i < x.length; i++) x[i] = f((r.int(-120, 120) + 0.5) * s); // near ties
      const qo = sq.quantize(x, { dtype: 'int8', scale: s });
      const qt = sq.quantize(x, { dtype: 'int8', scale: s, rounding: 'torch' });
      for (let i = 0; i < x.length; i++) {
        const rne = (v) => { const k = Math.round(v); return k - v === 0.5 && k % 2 ? k - 1 : k; };
        assert.is(qo[i], Math.max(-128, Math.min(127, rne(f(x[i] / s)))));
        assert.is(qt[i], Math.max(-128, Math.min(127, rne(f(x[i] * inv)))));
        if (qo[i] !== qt[i]) differ++;
      }
    }
    assert.ok(differ > 0, 'expected some values where the two roundings differ');
  });

  t('dynamicQuantize: ONNX Runtime parameters; all-zero input has scale 1', () => {
    const r = sq.dynamicQuantize(new Float32Array([-1, 0, 2, 3]));
    assert.is(r.scale, f(4 / 255));
    assert.is(r.zeroPoint, 64);
    assert.equal(Array.from(r.data), [0, 64, 191, 255]);
    const z = sq.dynamicQuantize(new Float32Array(5));
    assert.equal([z.scale, z.zeroPoint, Array.from(z.data)], [1, 0, [0, 0, 0, 0, 0]]);
    const pos = sq.dynamicQuantize(new Float32Array([1, 2, 4])); // range widened to include 0
    // 2 / f32(4 / 255) = 127.49999... in f32, so 127 (not a tie)
    assert.equal([pos.scale, pos.zeroPoint, Array.from(pos.data)], [f(4 / 255), 0, [64, 127, 255]]);
    const neg = sq.dynamicQuantize(new Float32Array([-2, -1]));
    assert.equal([neg.scale, neg.zeroPoint, Array.from(neg.data)], [f(2 / 255), 255, [0, 128]]);
  });

  t('qparams: MinMaxObserver affine / symmetric, qint8 / quint8, reduce_range, eps floor', () => {
    const x = new Float32Array([-1, 0, 2, 3]);
    let p = sq.qparams(x, { dtype: 'uint8' });
    assert.equal([p.scale, p.zeroPoint, p.rounding], [f(4 / 255), 64, 'torch']); // 0 - round(-1 / s) = 64 (63.75)
    p = sq.qparams(x, { dtype: 'int8' });
    assert.equal([p.scale, p.zeroPoint], [f(4 / 255), -64]);
    p = sq.qparams(x, { dtype: 'int8', symmetric: true });
    assert.equal([p.scale, p.zeroPoint], [f(3 / 127.5), 0]);
    p = sq.qparams(x, { dtype: 'uint8', symmetric: true });
    assert.equal([p.scale, p.zeroPoint], [f(3 / 127.5), 128]);
    p = sq.qparams(x, { dtype: 'int8', reduceRange: true });
    assert.equal([p.scale, p.zeroPoint], [f(4 / 127), -64 - Math.round(f(-1 / f(4 / 127)))]);
    p = sq.qparams(x, { dtype: 'uint8', reduceRange: true, symmetric: true });
    assert.equal([p.scale, p.zeroPoint], [f(3 / 63.5), 128]);
    p = sq.qparams(x, { dtype: 'int8', symmetric: true, quantMin: -127, quantMax: 127 });
    assert.equal([p.scale, p.zeroPoint], [f(3 / 127), 0]);
    p = sq.qparams(new Float32Array(4), { dtype: 'int8' }); // all zero: scale = eps, zp = qmin - round(0)
    assert.equal([p.scale, p.zeroPoint], [1.1920928955078125e-7, -128]);
    p = sq.qparams(new Float32Array(4), { dtype: 'int8', symmetric: true });
    assert.equal([p.scale, p.zeroPoint], [1.1920928955078125e-7, 0]);
    // symmetric: -amax lands on -127.5 in exact arithmetic; the f32 scale decides the tie side.
    // amax 3: -3 * f32(1 / f32(3 / 127.5)) = -127.5 exactly -> -128; +amax clamps to 127.
    p = sq.qparams(new Float32Array([-3, 3]), { dtype: 'int8', symmetric: true });
    assert.equal(Array.from(sq.quantize(new Float32Array([-3, 3]), p)), [-128, 127]);
    // amax 2: f32(2 / 127.5) rounds up, so -2 / scale = -127.49999237 -> -127.
    p = sq.qparams(new Float32Array([-2, 2]), { dtype: 'int8', symmetric: true });
    assert.equal(Array.from(sq.quantize(new Float32Array([-2, 2]), p)), [-127, 127]);
  });

  t('qparams per channel (PerChannelMinMaxObserver)', () => {
    const x = new Float32Array([-1, 5, 0.5, 2, -4, 0]); // shape [3, 2]
    const p0 = sq.qparams(x, { dtype: 'int8', shape: [3, 2], axis: 0 });
    const c0 = sq.qparams(new Float32Array([-1, 5]), { dtype: 'int8' });
    const c1 = sq.qparams(new Float32Array([0.5, 2]), { dtype: 'int8' });
    const c2 = sq.qparams(new Float32Array([-4, 0]), { dtype: 'int8' });
    assert.equal(Array.from(p0.scale), [c0.scale, c1.scale, c2.scale]);
    assert.equal(Array.from(p0.zeroPoint), [c0.zeroPoint, c1.zeroPoint, c2.zeroPoint]);
    assert.is(p0.axis, 0);
    const p1 = sq.qparams(x, { dtype: 'uint8', shape: [3, 2], axis: 1, symmetric: true });
    assert.equal(Array.from(p1.scale), [f(4 / 127.5), f(5 / 127.5)]);
    assert.equal(Array.from(p1.zeroPoint), [128, 128]);
  });

  t('quantError', () => {
    const x = new Float32Array([0.1, 0.26, -0.5, 1]);
    const p = { dtype: 'int8', scale: 0.1 };
    const e = sq.quantError(x, sq.quantize(x, p), p);
    const y = sq.dequantize(sq.quantize(x, p), p);
    let se = 0, ss = 0, mx = 0;
    for (let i = 0; i < 4; i++) { se += (x[i] - y[i]) ** 2; ss += x[i] ** 2; mx = Math.max(mx, Math.abs(x[i] - y[i])); }
    assert.is(e.mse, se / 4);
    assert.is(e.maxAbs, mx);
    assert.is(e.sqnrDb, 10 * Math.log10(ss / se));
    assert.is(sq.quantError(new Float32Array([1, 2]), new Int8Array([1, 2]), { dtype: 'int8', scale: 1 }).sqnrDb, Infinity);
  });

  t('seeded random: dequantize(quantize(x)) within scale / 2 inside the range', () => {
    const r = rng(SEED ^ 0x1234);
    for (const n of EDGE_LENGTHS) {
      const x = randF32(r, n, 2);
      const scale = 0.05;
      const q = sq.quantize(x, { dtype: 'int8', scale, zeroPoint: 3 });
      const y = sq.dequantize(q, { dtype: 'int8', scale, zeroPoint: 3 });
      for (let i = 0; i < n; i++) {
        if (q[i] > -128 && q[i] < 127) assert.ok(Math.abs(x[i] - y[i]) <= f(scale) / 2 + 1e-7, `n=${n} i=${i}`);
      }
    }
  });

  t.run();
}

// ---- every build equals the reference to the bit, on seeded random layouts ----
const eq = suite('quant: ref == scalar == simd (bits)');

function randomParams(r, n, shape) {
  const dtype = r.next() < 0.5 ? 'int8' : 'uint8';
  const [qmin, qmax] = dtype === 'int8' ? [-128, 127] : [0, 255];
  const rounding = r.next() < 0.5 ? 'onnx' : 'torch';
  const kind = r.int(0, 2);
  if (kind === 0 || shape.length === 0) return { dtype, scale: f(r.uniform(0.001, 0.1)), zeroPoint: r.int(qmin, qmax), rounding };
  const axis = r.int(0, shape.length - 1);
  if (kind === 1) {
    const D = shape[axis];
    return {
      dtype, shape, axis, rounding,
      scale: new Float32Array(D).map(() => r.uniform(0.001, 0.1)),
      zeroPoint: new Int32Array(D).map(() => r.int(qmin, qmax)),
    };
  }
  const blockSize = r.int(1, Math.max(1, shape[axis] + 1));
  const sshape = shape.slice();
  sshape[axis] = Math.ceil(shape[axis] / blockSize);
  const m = sshape.reduce((a, b) => a * b, 1);
  return {
    dtype, shape, axis, blockSize, rounding,
    scale: new Float32Array(m).map(() => r.uniform(0.001, 0.1)),
    zeroPoint: new Int32Array(m).map(() => r.int(qmin, qmax)),
  };
}

eq('quantize / dequantize over 300 random shapes, granularities and dtypes', () => {
  const r = rng(SEED);
  for (let trial = 0; trial < 300; trial++) {
    const rank = r.int(1, 4);
    const shape = Array.from({ length: rank }, () => r.int(1, rank > 2 ? 7 : 40));
    const n = shape.reduce((a, b) => a * b, 1);
    const x = randF32(r, n, 3);
    if (trial % 7 === 0 && n > 3) { x[0] = NaN; x[1] = Infinity; x[2] = -Infinity; x[3] = -0; }
    const p = randomParams(r, n, shape);
    const qr = ref.quantize(x, p);
    const qs = scalar.quantize(x, p);
    const qv = simd.quantize(x, p);
    const tag = `trial ${trial} shape [${shape}] ${JSON.stringify({ ...p, scale: undefined, zeroPoint: undefined })}`;
    assertBits(assert, qs, qr, `scalar vs ref, ${tag}`);
    assertBits(assert, qv, qr, `simd vs ref, ${tag}`);
    const dr = ref.dequantize(qr, p);
    assertBits(assert, scalar.dequantize(qr, p), dr, `dequantize scalar, ${tag}`);
    assertBits(assert, simd.dequantize(qr, p), dr, `dequantize simd, ${tag}`);
  }
});

eq('NaN, -Inf and values far below the range inside SIMD runs: every quantize loop redoes them exactly', () => {
  // The SIMD loops other than the ONNX bracket clamp with pmax(MARK, v) (MARK = -16384), which also
  // maps a NaN to MARK, and redo a run whose lanes came out at or below MARK + 255 with the exact
  // loop (NaN -> zp). This puts such lanes in the SIMD part of every loop that does this.
  const r = rng(SEED ^ 0x6a11);
  const specials = [NaN, -NaN, -Infinity, Infinity, -1e30];
  for (let trial = 0; trial < 60; trial++) {
    // short runs, and runs across several 4096-element chunks (each chunk is checked on its own)
    const [rows, cols] = trial < 40 ? [8, 96] : [3, 5000 + trial];
    const dtype = trial % 2 ? 'int8' : 'uint8';
    const [qmin, qmax] = dtype === 'int8' ? [-128, 127] : [0, 255];
    const kind = trial % 5;
    const s = kind === 1 ? f(1.5 * 2 ** -110) : f(r.uniform(0.01, 0.1)); // 2^-110: the ONNX path that divides
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < x.length; i++) x[i] = f(r.normal() * 60 * s);
    // values whose quotient lies around the mark, then a few specials
    for (let k = 0; k < 6; k++) x[r.int(0, x.length - 1)] = f((-16384 + r.int(-300, 300) + 0.5) * s);
    if (trial % 4 !== 3) {
      for (let k = 0; k < 3; k++) x[r.int(0, x.length - 1)] = specials[r.int(0, specials.length - 1)];
      x[r.int(0, x.length - 1)] = NaN;
    }
    if (trial >= 40) for (const at of [4095, 4096, 8191, 12300]) if (r.next() < 0.5 && at < x.length) x[at] = NaN; // at chunk edges
    const rounding = trial % 3 ? 'torch' : 'onnx';
    let p;
    if (kind <= 1) p = { dtype, scale: s, zeroPoint: r.int(qmin, qmax), rounding };
    else if (kind === 2) p = { dtype, rounding, shape: [rows, cols], axis: 1, scale: new Float32Array(cols).map(() => r.uniform(0.01, 0.1)), zeroPoint: new Int32Array(cols).map(() => r.int(qmin, qmax)) };
    else {
      const blockSize = kind === 3 ? 32 : 6; // blocks of >= 16 share one loop; smaller ones are runs
      const nb = Math.ceil(cols / blockSize);
      p = { dtype, rounding, shape: [rows, cols], axis: 1, blockSize, scale: new Float32Array(rows * nb).map(() => r.uniform(0.01, 0.1)), zeroPoint: new Int32Array(rows * nb).map(() => r.int(qmin, qmax)) };
    }
    const qr = ref.quantize(x, p);
    const tag = `trial ${trial} kind ${kind} ${dtype} ${rounding}`;
    assertBits(assert, simd.quantize(x, p), qr, `simd, ${tag}`);
    assertBits(assert, scalar.quantize(x, p), qr, `scalar, ${tag}`);
    if (trial % 4 !== 3 && kind === 0) assert.ok(qr.some((v, i) => Number.isNaN(x[i]) && v === p.zeroPoint), `a NaN maps to zp, ${tag}`);
  }
});

eq('quantize near ties (+-3 ulps), scales from 2^-110 to 2^110, NaN / Inf among them: simd == scalar == ref', () => {
  // The SIMD build multiplies by a bracket of reciprocals and redoes disagreeing blocks by division;
  // this pins the blocks it must not get wrong.
  const r = rng(SEED ^ 0x5ca1e);
  const nudge = (v, k) => {
    const b = new Float32Array([v]); const u = new Int32Array(b.buffer);
    u[0] += k; return b[0];
  };
  for (let trial = 0; trial < 120; trial++) {
    const e = trial < 12 ? [-110, -101, -100, -99, 99, 100, 101, 110, -126, 126, 0, -20][trial] : r.int(-110, 110);
    const s = f(r.uniform(1, 2) * 2 ** e);
    if (!(s > 0 && Number.isFinite(s))) continue;
    const dtype = trial % 2 ? 'int8' : 'uint8';
    const zeroPoint = dtype === 'int8' ? r.int(-128, 127) : r.int(0, 255);
    const x = new Float32Array(1024 + (trial % 17));
    for (let i = 0; i < x.length; i++) {
      const t = f((r.int(-300, 300) + 0.5) * s);
      x[i] = r.next() < 0.7 ? nudge(t, r.int(-3, 3)) : f(r.normal() * 200 * s);
      if (r.next() < 0.003) x[i] = [NaN, Infinity, -Infinity, -0][r.int(0, 3)];
    }
    const p = { dtype, scale: s, zeroPoint };
    const qr = ref.quantize(x, p);
    assertBits(assert, scalar.quantize(x, p), qr, `scalar, trial ${trial} scale ${s} ${dtype} zp ${zeroPoint}`);
    assertBits(assert, simd.quantize(x, p), qr, `simd, trial ${trial} scale ${s} ${dtype} zp ${zeroPoint}`);
  }
});

eq('quantize / dequantize through the streamed copying path (n > 65536): every layout the chunking handles', () => {
  const r = rng(SEED ^ 0x57e);
  const layouts = [
    { shape: [65536 * 2 + 333] },                               // per tensor
    { shape: [300, 500], axis: 1 },                             // per axis, whole rows a chunk
    { shape: [70001, 2], axis: 0 },                             // per axis, outer = 1
    { shape: [3, 50000], axis: 1, blockSize: 7 },               // blocked, rows
    { shape: [150000], axis: 0, blockSize: 32 },                // blocked, outer = 1
    { shape: [2, 70000], axis: 0 },                             // one row longer than a chunk
  ];
  for (const L of layouts) {
    const n = L.shape.reduce((a, b) => a * b, 1);
    const x = randF32(r, n, 3);
    for (const [dtype, rounding] of [['int8', 'onnx'], ['uint8', 'torch']]) {
      let p;
      if (L.axis === undefined) p = { dtype, scale: 0.02, zeroPoint: dtype === 'int8' ? -3 : 130, rounding };
      else {
        const sshape = L.shape.slice();
        if (L.blockSize) sshape[L.axis] = Math.ceil(L.shape[L.axis] / L.blockSize);
        const m = L.blockSize ? sshape.reduce((a, b) => a * b, 1) : L.shape[L.axis];
        p = {
          dtype, rounding, shape: L.shape, axis: L.axis, blockSize: L.blockSize,
          scale: new Float32Array(m).map(() => r.uniform(0.005, 0.05)),
          zeroPoint: new Int32Array(m).map(() => (dtype === 'int8' ? r.int(-128, 127) : r.int(0, 255))),
        };
      }
      const qr = ref.quantize(x, p), dr = ref.dequantize(qr, p);
      const tag = `shape [${L.shape}] axis ${L.axis} block ${L.blockSize} ${dtype} ${rounding}`;
      for (const [name, sq] of [['scalar', scalar], ['simd', simd]]) {
        assertBits(assert, sq.quantize(x, p), qr, `${name} quantize ${tag}`);
        assertBits(assert, sq.dequantize(qr, p), dr, `${name} dequantize ${tag}`);
      }
    }
  }
});

eq('dynamicQuantize through the streamed copying path (n > 65536): same bits, NaN / Inf found in any chunk', () => {
  const r = rng(SEED ^ 0xd1a);
  const n = 65536 * 2 + 77;
  const x = randF32(r, n, 2);
  x[n - 5] = 9.5; // the maximum in the last partial chunk
  const a = ref.dynamicQuantize(x);
  for (const [name, sq] of [['scalar', scalar], ['simd', simd]]) {
    const b = sq.dynamicQuantize(x);
    assert.equal([b.scale, b.zeroPoint], [a.scale, a.zeroPoint], name);
    assertBits(assert, b.data, a.data, `dynamicQuantize ${name} n=${n}`);
    const out = new Uint8Array(n);
    assert.is(sq.dynamicQuantize(x, out).data, out);
    assertBits(assert, out, a.data, `dynamicQuantize ${name} into out`);
    for (const [bad, what] of [[NaN, /NaN/], [-Infinity, /Infinity/]]) {
      const y = x.slice();
      y[n - 1] = bad;
      throwsLike(assert, () => sq.dynamicQuantize(y), RangeError, what);
    }
  }
});

eq('the range (min(0, min x), max(0, max x)) from integer maxima: signs, zeros, denormals, NaN of either sign anywhere', () => {
  const r = rng(SEED ^ 0x4a9);
  const negNaN = new Float32Array(new Uint32Array([0xffc00001]).buffer)[0];
  const cases = [];
  for (const n of [1, 15, 16, 17, 33, 64, 70]) {
    cases.push(new Float32Array(n).map(() => -r.uniform(0.1, 5)));      // all negative
    cases.push(new Float32Array(n).map(() => r.uniform(0.1, 5)));       // all positive
    cases.push(new Float32Array(n).fill(-0));                           // only -0
    cases.push(new Float32Array(n).map(() => (r.next() < 0.5 ? -1 : 1) * 1e-42)); // denormals
    const m = randF32(r, n, 3);
    m[r.int(0, n - 1)] = -7.25; m[r.int(0, n - 1)] = 9.5;
    cases.push(m);
  }
  for (const x of cases) {
    const a = ref.qparams(x, { dtype: 'uint8' }), d = ref.dynamicQuantize(x);
    for (const [name, sq] of [['scalar', scalar], ['simd', simd]]) {
      assert.equal(sq.qparams(x, { dtype: 'uint8' }), a, `${name} qparams n=${x.length} x[0]=${x[0]}`);
      const e = sq.dynamicQuantize(x);
      assert.equal([e.scale, e.zeroPoint], [d.scale, d.zeroPoint], `${name} dynamicQuantize n=${x.length}`);
      assertBits(assert, e.data, d.data, `${name} dynamicQuantize data n=${x.length}`);
    }
  }
  for (const n of [1, 16, 17, 40]) {
    for (const bad of [NaN, negNaN, Infinity, -Infinity]) {
      for (const at of new Set([0, n >> 1, n - 1])) {
        const x = randF32(r, n, 2);
        x[at] = bad;
        for (const sq of [scalar, simd]) {
          throwsLike(assert, () => sq.dynamicQuantize(x), RangeError, Number.isNaN(bad) ? /NaN/ : /Infinity/);
          throwsLike(assert, () => sq.qparams(x, { dtype: 'int8' }), RangeError, Number.isNaN(bad) ? /NaN/ : /Infinity/);
        }
      }
    }
  }
});

eq('dynamicQuantize, qparams and quantError on random data of every edge length', () => {
  const r = rng(SEED + 1);
  for (const n of [...EDGE_LENGTHS, 1000, 4099]) {
    if (n === 0) continue;
    const x = randF32(r, n, r.uniform(0.01, 10));
    const a = ref.dynamicQuantize(x), b = scalar.dynamicQuantize(x), c = simd.dynamicQuantize(x);
    assert.equal([b.scale, b.zeroPoint], [a.scale, a.zeroPoint]);
    assert.equal([c.scale, c.zeroPoint], [a.scale, a.zeroPoint]);
    assertBits(assert, b.data, a.data, `dynamicQuantize scalar n=${n}`);
    assertBits(assert, c.data, a.data, `dynamicQuantize simd n=${n}`);
    for (const o of [{ dtype: 'int8' }, { dtype: 'uint8', symmetric: true }, { dtype: 'int8', reduceRange: true }]) {
      const pr = ref.qparams(x, o);
      assert.equal(scalar.qparams(x, o), pr);
      assert.equal(simd.qparams(x, o), pr);
      assert.equal(simd.quantError(x, simd.quantize(x, pr), pr), ref.quantError(x, ref.quantize(x, pr), pr));
      assert.equal(scalar.quantError(x, scalar.quantize(x, pr), pr), ref.quantError(x, ref.quantize(x, pr), pr));
    }
    if (n % 5 === 0) {
      for (const axis of [0, 1]) {
        const o = { dtype: 'int8', shape: [5, n / 5], axis };
        const pr = ref.qparams(x, o);
        assert.equal(simd.qparams(x, o), pr);
        assert.equal(scalar.qparams(x, o), pr);
      }
    }
  }
});
eq.run();

// ---- the Wasm-only surface: zero-copy arrays, out, views, bad input, memory ----
for (const sq of [scalar, simd]) {
  const w = suite(`quant API [${sq.simd ? 'simd' : 'scalar'}]`);

  w('subarray views with any byteOffset; inputs are never modified', () => {
    const r = rng(SEED + 2);
    const big = randF32(r, 100, 2);
    const before = big.slice();
    for (const off of [0, 1, 3, 5]) {
      const x = big.subarray(off, off + 37);
      const p = { dtype: 'int8', scale: 0.03 };
      assertBits(assert, sq.quantize(x, p), ref.quantize(x.slice(), p), `offset ${off}`);
      const q = new Int8Array(64).subarray(off, off + 37);
      q.set(ref.quantize(x.slice(), p));
      assertBits(assert, sq.dequantize(q, p), ref.dequantize(q.slice(), p), `dequantize offset ${off}`);
    }
    assertBits(assert, big, before, 'input unchanged');
  });

  w('out arguments: typed arrays and Wasm-resident arrays, no copy', () => {
    const x = new Float32Array([0.1, -0.2, 0.3, 5, -5]);
    const p = { dtype: 'int8', scale: 0.1 };
    const want = ref.quantize(x, p);
    const out = new Int8Array(5);
    assert.is(sq.quantize(x, p, out), out);
    assertBits(assert, out, want, 'typed out');
    const xw = sq.wasmArray(x);
    const ow = sq.alloc('i8', 5);
    assert.is(sq.quantize(xw, p, ow), ow);
    assertBits(assert, ow.view, want, 'wasm out');
    const dw = sq.alloc('f32', 5);
    assert.is(sq.dequantize(ow, p, dw), dw);
    assertBits(assert, dw.view, ref.dequantize(want, p), 'wasm dequantize');
    const dyn = sq.dynamicQuantize(xw);
    assertBits(assert, dyn.data, ref.dynamicQuantize(x).data, 'dynamic from wasm');
    for (const a of [xw, ow, dw]) a.dispose();
    assert.ok(xw.disposed);
    throwsLike(assert, () => sq.quantize(xw, p), TypeError, /x: .*disposed/);
  });

  w('no stale view after memory grows', () => {
    const keep = sq.wasmArray(new Float32Array([1.5, -2.5, 3.25]));
    const before = sq.memoryBytes;
    const big = sq.alloc('f32', (sq.memoryBytes >> 2) + (1 << 20)); // more than all of memory now: it must grow
    assert.ok(sq.memoryBytes > before, 'memory grew');
    assert.equal(Array.from(keep.view), [1.5, -2.5, 3.25]);
    assert.equal(Array.from(sq.quantize(keep, { dtype: 'int8', scale: 0.25 })), [6, -10, 13]);
    big.dispose();
    keep.dispose();
  });

  w('100 000 calls leave the memory size unchanged', () => {
    const x = new Float32Array(64).map((_, i) => i / 7);
    const p = { dtype: 'uint8', scale: 0.05, zeroPoint: 10 };
    const pc = { dtype: 'int8', scale: new Float32Array([0.1, 0.2]), shape: [2, 32], axis: 0 };
    for (let i = 0; i < 100; i++) sq.quantize(x, p);
    const before = sq.memoryBytes;
    for (let i = 0; i < 25000; i++) {
      const q = sq.quantize(x, p);
      sq.dequantize(q, p);
      sq.quantize(x, pc);
      sq.dynamicQuantize(x);
    }
    assert.is(sq.memoryBytes, before);
  });

  w('bad input: TypeError / RangeError naming the argument', () => {
    const x = new Float32Array(6);
    throwsLike(assert, () => sq.quantize([1, 2], { dtype: 'int8', scale: 1 }), TypeError, /^x: expected Float32Array/);
    throwsLike(assert, () => sq.quantize(new Float64Array(2), { dtype: 'int8', scale: 1 }), TypeError, /^x: expected Float32Array.*Float64Array/);
    throwsLike(assert, () => sq.quantize(x), TypeError, /^p: expected an options object/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int4', scale: 1 }), TypeError, /^p\.dtype: expected 'int8' or 'uint8'/);
    for (const s of [0, -1, NaN, Infinity, 1e-46, 1e39]) throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s }), RangeError, /^p\.scale: expected a finite scale > 0/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: '1' }), TypeError, /^p\.scale: expected a number or a Float32Array/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: 1, zeroPoint: 128 }), RangeError, /^p\.zeroPoint: expected an integer in \[-128, 127\]/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'uint8', scale: 1, zeroPoint: -1 }), RangeError, /^p\.zeroPoint: expected an integer in \[0, 255\]/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'uint8', scale: 1, zeroPoint: 1.5 }), RangeError, /^p\.zeroPoint/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: 1, rounding: 'floor' }), TypeError, /^p\.rounding/);
    const s3 = new Float32Array([1, 1, 1]);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, axis: 0 }), TypeError, /^p\.shape: required/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2] }), TypeError, /^p\.axis: required/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [4, 2], axis: 0 }), RangeError, /^p\.shape: \[4, 2\] holds 8 elements, but the data has 6/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2], axis: 2 }), RangeError, /^p\.axis: expected an integer in \[-2, 1\]/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2], axis: 1 }), RangeError, /^p\.scale: expected 2 scales/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: new Float32Array([1, 0, 1]), shape: [3, 2], axis: 0 }), RangeError, /^p\.scale\[1\]/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2], axis: 0, zeroPoint: new Int32Array(2) }), RangeError, /^p\.zeroPoint: expected 3 zero points/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2], axis: 0, blockSize: 0 }), RangeError, /^p\.blockSize/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: s3, shape: [3, 2], axis: 0, blockSize: 2 }), RangeError, /^p\.scale: expected 4 scales/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: 1 }, new Int8Array(5)), RangeError, /^out: expected length 6/);
    throwsLike(assert, () => sq.quantize(x, { dtype: 'int8', scale: 1 }, new Uint8Array(6)), TypeError, /^out: expected Int8Array/);
    throwsLike(assert, () => sq.dequantize(new Uint8Array(2), { dtype: 'int8', scale: 1 }), TypeError, /^q: expected Int8Array/);
    throwsLike(assert, () => sq.dynamicQuantize(new Float32Array([1, NaN])), RangeError, /^x: .*NaN/);
    throwsLike(assert, () => sq.dynamicQuantize(new Float32Array([1, Infinity])), RangeError, /^x: .*Infinity/);
    throwsLike(assert, () => sq.qparams(x, { dtype: 'int8', axis: 0 }), TypeError, /^opts\.shape: required/);
    throwsLike(assert, () => sq.qparams(new Float32Array(0), { dtype: 'int8' }), RangeError, /^x: an observer needs/);
    throwsLike(assert, () => sq.qparams(x, { dtype: 'int8', quantMin: -127 }), TypeError, /^opts\.quantMin/);
    throwsLike(assert, () => sq.quantError(x, new Int8Array(5), { dtype: 'int8', scale: 1 }), RangeError, /^q: expected 6 elements/);
    const other = simd === sq ? scalar : simd;
    const foreign = other.alloc('f32', 6);
    throwsLike(assert, () => sq.quantize(foreign, { dtype: 'int8', scale: 1 }), TypeError, /^x: this WasmArray belongs to another sparq instance/);
    foreign.dispose();
    throwsLike(assert, () => sq.alloc('f16', 3), TypeError, /^dtype/);
    throwsLike(assert, () => sq.alloc('f32', -1), RangeError, /^length/);
  });

  w('large inputs (the SIMD min / max path): NaN, Inf and overflowing sums', () => {
    const r = rng(SEED + 9);
    const x = randF32(r, 10007, 3);
    for (const at of [0, 4095, 5000, 10000, 10006]) {
      const y = x.slice();
      y[at] = NaN;
      throwsLike(assert, () => sq.dynamicQuantize(y), RangeError, /^x: .*NaN/);
      y[at] = -Infinity;
      throwsLike(assert, () => sq.dynamicQuantize(y), RangeError, /^x: .*Infinity/);
    }
    // finite values whose sums overflow f32: the exact path gives the same parameters
    const big = x.map((v) => v * 1e37); // |v| up to ~1.5e38: finite, but sums of four overflow
    const o = { dtype: 'int8' };
    // a range wider than the largest f32 is a RangeError (no scale represents it)
    const wide = x.map((v) => v * 2e37); // |v| up to ~3e38: finite, but max - min overflows
    throwsLike(assert, () => sq.qparams(wide, o), RangeError, /^x: its range .* is wider than the largest float32/);
    throwsLike(assert, () => sq.dynamicQuantize(wide), RangeError, /^x: its range .* is wider than the largest float32/);
    assert.equal(sq.qparams(big, o), ref.qparams(big, o));
    const d = sq.dynamicQuantize(big), e = ref.dynamicQuantize(big);
    assert.equal([d.scale, d.zeroPoint], [e.scale, e.zeroPoint]);
    assertBits(assert, d.data, e.data, 'dynamicQuantize of huge values');
  });

  w('a failed call frees its scratch', () => {
    const x = new Float32Array(1000);
    sq.quantize(x, { dtype: 'int8', scale: 1 });
    const before = sq.memoryBytes;
    for (let i = 0; i < 2000; i++) {
      try { sq.quantize(x, { dtype: 'int8', scale: 1, zeroPoint: 999 }); } catch { /* expected */ }
      try { sq.quantize(x, { dtype: 'int8', scale: new Float32Array(3), shape: [10, 100], axis: 0 }); } catch { /* expected */ }
    }
    assert.is(sq.memoryBytes, before);
  });

  w.run();
}
