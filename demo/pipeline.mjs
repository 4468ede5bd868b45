// The demo's steps, each a function of its budget so the tests can run them small:
// teacher -> students (gradual pruning, with and without distillation) -> fusion + int8 ->
// compression search (random and Bayesian) -> the final model on sparq's kernels and in ONNX.
import { planLayer, searchCompression } from 'sparq/search';
import { accuracy, argmax, compress, fuse, mlp, predict, train } from './mlp.mjs';

export const TEACHER = [64, 256, 256, 10];
/**
 * The student is 64-128-10, pruned to 90%: small enough that what it learns from has to be
 * chosen well, which is where the teacher's soft targets help.
 */
export const STUDENT = [64, 128, 10];
/** loss = alpha KD + (1 - alpha) CE on the true labels (distillationLoss's convention). */
export const DISTILL = { temperature: 4, alpha: 0.7 };

const now = () => performance.now();
const pct = (a) => (100 * a).toFixed(2);

/** The training images and their copies shifted by one pixel up, down, left and right (zero fill), with their labels: 5 x n images. */
export function shifted(data) {
  const moves = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]];
  const n = data.n * moves.length, x = new Float32Array(n * 64), y = new Int32Array(n);
  let k = 0;
  for (const [dr, dc] of moves) {
    for (let i = 0; i < data.n; i++, k++) {
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const rr = r - dr, cc = c - dc;
          x[k * 64 + r * 8 + c] = rr >= 0 && rr < 8 && cc >= 0 && cc < 8 ? data.x[i * 64 + rr * 8 + cc] : 0;
        }
      }
      y[k] = data.y[i];
    }
  }
  return { x, y, n };
}

export function trainTeacher(sq, d, { epochs = 30, log = () => {} } = {}) {
  const t0 = now();
  const m = mlp(TEACHER, 1);
  train(sq, m, d.train, { epochs, lr: 2e-3, seed: 1, onEpoch: (e, i) => log(`teacher  epoch ${e + 1}/${epochs}  loss ${i.loss.toFixed(4)}`) });
  return { model: m, test: accuracy(predict(sq, m, d.test.x, d.test.n), d.test.y), ms: now() - t0 };
}

/**
 * A student (`shape`) pruned gradually to `final` sparsity (cubic schedule from epoch 2 to 60% of
 * the epochs, or to the last `keep` epochs if sooner; one pruning step per epoch), its last `keep`
 * epochs fused by averageWeights. With `teacher`: distillationLoss (DISTILL) against the teacher's
 * logits on `data`'s images and their true labels; else cross entropy on the true labels. Both
 * kinds see the same images in the same order for the same number of steps.
 */
export function trainStudent(sq, d, data, { teacher, shape = STUDENT, epochs = 30, final = 0.9, keep = 5, seed = 1, log = () => {} } = {}) {
  const t0 = now();
  const spe = Math.ceil(data.n / 64);
  // pruning ends before the checkpoints that are fused, so they all share the final mask
  const endEpoch = Math.max(3, Math.min(Math.round(epochs * 0.6), epochs - keep));
  const prune = { final, begin: 2 * spe, end: endEpoch * spe, frequency: spe };
  const m = mlp(shape, 100 + seed);
  const r = train(sq, m, data, { epochs, lr: 2e-3, seed: 10 + seed, teacher, distill: DISTILL, prune, keep,
    onEpoch: (e, i) => log(`student${teacher ? ' (distilled)' : ' (plain)'}  epoch ${e + 1}/${epochs}  loss ${i.loss.toFixed(4)}  sparsity ${i.sparsity.toFixed(3)}`) });
  const fused = fuse(sq, r.checkpoints);
  const acc = (mm) => accuracy(predict(sq, mm, d.test.x, d.test.n), d.test.y);
  return { model: fused, last: acc(m), fused: acc(fused), sparsity: sq.sparsity(concat(fused.W)), ms: now() - t0 };
}

