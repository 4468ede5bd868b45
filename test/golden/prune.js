// Golden cases of the pruning-mask family: (name, run(sq, r)) pairs; run returns what is hashed.
import { SIZES } from './data.js';

/** Values on a coarse grid: many exact ties at every cut. */
const tied = (r, n) => new Float32Array(n).map(() => (r.int(-6, 6) * 0.125));

const cases = [];
for (const n of SIZES) {
  cases.push(
    [`magnitudeMask amount 0.5 n=${n}`, (sq, r) => sq.magnitudeMask(r.f32(n, 2), { amount: 0.5 })],
    [`magnitudeMask ties amount 0.7 n=${n}`, (sq, r) => sq.magnitudeMask(tied(r, n), { amount: 0.7 })],
    [`magnitudeMask prior+scores n=${n}`, (sq, r) => { const prior = r.u8(n).map((v) => v & 1); return sq.magnitudeMask(r.f32(n), { amount: 0.4 }, { prior, scores: r.f32(n) }); }],
    [`thresholdMask n=${n}`, (sq, r) => sq.thresholdMask(r.f32(n, 2), 0.7)],
    [`randomMask n=${n}`, (sq) => sq.randomMask(n, { amount: 0.3, seed: n })],
    [`nmMask 2:4 groups=${n}`, (sq, r) => sq.nmMask(tied(r, n * 4), [n, 4], { n: 2, m: 4 })],
    [`nmMask 3:8 groups=${n}`, (sq, r) => sq.nmMask(tied(r, n * 8), [n * 8], { n: 3, m: 8 })],
    [`taylor+obd n=${n}`, (sq, r) => { const w = r.f32(n, 3); return { t: sq.taylorScores(w, r.f32(n)), o: sq.obdScores(w, r.f32(n)) }; }],
    [`applyMask+sparsity n=${n}`, (sq, r) => { const w = r.f32(n); const y = sq.applyMask(w, sq.thresholdMask(w, 0.5)); return { y, s: sq.sparsity(y) }; }],
    [`pack+unpack n=${n}`, (sq, r) => { const m = r.u8(n).map((v) => v & 1); const p = sq.packMask(m); return { p, u: sq.unpackMask(p, n) }; }],
  );
}
for (const [rows, cols] of [[3, 17], [16, 16], [5, 33]]) {
  cases.push(
    [`globalMagnitudeMask ${rows}x${cols}`, (sq, r) => sq.globalMagnitudeMask([r.f32(rows * cols), tied(r, cols), r.f32(rows)], { amount: 0.6 })],
    [`structuredMask L1 dim 0 ${rows}x${cols}`, (sq, r) => sq.structuredMask(r.f32(rows * cols), [rows, cols], { amount: 0.5, dim: 0, n: 1 })],
    [`structuredMask L2 dim 1 ${rows}x${cols}`, (sq, r) => sq.structuredMask(r.f32(rows * cols), [rows, cols], { amount: 0.5, dim: 1, n: 2 })],
    [`structuredMask Inf rank 3 ${rows}x${cols}`, (sq, r) => sq.structuredMask(r.f32(rows * cols * 2), [rows, cols, 2], { count: 1, dim: -1, n: Infinity })],
    [`blockMask 4x4 L1 ${rows}x${cols}`, (sq, r) => sq.blockMask(r.f32(rows * cols), [rows, cols], { block: [4, 4], amount: 0.5 })],
    [`blockMask 2x3 L2 ${rows}x${cols}`, (sq, r) => sq.blockMask(r.f32(rows * cols), [rows, cols], { block: [2, 3], amount: 0.3, norm: 2 })],
  );
}
export default cases;
