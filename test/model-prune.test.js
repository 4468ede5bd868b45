// pruneOnnx and compressionReport: the masks of sparq's kernels applied along the right axes of
// MatMul / Gemm / Conv weights, the pruned models run in onnxruntime, and the report's figures
// checked against values computed here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readOnnx, writeOnnx, pruneOnnx, quantizeOnnx, compressionReport } from 'sparq/model';
import { fixture, ortNode, run, cosine } from './_model.js';

const t = suite('model: pruneOnnx / compressionReport');
const init = (m, name) => m.graph.initializer.find((x) => x.name === name);
const zeros = (a) => a.reduce((s, v) => s + (v === 0 ? 1 : 0), 0);

t('magnitude: the amount smallest |w| of each weight are zero, the rest unchanged; the model runs', async () => {
  const { bytes, input } = fixture('convnet');
  const m = readOnnx(bytes);
  const p = await pruneOnnx(m, { method: 'magnitude', amount: 0.5 });
  for (const name of ['c1.weight', 'c2.weight', 'fc.weight']) {
    const w = init(m, name).data, q = init(p, name).data;
    assert.is(zeros(q), Math.round(w.length / 2), name);
    const cut = Array.from(w, Math.abs).sort((a, b) => a - b)[Math.round(w.length / 2) - 1];
    for (let i = 0; i < w.length; i++) assert.ok(q[i] === 0 ? Math.abs(w[i]) <= cut : q[i] === w[i]);
  }
  assert.is(init(p, 'c1.bias'), init(m, 'c1.bias'), 'biases untouched');
  const y = await run(ortNode, writeOnnx(p), { x: { shape: input.shape, data: input.data } });
  assert.equal(y.y.dims, [2, 10]);
});

t('nm 2:4 along the input dimension: MatMul [K, N] by columns, Gemm transB [N, K] by rows', async () => {
  const e = readOnnx(fixture('encoder').bytes);
  const pe = await pruneOnnx(e, { method: 'nm', n: 2, m: 4 });
  const mm = e.graph.node.find((n) => n.opType === 'MatMul' && init(e, n.input[1]));
  const w = init(pe, mm.input[1]);
  const [K, N] = w.dims;
  for (let j = 0; j < N; j++) for (let k = 0; k < K; k += 4) {
    let kept = 0;
    for (let i = 0; i < 4; i++) kept += w.data[(k + i) * N + j] !== 0 ? 1 : 0;
    assert.is(kept, 2);
  }
  const m = readOnnx(fixture('mlp').bytes);
  const pm = await pruneOnnx(m, { method: 'nm', n: 2, m: 4 });
  const g = init(pm, 'fc1.weight');
  for (let r = 0; r < 128; r++) for (let k = 0; k < 64; k += 4) assert.is(zeros(g.data.subarray(r * 64 + k, r * 64 + k + 4)), 2);
});

t('structured: whole output channels; global: one threshold over all weights', async () => {
  const m = readOnnx(fixture('mlp').bytes);
  const s = await pruneOnnx(m, { method: 'structured', amount: 0.25, nodes: ['Gemm'] });
  const w = init(s, 'fc2.weight').data;
  let rows = 0;
  for (let r = 0; r < 128; r++) if (zeros(w.subarray(r * 128, r * 128 + 128)) === 128) rows++;
  assert.is(rows, 32);
  const g = await pruneOnnx(m, { method: 'global', amount: 0.3 });
  const all = ['fc1.weight', 'fc2.weight', 'fc3.weight'];
  const total = all.reduce((a, n) => a + init(m, n).data.length, 0);
  assert.is(all.reduce((a, n) => a + zeros(init(g, n).data), 0), Math.round(0.3 * total));
  let err;
  try { await pruneOnnx(m, { method: 'nm', n: 3, m: 2 }); } catch (e) { err = e; }
  assert.ok(err instanceof RangeError && /options.n \/ options.m/.test(err.message), String(err));
  err = undefined;
  try { await pruneOnnx(m, { method: 'magnitude', amount: 2 }); } catch (e) { err = e; }
  assert.ok(err instanceof RangeError && /options.amount: expected a fraction in \[0, 1\], got 2/.test(err.message), String(err));
});

t('compressionReport: bytes, sparsity and SQNR per weight, file sizes raw and gzipped', async () => {
  const m = readOnnx(fixture('encoder').bytes);
  const p = await pruneOnnx(m, { method: 'magnitude', amount: 0.5 });
  const q = await quantizeOnnx(p, { mode: 'int4', blockSize: 32 });
  const r = await compressionReport(m, q);
  assert.is(r.weights.length, 6);
  for (const w of r.weights) {
    assert.is(w.dtypeAfter, 'INT4 (MatMulNBits)');
    assert.is(w.bytesBefore, w.shape[0] * w.shape[1] * 4);
    const blocks = w.shape[1] * Math.ceil(w.shape[0] / 32);
    assert.is(w.bytesAfter, blocks * 16 + blocks * 4 + w.shape[1] * Math.ceil(Math.ceil(w.shape[0] / 32) / 2));
    assert.ok(w.sparsity >= 0.4, `${w.name} ${w.sparsity}`);
    assert.ok(w.sqnrDb > 5 && w.sqnrDb < 30, `${w.name} ${w.sqnrDb}`);
  }
  assert.is(r.file.rawBefore, writeOnnx(m).length);
  assert.is(r.file.rawAfter, writeOnnx(q).length);
  assert.ok(r.file.gzipAfter < r.file.rawAfter && r.file.gzipBefore < r.file.rawBefore);
  // dynamic-int8 of a Gemm with transB: the SQNR is that of the int8 weight (transposed back), about 48 dB
  const mlp = readOnnx(fixture('mlp').bytes);
  const r8 = await compressionReport(mlp, await quantizeOnnx(mlp, { mode: 'dynamic-int8' }));
  for (const w of r8.weights) assert.ok(w.sqnrDb > 40 && w.dtypeAfter === 'INT8', `${w.name} ${w.sqnrDb} ${w.dtypeAfter}`);
  const same = await compressionReport(mlp, mlp);
  for (const w of same.weights) assert.ok(w.sqnrDb === Infinity && w.bytesAfter === w.bytesBefore);
  // pruned then weight-int8 still runs, close to the pruned float model
  const x = fixture('encoder').input;
  const a = await run(ortNode, writeOnnx(p), { x: { shape: x.shape, data: x.data } });
  const b = await run(ortNode, writeOnnx(await quantizeOnnx(p, { mode: 'weight-int8' })), { x: { shape: x.shape, data: x.data } });
  assert.ok(cosine(a.y.data, b.y.data) > 0.999);
});

t.run();
