// Every method that takes an `out`, swept over the ways its arrays can share memory:
// - `out` overlapping an input inside one ordinary buffer (same start, out ahead, out behind), at
//   sizes on both sides of the streaming chunk (65 536 elements);
// - the same WasmArray passed as an input and as `out`;
// - inputs passed as views of sparq's own memory while the call grows memory (every allocation of
//   the instance grows memory first, which detaches the caller's views, as on a full heap).
// In each case the result must equal the one a separate, fresh `out` receives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { assertBits, rng, randF32 } from './_util.js';

const r = rng(0xa11a5);
const f32 = (n, s = 1) => randF32(r, n, s);
const i8 = (n) => Int8Array.from({ length: n }, () => r.int(-128, 127));
const u8 = (n) => Uint8Array.from({ length: n }, () => r.int(0, 255));
const bits = (n) => Uint8Array.from({ length: n }, () => (r.next() < 0.5 ? 1 : 0));
const sparseDense = (rows, cols, keep = 0.3) => f32(rows * cols).map((v) => (r.next() < keep ? v : 0));
const nm24 = (rows, cols) => {
  const w = f32(rows * cols);
  for (let g = 0; g < w.length; g += 4) { w[g + 1] = 0; w[g + 3] = 0; }
  return w;
};

/**
 * The cases: `inputs` are the typed arrays a call reads (each can be moved into shared memory),
 * `call(sq, ins, out, handle)` makes the call, `out` is [constructor, length]; `prep(sq, ins)`,
 * where given, makes the resident handle (a packed matrix) the call uses, before the call.
 */
