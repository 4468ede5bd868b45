// Golden cases of the calibration family: (name, run(sq, r)) pairs; each feeds seeded batches to
// an observer and returns what is hashed (the searched range and the QuantParams).
import { SIZES } from './data.js';

function observe(sq, kind, opts, batches) {
  const o = sq.observer(kind, opts);
  for (const b of batches) o.update(b);
  const out = { range: o.range(), p: o.qparams() };
  o.dispose();
  return out;
}

const cases = [];
for (const n of SIZES) {
  cases.push(
    [`minmax uint8 3 batches n=${n}`, (sq, r) => observe(sq, 'minmax', { dtype: 'uint8' }, [r.f32(n, 1), r.f32(n, 3), r.f32(n, 0.5)])],
    [`moving-average-minmax int8 symmetric n=${n}`, (sq, r) => observe(sq, 'moving-average-minmax', { dtype: 'int8', symmetric: true, averagingConstant: 0.1 }, [r.f32(n, 1), r.f32(n, 2), r.f32(n, 4)])],
    [`histogram uint8 growing n=${n}`, (sq, r) => observe(sq, 'histogram', { dtype: 'uint8' }, [r.f32(n, 0.5), r.f32(n, 2), r.f32(n, 9)])],
    [`percentile symmetric n=${n}`, (sq, r) => observe(sq, 'percentile', { dtype: 'int8', symmetric: true, bins: 256, percentile: 99 }, [r.f32(n, 1), r.f32(n, 3)])],
    [`entropy n=${n}`, (sq, r) => observe(sq, 'entropy', { dtype: 'uint8', bins: 64, quantizedBins: 16 }, [r.f32(n, 1), r.f32(n, 3)])],
    [`mse n=${n}`, (sq, r) => observe(sq, 'mse', { dtype: 'int8', bins: 128, steps: 20 }, [r.f32(n, 1), r.f32(n, 2)])],
  );
}
for (const [rows, cols] of [[3, 17], [16, 16]]) {
  cases.push([`per-channel-minmax ${rows}x${cols}`, (sq, r) => observe(sq, 'per-channel-minmax', { dtype: 'int8', shape: [rows, cols], axis: 0 }, [r.f32(rows * cols, 1), r.f32(rows * cols, 2)])]);
}
export default cases;
