// npm run demo: the whole compression pipeline on the UCI optical digits, on sparq's kernels.
// Prints progress and a table, checks the exported ONNX model in onnxruntime-node, and writes
// demo/out/report.json (every figure) and demo/out/report.svg.
//   node demo/run.mjs [--quick]     (--quick: a small budget, for a smoke run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { init } from 'sparq';
import { writeOnnx } from 'sparq/model';
import { compress, loadDigits, toOnnxModel } from './mlp.mjs';
import { DISTILL, STUDENT, TEACHER, compressionSearch, measure, shifted, trainStudent, trainTeacher, uniformPlan } from './pipeline.mjs';
import { reportSvg } from './report.mjs';

const quick = process.argv.includes('--quick');
const T0 = performance.now();
const sq = await init();
const d = loadDigits();
const pct = (a) => `${(100 * a).toFixed(2)}%`;
const tty = process.stdout.isTTY;
const progress = (s) => { if (tty) process.stdout.write(`\r\x1b[K${s}`); };
const say = (s) => { if (tty) process.stdout.write('\r\x1b[K'); console.log(s); };

say(`sparq demo: UCI optical digits, ${d.train.n} train / ${d.val.n} validation / ${d.test.n} test images of 8 x 8 (${sq.simd ? 'SIMD' : 'scalar'} build)`);

// 1. teacher
const teacher = trainTeacher(sq, d, { epochs: quick ? 8 : 30, log: progress });
say(`1. teacher MLP ${TEACHER.join('-')}: test accuracy ${pct(teacher.test)} (${(teacher.ms / 1000).toFixed(1)} s)`);

// 2. students: gradual pruning to 90%, with and without distillation, on the same images and labels
const E = quick ? 8 : 30;
const aug = shifted(d.train);
const distilled = trainStudent(sq, d, aug, { teacher: teacher.model, epochs: E, log: progress });
const plain = trainStudent(sq, d, aug, { epochs: E, log: progress });
const plainAll = trainStudent(sq, d, d.train, { epochs: E, log: progress });
say(`2. students ${STUDENT.join('-')} pruned to 90% (cubic schedule), every label:`);
say(`   distilled (T = ${DISTILL.temperature}, alpha ${DISTILL.alpha}) on the ${aug.n} training images and their one-pixel shifts: ${pct(distilled.fused)}`);
say(`   plain cross entropy on the same ${aug.n} images:                                          ${pct(plain.fused)}`);
say(`   plain cross entropy on the ${d.train.n} training images alone:                              ${pct(plainAll.fused)}`);

// 3. fused (averageWeights of the last 5 epochs) and int8 per channel: a sparse int8 model
const plan = uniformPlan(STUDENT, 0.9, 8);
const calib = { x: d.train.x.subarray(0, 256 * 64), n: 256 };
const student = compress(sq, distilled.model, plan, calib);
const sm = measure(sq, student, plan, d);
const plainQ = compress(sq, plain.model, plan, calib);
const pm = measure(sq, plainQ, plan, d);
plainQ.dispose();
const plainAllQ = compress(sq, plainAll.model, plan, calib);
const pam = measure(sq, plainAllQ, plan, d);
plainAllQ.dispose();
const teacherPlan = uniformPlan(TEACHER, 0, null);
const teacherCm = compress(sq, teacher.model, teacherPlan, calib);
const tm = measure(sq, teacherCm, teacherPlan, d);
const valAcc = (cm) => { const p = cm.run(d.val.x, d.val.n); let c = 0; for (let i = 0; i < d.val.n; i++) { let b = 0; for (let j = 1; j < 10; j++) if (p[i * 10 + j] > p[i * 10 + b]) b = j; c += b === d.val.y[i] ? 1 : 0; } return c / d.val.n; };
say(`3. fused (averageWeights, last 5 epochs) + int8 per output channel (${plan.map((l) => l.format).join(', ')}): distilled ${pct(sm.accuracy)}, plain ${pct(pm.accuracy)}, plain without the shifts ${pct(pam.accuracy)}; ${sm.bytes} bytes against ${tm.bytes}`);