function cases() {
  const C = [];
  const add = (name, inputs, out, call, prep) => C.push({ name, inputs, out, call, prep });
  for (const n of [1000, 65536 + 37]) {
    add(`quantize per tensor n=${n}`, [f32(n)], [Int8Array, n], (sq, [x], o) => sq.quantize(x, { dtype: 'int8', scale: 0.02, zeroPoint: 3 }, o));
    const ch = n % 8 === 0 ? 8 : n;
    add(`quantize per axis (torch) n=${n}`, [f32(n), Float32Array.from({ length: ch }, (_, j) => 0.01 + (j % 7) * 0.003)], [Uint8Array, n], (sq, [x, s], o) =>
      sq.quantize(x, { dtype: 'uint8', scale: s, zeroPoint: 128, axis: 1, shape: [n / ch, ch], rounding: 'torch' }, o));
    add(`dequantize n=${n}`, [i8(n)], [Float32Array, n], (sq, [q], o) => sq.dequantize(q, { dtype: 'int8', scale: 0.5, zeroPoint: -3 }, o));
    add(`dynamicQuantize n=${n}`, [f32(n)], [Uint8Array, n], (sq, [x], o) => sq.dynamicQuantize(x, o).data);
  }
  {
    const d = sparseDense(300, 300);
    add('spmv csr (indices, data, x)', [d, f32(300)], [Float32Array, 300], (sq, [w, x], o) => {
      const c = sq.csrFromDense(w, 300, 300);
      return sq.spmv(c, x, o);
    });
  }
  {
    const c0 = { rows: 3, cols: 3, indptr: new Int32Array([0, 2, 3, 5]), indices: new Int32Array([0, 2, 1, 0, 2]), data: new Float32Array([1.5, -2, 3, 0.25, 4]) };
    add('spmv raw csr arrays overlapped by out', [c0.indptr, c0.indices, c0.data, f32(3)], [Float32Array, 3], (sq, [p, i, d, x], o) =>
      sq.spmv({ rows: 3, cols: 3, indptr: p, indices: i, data: d }, x, o));
  }
  add('spmm csr', [sparseDense(64, 64), f32(64 * 5)], [Float32Array, 64 * 5], (sq, [w, x], o, A) => sq.spmm(A, x, 5, o), (sq, [w, x]) => sq.sparseMatrix(sq.csrFromDense(w, 64, 64)));
  add('spmm N:M', [nm24(64, 64), f32(64 * 5)], [Float32Array, 64 * 5], (sq, [w, x], o, A) => sq.spmm(A, x, 5, o), (sq, [w, x]) => sq.nmMatrix(w, 64, 64, { n: 2, m: 4 }));
  add('spmv N:M', [nm24(64, 64), f32(64)], [Float32Array, 64], (sq, [w, x], o, A) => sq.spmv(A, x, o), (sq, [w, x]) => sq.nmMatrix(w, 64, 64, { n: 2, m: 4 }));
  add('spmm BSR', [sparseDense(64, 64, 0.05), f32(64 * 3)], [Float32Array, 64 * 3], (sq, [w, x], o, A) => sq.spmm(A, x, 3, o), (sq, [w, x]) => sq.bsrMatrix(w, 64, 64, { block: [4, 4] }));
  for (const batch of [1, 3]) {
    add(`sparseLinear batch ${batch}`, [f32(batch * 48), sparseDense(48, 48), f32(48)], [Float32Array, batch * 48], (sq, [x, w, b], o, A) => sq.sparseLinear(x, batch, A, b, o), (sq, [x, w, b]) => sq.sparseMatrix(sq.csrFromDense(w, 48, 48)));
  }
  add('matmul k > 256', [f32(3 * 300), f32(300 * 300)], [Float32Array, 3 * 300], (sq, [a, b], o) => sq.matmul(a, b, 3, 300, 300, o));
  add('matmul square', [f32(40 * 40), f32(40 * 40)], [Float32Array, 40 * 40], (sq, [a, b], o) => sq.matmul(a, b, 40, 40, 40, o));
  add('matmulInteger', [i8(16 * 40), i8(40 * 24)], [Int32Array, 16 * 24], (sq, [a, b], o) => sq.matmulInteger(a, b, 16, 40, 24, { aZeroPoint: 2 }, o));
  add('qlinearMatmul', [i8(16 * 40), i8(40 * 40)], [Int8Array, 16 * 40], (sq, [a, b], o) =>
    sq.qlinearMatmul(a, b, 16, 40, 40, { aScale: 0.1, bScale: 0.05, yScale: 0.5 }, o));
  add('quantizedLinear', [f32(4 * 64), f32(64 * 64), f32(64)], [Float32Array, 4 * 64], (sq, [x, w, b], o, P) => sq.quantizedLinear(x, 4, P, b, o), (sq, [x, w, b]) => sq.packedInt8(w, 64, 64));
  add('matmulInt4', [f32(3 * 64), f32(64 * 64), f32(64)], [Float32Array, 3 * 64], (sq, [x, w, b], o, P) => sq.matmulInt4(x, 3, P, b, o), (sq, [x, w, b]) => sq.packedInt4(w, 64, 64));
  add('magnitudeMask with prior', [f32(5000), bits(5000)], [Uint8Array, 5000], (sq, [w, p], o) => sq.magnitudeMask(w, { amount: 0.4 }, { prior: p }, o));
  add('thresholdMask', [f32(5000)], [Uint8Array, 5000], (sq, [w], o) => sq.thresholdMask(w, 0.5, o));
  add('structuredMask', [f32(40 * 30)], [Uint8Array, 40 * 30], (sq, [w], o) => sq.structuredMask(w, [40, 30], { amount: 0.3, n: 2, dim: 0 }, o));
  add('nmMask', [f32(64 * 32)], [Uint8Array, 64 * 32], (sq, [w], o) => sq.nmMask(w, [64, 32], { n: 2, m: 4 }, o));
  add('blockMask', [f32(64 * 32)], [Uint8Array, 64 * 32], (sq, [w], o) => sq.blockMask(w, [64, 32], { amount: 0.5, block: [4, 4] }, o));
  add('taylorScores', [f32(5000), f32(5000)], [Float32Array, 5000], (sq, [w, g], o) => sq.taylorScores(w, g, o));
  add('obdScores', [f32(5000), f32(5000)], [Float32Array, 5000], (sq, [w, h], o) => sq.obdScores(w, h, o));
  add('applyMask', [f32(70000), bits(70000)], [Float32Array, 70000], (sq, [w, m], o) => sq.applyMask(w, m, o));
  add('packMask', [bits(5003)], [Uint8Array, Math.ceil(5003 / 8)], (sq, [m], o) => sq.packMask(m, o));
  add('unpackMask', [u8(700)], [Uint8Array, 5600], (sq, [b], o) => sq.unpackMask(b, 5600, o));
  add('softmax', [f32(64 * 40)], [Float32Array, 64 * 40], (sq, [x], o) => sq.softmax(x, 64, 40, { temperature: 2 }, o));
  add('logSoftmax', [f32(64 * 40)], [Float32Array, 64 * 40], (sq, [x], o) => sq.logSoftmax(x, 64, 40, { temperature: 3 }, o));
  add('distillationLoss grad', [f32(32 * 20), f32(32 * 20), Int32Array.from({ length: 32 }, (_, i) => i % 20)], [Float32Array, 32 * 20],
    (sq, [s, t, l], o) => sq.distillationLoss(s, t, 32, 20, { temperature: 4, alpha: 0.7, labels: l }, o).grad);
  add('crossEntropy grad', [f32(32 * 20), Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 20)], [Float32Array, 32 * 20],
    (sq, [x, l], o) => sq.crossEntropy(x, l, 32, 20, {}, o).grad);
  add('mseLoss grad', [f32(3000), f32(3000)], [Float32Array, 3000], (sq, [a, b], o) => sq.mseLoss(a, b, { reduction: 'sum' }, o).grad);
  add('toFloat16', [f32(5000)], [Uint16Array, 5000], (sq, [x], o) => sq.toFloat16(x, o));
  add('toBfloat16', [f32(5000)], [Uint16Array, 5000], (sq, [x], o) => sq.toBfloat16(x, o));
  add('fromFloat16', [Uint16Array.from({ length: 5000 }, () => r.int(0, 65535))], [Float32Array, 5000], (sq, [h], o) => sq.fromFloat16(h, o));
  add('fromBfloat16', [Uint16Array.from({ length: 5000 }, () => r.int(0, 65535))], [Float32Array, 5000], (sq, [h], o) => sq.fromBfloat16(h, o));
  add('averageWeights', [f32(5000), f32(5000), f32(5000)], [Float32Array, 5000], (sq, [a, b, c], o) => sq.averageWeights([a, b, c], [0.5, 0.25, 0.25], o));
  add('foldBatchNorm weight', [f32(8 * 4 * 9), f32(8), f32(8), f32(8), f32(8), f32(8).map(Math.abs)], [Float32Array, 8 * 4 * 9],
    (sq, [w, b, g, be, m, v], o) => sq.foldBatchNorm(w, b, { gamma: g, beta: be, mean: m, var: v, eps: 1e-5 }, [8, 4, 3, 3], o).weight);
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    add(`gemm transA ${ta} transB ${tb}`, [f32(24 * 24), f32(24 * 24), f32(24 * 24)], [Float32Array, 24 * 24],
      (sq, [a, b, c], o) => sq.gemm(a, b, 24, 24, 24, { transA: ta, transB: tb, alpha: 0.5, beta: 2, c }, o));
  }
  return C;
}

