// Golden cases of the model-fusion family: (name, run(sq, r)) pairs; run returns what is hashed.
import { SIZES } from './data.js';

const cases = [];
for (const n of SIZES) {
  cases.push(
    [`averageWeights 2 models n=${n}`, (sq, r) => sq.averageWeights([r.f32(n), r.f32(n, 2)])],
    [`averageWeights 5 models, coefficients n=${n}`, (sq, r) => sq.averageWeights([r.f32(n), r.f32(n), r.f32(n, 4), r.f32(n), r.f32(n)], [0.1, 0.2, 0.3, -0.4, 0.8])],
  );
}
for (const shape of [[4, 3], [17, 33], [8, 3, 3, 3], [5, 2, 7], [3, 4, 2, 2, 2], [64, 1, 3, 3]]) {
  const c = shape[0], size = shape.reduce((a, b) => a * b, 1);
  cases.push(
    [`foldBatchNorm [${shape}]`, (sq, r) => sq.foldBatchNorm(r.f32(size), r.f32(c), { gamma: r.f32(c), beta: r.f32(c), mean: r.f32(c), var: r.f32(c).map(Math.abs), eps: 1e-5 }, shape)],
    [`foldBatchNorm [${shape}] no bias, no affine`, (sq, r) => sq.foldBatchNorm(r.f32(size), null, { mean: r.f32(c), var: r.f32(c).map(Math.abs), eps: 1e-3 }, shape)],
  );
}
export default cases;