// 4. compression search of the teacher under a budget
const budget = { ratio: 0.1 };
const seeds = quick ? [1, 2] : [1, 2, 3, 4, 5];
const trials = quick ? 10 : 30;
const s = await compressionSearch(sq, d, teacher.model, { trials, seeds, budget, log: progress });
say(`4. searchCompression of the teacher, budget ${budget.ratio * 100}% of f32 (${s.runs.random[0].result.budgetBytes} bytes), ${trials} trials x ${seeds.length} seeds:`);
const finalBest = (rs) => rs.reduce((a, r) => a + r.curve[trials - 1], 0) / rs.length;
say(`   random: mean best ${pct(finalBest(s.runs.random))}; bayes: mean best ${pct(finalBest(s.runs.bayes))}; bayes reaches random's final mean best at trial ${s.reach || 'never'} (per seed: ${s.perSeed.join(', ')}; mean ${s.meanPerSeed.toFixed(1)})`);
// the best candidate of all runs, measured on the test set
const allTrials = [...s.runs.random, ...s.runs.bayes].flatMap((r) => r.result.trials.map((t) => ({ ...t, strategy: s.runs.bayes.includes(r) ? 'bayes' : 'random' })));
const bestTrial = allTrials.filter((t) => t.value !== undefined).sort((a, b) => b.value - a.value || a.config.bytes - b.config.bytes)[0];
const bestCm = compress(sq, teacher.model, bestTrial.config.layers, calib);
const bm = measure(sq, bestCm, bestTrial.config.layers, d);
bestCm.dispose();

// 5. the final model in ONNX, run by onnxruntime-node
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const onnxBytes = writeOnnx(toOnnxModel(sq, student));
const session = await ort.InferenceSession.create(onnxBytes);
const out = await session.run({ x: new ort.Tensor('float32', d.test.x, [d.test.n, 64]) });
const ortLogits = out.logits.data;
let same = 0;
for (let i = 0; i < d.test.n; i++) {
  let b = 0;
  for (let j = 1; j < 10; j++) if (ortLogits[i * 10 + j] > ortLogits[i * 10 + b]) b = j;
  same += b === sm.pred[i] ? 1 : 0;
}
say(`5. ONNX export (${onnxBytes.length} bytes): onnxruntime-node predicts the same class as sparq for ${same} of ${d.test.n} test images`);

// 6. table, targets, files
const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
const rows = [
  ['teacher, f32 dense (gemm)', TEACHER.join('-'), pct(tm.accuracy), kb(tm.bytes), '1.0x', tm.usPerSample.toFixed(2)],
  ['student, distilled, 90% sparse int8 (sparse int8 kernel)', STUDENT.join('-'), pct(sm.accuracy), kb(sm.bytes), `${(tm.bytes / sm.bytes).toFixed(1)}x`, sm.usPerSample.toFixed(2)],
  ['student, plain (same images), 90% sparse int8', STUDENT.join('-'), pct(pm.accuracy), kb(pm.bytes), `${(tm.bytes / pm.bytes).toFixed(1)}x`, pm.usPerSample.toFixed(2)],
  ['student, plain (no shifts), 90% sparse int8', STUDENT.join('-'), pct(pam.accuracy), kb(pam.bytes), `${(tm.bytes / pam.bytes).toFixed(1)}x`, pam.usPerSample.toFixed(2)],
  [`teacher compressed by search (${bestTrial.config.layers.map((l) => l.format).join(', ')})`, TEACHER.join('-'), pct(bm.accuracy), kb(bm.bytes), `${(tm.bytes / bm.bytes).toFixed(1)}x`, bm.usPerSample.toFixed(2)],
];
const head = ['model', 'shape', 'test accuracy', 'stored', 'smaller', 'us / sample'];
const table = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
say(`\n${table}\n`);
const totalS = (performance.now() - T0) / 1000;
const targets = [
  ['teacher test accuracy >= 97%', pct(teacher.test), teacher.test >= 0.97],
  ['distilled 90%-sparse int8 student within 1.5 points of the teacher', `${((sm.accuracy - tm.accuracy) * 100).toFixed(2)} points`, tm.accuracy - sm.accuracy <= 0.015],
  ['distilled student ahead of the plain one (same images, every label)', `${pct(sm.accuracy)} vs ${pct(pm.accuracy)}`, sm.accuracy > pm.accuracy],
  ['Bayesian search reaches random search\'s final best in at most half the trials (mean over seeds)', `trial ${s.reach || 'never'} of ${trials} (per-seed mean ${s.meanPerSeed.toFixed(1)})`, s.reach > 0 && s.reach <= trials / 2],
  ['ONNX Runtime predicts the same classes', `${same} / ${d.test.n}`, same === d.test.n],
  ['whole demo under 60 s', `${totalS.toFixed(1)} s`, totalS < 60],
];
say('targets (as measured):');
for (const [what, got, ok] of targets) say(`  ${ok ? 'yes' : 'NO '}  ${what}: ${got}`);