/** Run case c on sq with inputs ins and out o (its handle made first, disposed after). */
function run(sq, c, ins, o) {
  const h = c.prep ? c.prep(sq, ins) : undefined;
  try {
    return c.call(sq, ins, o, h);
  } finally {
    h?.dispose();
  }
}

/** Make every allocation of `sq` grow memory first, as a call on a full heap would. */
function growOnEveryAlloc(sq) {
  const rt = sq.rt;
  const alloc = rt.alloc.bind(rt);
  rt.alloc = (bytes) => {
    rt.memory.grow(1);
    return alloc(bytes);
  };
}

const CASES = cases();
const copyOf = (a) => a.slice();

for (const build of ['simd', 'scalar']) {
  const sq = await init({ simd: build === 'simd' });
  const t = suite(`aliasing [${build}]`);

  t('out overlapping an input in one buffer: same start, out ahead, out behind', () => {
    for (const c of CASES) {
      const [Out, n] = c.out;
      const want = run(sq, c, c.inputs.map(copyOf), new Out(n));
      for (let i = 0; i < c.inputs.length; i++) {
        const x = c.inputs[i];
        for (const shift of [0, 16, -16]) {
          const inAt = shift < 0 ? -shift : 0, outAt = shift > 0 ? shift : 0;
          const buf = new ArrayBuffer(Math.max(inAt + x.byteLength, outAt + n * Out.BYTES_PER_ELEMENT) + 16);
          const xin = new x.constructor(buf, inAt, x.length);
          xin.set(x);
          const out = new Out(buf, outAt, n);
          const ins = c.inputs.map((v, j) => (j === i ? xin : copyOf(v)));
          const got = run(sq, c, ins, out);
          assert.ok(got === out, `${c.name}: returns out`);
          assertBits(assert, out, want, `${c.name}, input ${i} shift ${shift}`);
        }
      }
    }
  });

  t('the same WasmArray as an input and as out', () => {
    let tried = 0;
    for (const c of CASES) {
      const [Out, n] = c.out;
      const want = run(sq, c, c.inputs.map(copyOf), new Out(n));
      for (let i = 0; i < c.inputs.length; i++) {
        const x = c.inputs[i];
        if (x.constructor !== Out || x.length !== n) continue;
        tried++;
        const w = sq.wasmArray(x);
        const ins = c.inputs.map((v, j) => (j === i ? w : copyOf(v)));
        const got = run(sq, c, ins, w);
        assert.ok(got === w, `${c.name}: returns out`);
        assertBits(assert, w.view, want, `${c.name}, input ${i} is out`);
        w.dispose();
      }
    }
    assert.ok(tried >= 12, `${tried} cases have an input of out's type and length`);
  });

  t('inputs that view sparq memory, while the call grows memory', async () => {
    let grew = 0;
    for (const c of CASES) {
      const [Out, n] = c.out;
      const want = run(sq, c, c.inputs.map(copyOf), new Out(n));
      const fresh = await init({ simd: build === 'simd' });
      const h = c.prep ? c.prep(fresh, c.inputs.map(copyOf)) : undefined;
      const held = c.inputs.map((v) => fresh.wasmArray(v));
      growOnEveryAlloc(fresh);
      const before = fresh.memoryBytes;
      const got = c.call(fresh, held.map((a) => a.view), new Out(n), h);
      h?.dispose();
      if (fresh.memoryBytes > before) grew++;
      assertBits(assert, got, want, c.name);
      for (const h of held) h.dispose();
    }
    assert.ok(grew === CASES.length, `memory grew during ${grew} of ${CASES.length} calls`);
  });

  t.run();
}
