// searchCompression: the stored size of each candidate against the byte counts of sparq's own
// formats (CSR, sparse int8, N:M, int4 as toOnnx gives it), the budget never exceeded, the Pareto
// front, determinism and bad arguments.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { planLayer, searchCompression, storedBytes } from 'sparq/search';

const t = suite('search: searchCompression');
const sq = await init();

const weight = (rows, cols, seed) => {
  let s = seed >>> 0;
  return Float32Array.from({ length: rows * cols }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; });
};
const layers = [{ name: 'fc1', rows: 48, cols: 64, bias: true }, { name: 'fc2', rows: 32, cols: 48, bias: true }, { name: 'fc3', rows: 10, cols: 32 }];

t('sizes: each format is the byte count of the arrays sparq stores (CSR, sparse int8, N:M, int8, int4)', () => {
  const rows = 48, cols = 64, w = weight(rows, cols, 7);
  for (const s of [0.5, 0.75, 0.9]) {
    const mask = sq.magnitudeMask(w, { amount: s });
    const pruned = sq.applyMask(w, mask);
    const a = sq.csrFromDense(pruned, rows, cols, mask);
    const nnz = a.indices.length;
    assert.is(nnz, rows * cols - Math.round(s * rows * cols));
    // CSR: i32 indptr, u16 column indices (cols <= 65536), f32 values
    const csr = storedBytes('csr', rows, cols, nnz);
    assert.is(csr, a.indptr.byteLength + 2 * nnz + a.data.byteLength);
    const m = sq.sparseMatrix(a);
    assert.ok(m.bytes >= csr && m.bytes < csr + 48, `${m.bytes} vs ${csr} (16-byte alignment only)`);
    const q = sq.sparseInt8Matrix(a);
    const csrq = storedBytes('csr-int8', rows, cols, nnz);
    assert.is(csrq, a.indptr.byteLength + 2 * nnz + nnz + 4 * rows);
    assert.ok(q.bytes >= csrq && q.bytes < csrq + 48);
    m.dispose();
    q.dispose();
    const p = planLayer({ name: 'w', rows, cols, bias: false }, s, null);
    assert.is(p.nnz, nnz);
    assert.is(p.bytes, Math.min(4 * rows * cols, csr));
    assert.is(planLayer({ name: 'w', rows, cols, bias: true }, s, 8).bytes, Math.min(rows * cols + 4 * rows, csrq) + 4 * rows);
  }
  // N:M 2:4: f32 values and 2-bit positions
  const nmMask = sq.nmMask(w, [rows, cols], { n: 2, m: 4 });
  const nm = sq.nmMatrix(sq.applyMask(w, nmMask), rows, cols, { n: 2, m: 4 });
  const nmBytes = storedBytes('nm', rows, cols, rows * cols / 2, { nm: { n: 2, m: 4 } });
  assert.is(nmBytes, 4 * rows * cols / 2 + rows * (cols / 2) * 2 / 8);
  assert.ok(nm.bytes >= nmBytes && nm.bytes < nmBytes + 32);
  nm.dispose();
  const pnm = planLayer({ name: 'w', rows, cols, bias: false }, { n: 2, m: 4 }, null);
  assert.equal([pnm.format, pnm.bytes, pnm.sparsity], ['nm', nmBytes, 0.5]);
  // int4: packedInt4 over W^T (k = cols, n = rows), as ONNX MatMulNBits stores it
  const wt = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) wt[c * rows + r] = w[r * cols + c];
  for (const bs of [32, 64]) {
    const p4 = sq.packedInt4(wt, cols, rows, { blockSize: bs });
    const o = p4.toOnnx();
    assert.is(storedBytes('int4', rows, cols, rows * cols, { int4Block: bs }), o.data.byteLength + o.scales.byteLength);
    assert.is(o.zeroPoints, undefined);
    p4.dispose();
  }
  // int8 per output channel: one byte per weight and one f32 scale per row
  assert.is(storedBytes('dense-int8', rows, cols, rows * cols), rows * cols + 4 * rows);
  assert.is(planLayer({ name: 'w', rows, cols, bias: false }, 0, null).format, 'dense-f32');
  assert.is(planLayer({ name: 'w', rows, cols, bias: false }, 0.5, 8).format, 'dense-int8');
  assert.is(planLayer({ name: 'w', rows, cols, bias: false }, 0.9, 8).format, 'csr-int8');
  assert.is(planLayer({ name: 'w', rows, cols, bias: false }, 0.9, 4).format, 'int4');
});

