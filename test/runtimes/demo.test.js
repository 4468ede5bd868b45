// The demo's steps (demo/pipeline.mjs) on the real digits data, with fewer search trials and seeds
// than npm run demo: a regression in gemm, the losses, the masks, averageWeights, the int8 / int4 /
// sparse kernels or the search shows up as an accuracy below what these steps reach; the exported
// ONNX model must give sparq's classes in onnxruntime-node (so this suite runs in Node only).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { planLayer } from 'sparq/search';
import { createRequire } from 'node:module';
import { writeOnnx } from 'sparq/model';
import { compress, loadDigits, predict, accuracy, argmax, toOnnxModel } from '../../demo/mlp.mjs';
import { STUDENT, TEACHER, compressionSearch, layersOf, shifted, measure, trainStudent, trainTeacher, uniformPlan } from '../../demo/pipeline.mjs';

const t = suite('demo: the pipeline on a small budget');
const sq = await init();
const d = loadDigits();
const state = {};

t('data: 1797 images split 1167 / 180 / 450, pixels in [0, 1], every class in every part', () => {
  assert.equal([d.train.n, d.val.n, d.test.n], [1167, 180, 450]);
  for (const part of [d.train, d.val, d.test]) {
    assert.ok(part.x.every((v) => v >= 0 && v <= 1));
    assert.equal([...new Set(part.y)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
});

t('teacher: 30 epochs of gemm forward / backward reach >= 97% test accuracy', () => {
  state.teacher = trainTeacher(sq, d, { epochs: 30 });
  assert.ok(state.teacher.test >= 0.97, `teacher ${state.teacher.test}`);
});

t('students 64-128-10: gradual pruning to exactly 90%, fused checkpoints; distilled ahead of plain on the same shifted images and labels', () => {
  const aug = shifted(d.train);
  assert.is(aug.n, 5 * d.train.n);
  // a shift right by one pixel: column 0 is zero, column c is column c - 1 of the original
  const k = 3 * d.train.n;
  for (let r = 0; r < 8; r++) {
    assert.is(aug.x[k * 64 + r * 8], 0);
    for (let c = 1; c < 8; c++) assert.is(aug.x[k * 64 + r * 8 + c], d.train.x[r * 8 + c - 1]);
  }
  const distilled = trainStudent(sq, d, aug, { teacher: state.teacher.model, epochs: 30 });
  const plain = trainStudent(sq, d, aug, { epochs: 30 });
  for (const s of [distilled, plain]) {
    for (const w of s.model.W) assert.is(w.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0), w.length - Math.round(0.9 * w.length));
  }
  assert.ok(distilled.fused >= 0.965, `distilled ${distilled.fused}`);
  assert.ok(plain.fused >= 0.93, `plain ${plain.fused}`);
  assert.ok(distilled.fused > plain.fused + 0.01, `distilled ${distilled.fused}, plain ${plain.fused}`);
  state.student = distilled;
});

t('int8: the 90%-sparse student in sparse int8 keeps its accuracy within a point; 50x smaller than the f32 teacher', () => {
  const plan = uniformPlan(STUDENT, 0.9, 8);
  assert.equal(plan.map((l) => l.format), ['csr-int8', 'csr-int8']);
  const cm = compress(sq, state.student.model, plan, { x: d.train.x.subarray(0, 256 * 64), n: 256 });
  const m = measure(sq, cm, plan, d, { reps: 1 });
  state.int8 = { cm, pred: m.pred };
  assert.ok(Math.abs(m.accuracy - state.student.fused) <= 0.01, `${m.accuracy} vs ${state.student.fused}`);
  assert.ok(m.bytes * 50 < uniformPlan(TEACHER, 0, null).reduce((s, l) => s + l.bytes, 0));
});

t('every storage format runs the teacher on its kernel with the accuracy expected of it', () => {
  const calib = { x: d.train.x.subarray(0, 256 * 64), n: 256 };
  const f32 = accuracy(predict(sq, state.teacher.model, d.test.x, d.test.n), d.test.y);
  const cases = [[0, null, 'dense-f32', 0], [0.5, null, 'csr', 0.03], [{ n: 2, m: 4 }, null, 'nm', 0.06], [0, 8, 'dense-int8', 0.01], [0.5, 8, 'dense-int8', 0.03], [0.75, 8, 'csr-int8', 0.2], [0, 4, 'int4', 0.03]];
  for (const [s, bits, format, drop] of cases) {
    const plan = layersOf(TEACHER).map((l) => planLayer(l, s, bits));
    assert.ok(plan.every((l) => l.format === format), format);
    const cm = compress(sq, state.teacher.model, plan, calib);
    const acc = accuracy(argmax(cm.run(d.test.x, d.test.n), d.test.n, 10), d.test.y);
    cm.dispose();
    if (format === 'dense-f32') assert.is(acc, f32);
    assert.ok(acc >= f32 - drop, `${format}: ${acc} vs f32 ${f32}`);
  }
});

t('compression search: random and Bayesian runs stay under the budget and find a candidate above 90% validation accuracy', async () => {
  const s = await compressionSearch(sq, d, state.teacher.model, { trials: 10, seeds: [1], budget: { ratio: 0.1 } });
  for (const runs of [s.runs.random, s.runs.bayes]) {
    const r = runs[0].result;
    assert.ok(r.trials.every((x) => x.config.bytes <= r.budgetBytes));
    assert.ok(r.best.value >= 0.9, `best ${r.best.value}`);
  }
  assert.is(s.meanBayes.length, 10);
});

t('ONNX: the sparse int8 student written by sparq/model gives the class sparq gives for every test image in onnxruntime-node', async () => {
  const ort = createRequire(import.meta.url)('onnxruntime-node');
  const session = await ort.InferenceSession.create(writeOnnx(toOnnxModel(sq, state.int8.cm)));
  const out = await session.run({ x: new ort.Tensor('float32', d.test.x, [d.test.n, 64]) });
  assert.equal(Array.from(argmax(out.logits.data, d.test.n, 10)), Array.from(state.int8.pred));
  // a dense int8 model with observer-calibrated activations and an int4 one export and agree too
  const calib = { x: d.train.x.subarray(0, 256 * 64), n: 256 };
  for (const bits of [8, 4]) {
    const plan = layersOf(TEACHER).map((l) => planLayer(l, 0, bits));
    const cm = compress(sq, state.teacher.model, plan, calib);
    const s = await ort.InferenceSession.create(writeOnnx(toOnnxModel(sq, cm)));
    const o = await s.run({ x: new ort.Tensor('float32', d.test.x, [d.test.n, 64]) });
    const mine = argmax(cm.run(d.test.x, d.test.n), d.test.n, 10);
    const same = argmax(o.logits.data, d.test.n, 10).reduce((n, c, i) => n + (c === mine[i] ? 1 : 0), 0);
    assert.ok(same >= d.test.n - 1, `${bits} bits: ${same} of ${d.test.n}`);
    cm.dispose();
  }
  state.int8.cm.dispose();
});

t.run();
