// Golden cases of the distillation family: (name, run(sq, r)) pairs; run returns what is hashed.
import { SIZES } from './data.js';

const labelsOf = (r, rows, cols) => new Int32Array(rows).map(() => r.int(0, cols - 1));

const cases = [];
for (const cols of SIZES) {
  const rows = 3;
  cases.push(
    [`softmax T=1 ${rows}x${cols}`, (sq, r) => sq.softmax(r.f32(rows * cols, 4), rows, cols)],
    [`logSoftmax T=2.5 ${rows}x${cols}`, (sq, r) => sq.logSoftmax(r.f32(rows * cols, 4), rows, cols, { temperature: 2.5 })],
    [`distillationLoss T=4 ${rows}x${cols}`, (sq, r) => sq.distillationLoss(r.f32(rows * cols, 3), r.f32(rows * cols, 3), rows, cols, { temperature: 4 })],
    [`distillationLoss T=2 labels sum ${rows}x${cols}`, (sq, r) => sq.distillationLoss(r.f32(rows * cols, 3), r.f32(rows * cols, 3), rows, cols, { temperature: 2, labels: labelsOf(r, rows, cols), alpha: 0.7, reduction: 'sum' })],
    [`crossEntropy ${rows}x${cols}`, (sq, r) => sq.crossEntropy(r.f32(rows * cols, 3), labelsOf(r, rows, cols), rows, cols)],
    [`mseLoss n=${rows * cols}`, (sq, r) => sq.mseLoss(r.f32(rows * cols, 3), r.f32(rows * cols, 3))],
  );
}
cases.push(
  ['distillationLoss logits 1e4 T=10 labels', (sq, r) => sq.distillationLoss(r.f32(4 * 1000, 1e4), r.f32(4 * 1000, 1e4), 4, 1000, { temperature: 10, labels: labelsOf(r, 4, 1000) })],
  ['distillationLoss mean, teacher rows equal', (sq, r) => sq.distillationLoss(r.f32(5 * 37, 2), new Float32Array(5 * 37).fill(0.5), 5, 37, { temperature: 3, reduction: 'mean' })],
);
export default cases;