t('budget: no evaluated candidate is over it; the Pareto front is non-dominated and covers every trial', async () => {
  for (const strategy of ['random', 'bayes', 'grid']) {
    const budget = { ratio: 0.15 };
    let calls = 0;
    const r = await searchCompression(layers, (plan) => {
      calls++;
      assert.ok(plan.bytes <= 0.15 * r0.denseBytes, `${strategy}: ${plan.bytes}`);
      // a smooth stand-in for accuracy: penalise sparsity and low bits, the first layer most
      return plan.layers.reduce((s, l, i) => s - (3 - i) * (l.sparsity ** 2 + (l.bits === 4 ? 0.05 : l.bits === 8 ? 0.01 : 0)), 1);
    }, { budget, strategy, trials: 16, seed: 4 });
    assert.is(calls, r.trials.length);
    assert.is(r.budgetBytes, Math.floor(0.15 * r.denseBytes));
    for (const tr of r.trials) assert.is(tr.config.bytes, tr.config.layers.reduce((s, l) => s + l.bytes, 0));
    const front = r.pareto;
    for (let i = 1; i < front.length; i++) {
      assert.ok(front[i].config.bytes > front[i - 1].config.bytes);
      assert.ok(front[i].value > front[i - 1].value);
    }
    for (const tr of r.trials) {
      const dominated = front.some((f) => f.config.bytes <= tr.config.bytes && f.value >= tr.value);
      assert.ok(dominated, `trial ${tr.index} is covered by the front`);
    }
    assert.ok(front.includes(r.best));
  }
});
const r0 = { denseBytes: 4 * (48 * 64 + 48 + 32 * 48 + 32 + 10 * 32) };

t('bayes beats random at equal trials on a separable stand-in metric (mean over 3 seeds)', async () => {
  const metric = (plan) => plan.layers.reduce((s, l, i) => s - [3, 1, 0.3][i] * (l.sparsity ** 2 + (l.bits === 4 ? 0.08 : l.bits === 8 ? 0.005 : 0)), 1);
  let b = 0, r = 0;
  for (const seed of [1, 2, 3]) {
    b += (await searchCompression(layers, metric, { budget: { ratio: 0.12 }, strategy: 'bayes', trials: 20, seed })).best.value;
    r += (await searchCompression(layers, metric, { budget: { ratio: 0.12 }, strategy: 'random', trials: 20, seed })).best.value;
  }
  assert.ok(b >= r, `bayes ${b / 3}, random ${r / 3}`);
});

t('the same seed gives the same trials; N:M choices and byte budgets; errors on trials kept', async () => {
  const opts = { budget: { bytes: 9000 }, strategy: 'bayes', trials: 10, seed: 8, choices: { sparsity: [0, 0.9], bits: [8, 4], nm: [{ n: 2, m: 4 }] } };
  const f = (plan, ctx) => { if (ctx.trial === 2) throw new Error('eval failed'); return -plan.bytes / 1e4 - plan.layers[0].sparsity; };
  const a = await searchCompression(layers, f, opts);
  const b = await searchCompression(layers, f, opts);
  assert.equal(a.trials, b.trials);
  assert.is(a.trials[2].error.message, 'eval failed');
  assert.ok(!a.pareto.includes(a.trials[2]));
  for (const tr of a.trials) {
    assert.ok(tr.config.bytes <= 9000);
    for (const l of tr.config.layers) assert.ok([8, 4].includes(l.bits) && ([0, 0.9, 0.5].includes(l.sparsity)));
  }
});

t('bad arguments are TypeError / RangeError naming the argument', async () => {
  const ok = { budget: { ratio: 0.5 }, strategy: 'random', trials: 2 };
  const cases = [
    [[null, () => 1, ok], TypeError, 'layers'],
    [[[{ rows: 0, cols: 4 }], () => 1, ok], RangeError, 'layers[0].rows'],
    [[layers, null, ok], TypeError, 'evaluate'],
    [[layers, () => 1, { ...ok, budget: { ratio: 10 } }], RangeError, 'opts.budget.ratio'],
    [[layers, () => 1, { ...ok, budget: { bytes: 10, ratio: 0.1 } }], TypeError, 'opts.budget'],
    [[layers, () => 1, { ...ok, budget: { bytes: 10 } }], RangeError, 'opts.budget'],
    [[layers, () => 1, { ...ok, choices: { sparsity: [1] } }], RangeError, 'opts.choices.sparsity[0]'],
    [[layers, () => 1, { ...ok, choices: { bits: [16] } }], RangeError, 'opts.choices.bits[0]'],
    [[layers, () => 1, { ...ok, choices: { nm: [{ n: 2, m: 5 }] } }], RangeError, 'opts.choices.nm[0]'],
  ];
  for (const [args, E, name] of cases) {
    try {
      await searchCompression(...args);
      assert.unreachable(name);
    } catch (e) {
      assert.instance(e, E, name);
      assert.ok(e.message.startsWith(`${name}:`), `${name}: ${e.message}`);
    }
  }
});

t.run();