const concat = (arrs) => {
  const out = new Float32Array(arrs.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrs) { out.set(a, o); o += a.length; }
  return out;
};

export const layersOf = (sizes) => sizes.slice(1).map((rows, l) => ({ name: `fc${l + 1}`, rows, cols: sizes[l], bias: true }));

/** The plan that stores every layer at `sparsity` with `bits` (the smallest sparq format for it). */
export const uniformPlan = (sizes, sparsity, bits) => layersOf(sizes).map((l) => planLayer(l, sparsity, bits));

/** Accuracy, bytes and latency per sample of a compressed model on the test set. */
export function measure(sq, cm, plan, d, { reps = 5 } = {}) {
  const logits = cm.run(d.test.x, d.test.n);
  const pred = argmax(logits, d.test.n, 10);
  // the fastest of 7 timings of `reps` runs over the test set (the least disturbed by other work)
  const times = [];
  for (let k = 0; k < 7; k++) {
    const t0 = now();
    for (let r = 0; r < reps; r++) cm.run(d.test.x, d.test.n);
    times.push(now() - t0);
  }
  const us = (Math.min(...times) * 1000) / (reps * d.test.n);
  return { accuracy: accuracy(pred, d.test.y), bytes: plan.reduce((s, l) => s + l.bytes, 0), usPerSample: us, pred };
}

/**
 * searchCompression of the teacher (post-training: magnitude pruning and quantization, no
 * retraining) under `budget`, the metric its validation accuracy; `seeds` runs of each strategy.
 */
export async function compressionSearch(sq, d, teacher, { trials = 30, seeds = [1, 2, 3, 4, 5], budget = { ratio: 0.1 }, log = () => {} } = {}) {
  const calib = { x: d.train.x.subarray(0, 256 * 64), n: 256 };
  const evaluate = (plan) => {
    const cm = compress(sq, teacher, plan.layers, calib);
    try {
      return accuracy(argmax(cm.run(d.val.x, d.val.n), d.val.n, 10), d.val.y);
    } finally {
      cm.dispose();
    }
  };
  const choices = { sparsity: [0, 0.5, 0.75, 0.9, 0.95], bits: [null, 8, 4], nm: [{ n: 2, m: 4 }] };
  const runs = { random: [], bayes: [] };
  for (const strategy of ['random', 'bayes']) {
    for (const seed of seeds) {
      const t0 = now();
      const r = await searchCompression(layersOf(TEACHER), evaluate, { budget, choices, strategy, trials, seed,
        onTrial: (t, done) => log(`search ${strategy} seed ${seed}  trial ${done}/${trials}  val ${t.value === undefined ? 'error' : pct(t.value)}%  ${t.config.bytes} B`) });
      let best = -Infinity;
      const curve = r.trials.map((t) => (best = Math.max(best, t.value ?? -Infinity)));
      runs[strategy].push({ seed, result: r, curve, ms: now() - t0 });
    }
  }
  const meanCurve = (rs) => rs[0].curve.map((_, i) => rs.reduce((s, x) => s + x.curve[i], 0) / rs.length);
  const mr = meanCurve(runs.random), mb = meanCurve(runs.bayes);
  const target = mr[mr.length - 1];
  // the first trial (1-based) at which the mean Bayesian curve reaches random search's mean final best
  const reach = mb.findIndex((v) => v >= target - 1e-12) + 1;
  // per seed: trials Bayesian search needs to reach the same seed's random final best (trials + 1 when it never does)
  const perSeed = runs.bayes.map((b, i) => {
    const goal = runs.random[i].curve[trials - 1];
    const k = b.curve.findIndex((v) => v >= goal - 1e-12);
    return k < 0 ? trials + 1 : k + 1;
  });
  return { runs, meanRandom: mr, meanBayes: mb, reach, perSeed, meanPerSeed: perSeed.reduce((s, v) => s + v, 0) / perSeed.length, trials };
}