const candidates = allTrials.filter((t) => t.value !== undefined).map((t) => ({ strategy: t.strategy, bytes: t.config.bytes, accuracy: t.value, formats: t.config.layers.map((l) => `${l.format}${l.nm ? ` ${l.nm.n}:${l.nm.m}` : l.sparsity ? ` ${l.sparsity}` : ''}`) }));
const pareto = [];
for (const c of candidates.slice().sort((a, b) => a.bytes - b.bytes || b.accuracy - a.accuracy)) if (!pareto.length || c.accuracy > pareto[pareto.length - 1].accuracy) pareto.push(c);
const report = {
  data: { source: 'UCI optical recognition of handwritten digits (scikit-learn load_digits)', train: d.train.n, validation: d.val.n, test: d.test.n },
  runtime: { simd: sq.simd, node: process.version, quick },
  teacher: { shape: TEACHER, accuracy: tm.accuracy, valAccuracy: valAcc(teacherCm), bytes: tm.bytes, usPerSample: tm.usPerSample, trainSeconds: teacher.ms / 1000 },
  students: {
    shape: STUDENT, distill: DISTILL, trainingImages: aug.n,
    distilled: { lastEpoch: distilled.last, fused: distilled.fused, sparsity: distilled.sparsity },
    plain: { lastEpoch: plain.last, fused: plain.fused, sparsity: plain.sparsity },
    plainNoShifts: { lastEpoch: plainAll.last, fused: plainAll.fused, sparsity: plainAll.sparsity },
  },
  student: { plan: plan.map(({ name, format, nnz, bytes }) => ({ name, format, nnz, bytes })), accuracy: sm.accuracy, valAccuracy: valAcc(student), bytes: sm.bytes, usPerSample: sm.usPerSample, plainAccuracy: pm.accuracy, plainNoShiftsAccuracy: pam.accuracy },
  search: {
    budget, budgetBytes: s.runs.random[0].result.budgetBytes, trials, seeds: seeds.length, reach: s.reach, perSeed: s.perSeed, meanPerSeed: s.meanPerSeed,
    meanRandom: s.meanRandom, meanBayes: s.meanBayes,
    best: { strategy: bestTrial.strategy, valAccuracy: bestTrial.value, testAccuracy: bm.accuracy, bytes: bm.bytes, usPerSample: bm.usPerSample, layers: bestTrial.config.layers.map(({ name, sparsity, nm, bits, format, bytes }) => ({ name, sparsity, nm, bits, format, bytes })) },
  },
  onnx: { bytes: onnxBytes.length, sameClass: same, of: d.test.n },
  candidates, pareto,
  targets: targets.map(([what, got, ok]) => ({ what, measured: got, ok })),
  seconds: totalS,
};
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/report.json', import.meta.url), `${JSON.stringify(report, null, 1)}\n`);
writeFileSync(new URL('./out/report.svg', import.meta.url), reportSvg({
  candidates, pareto, budgetBytes: report.search.budgetBytes, teacher: report.teacher, student: report.student,
  meanRandom: s.meanRandom, meanBayes: s.meanBayes, reach: s.reach, seeds: seeds.length,
}));
writeFileSync(new URL('./out/table.md', import.meta.url), `${table}\n`);
student.dispose();
teacherCm.dispose();
say(`wrote demo/out/report.json, demo/out/report.svg, demo/out/table.md (${totalS.toFixed(1)} s)`);
