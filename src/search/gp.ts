/**
 * Gaussian-process regression for Bayesian optimisation, in plain TypeScript (float64).
 *
 * Kernel: Matérn 5/2 with one length scale per encoded coordinate (ARD),
 * k(x, x') = sf2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r), r^2 = sum_j ((x_j - x'_j) / l_j)^2,
 * plus noise sn2 on the diagonal (Rasmussen & Williams, Gaussian Processes for Machine Learning,
 * 2006, eq. 4.17; the marginal likelihood and its gradient: eqs. 2.30 and 5.9). Targets are
 * standardised (mean 0, standard deviation 1) before fitting. The hyperparameters (log l_j,
 * log sf2, log sn2) maximise the log marginal likelihood by iRprop+ (sign-based steps on the
 * analytic gradient) from fixed starting points, each clamped to a box.
 * @module
 */

const SQRT5 = Math.sqrt(5);
const LOG2PI = Math.log(2 * Math.PI);

/** Box of the log hyperparameters (inputs lie in [0, 1], targets are standardised). */
const LOG_L: [number, number] = [Math.log(0.02), Math.log(20)];
const LOG_SF2: [number, number] = [Math.log(0.05), Math.log(20)];
const LOG_SN2: [number, number] = [Math.log(1e-6), Math.log(1)];
const JITTER = 1e-9;
const ITERS = 40;

/**
 * In-place Cholesky factorisation of the symmetric positive-definite n x n matrix `a`
 * (row-major): the lower triangle becomes L with a = L L^T. Returns false when a pivot is not
 * positive (the matrix is not numerically positive definite).
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solves L y = b (forward substitution) in place in b. */
export function solveLower(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** Solves L^T y = b (back substitution) in place in b. */
export function solveUpper(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** Matérn 5/2 correlation at scaled distance r (without sf2). */
export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** A fitted process: hyperparameters, the factor of K and alpha = K^-1 y. */
export interface GpFit {
  logL: number[];
  logSf2: number;
  logSn2: number;
  /** Log marginal likelihood of the standardised targets. */
  lml: number;
  X: number[][];
  L: Float64Array;
  alpha: Float64Array;
  mean: number;
  std: number;
}

const clamp = (v: number, b: [number, number]) => Math.min(b[1], Math.max(b[0], v));

/** Log marginal likelihood and its gradient in theta = [log l_1..d, log sf2, log sn2]. */
function lmlGrad(X: number[][], y: Float64Array, theta: number[], wantGrad: boolean): { lml: number; grad: number[]; L: Float64Array; alpha: Float64Array } | null {
  const n = X.length, d = X[0].length;
  const inv = theta.slice(0, d).map((t) => Math.exp(-t));
  const sf2 = Math.exp(theta[d]), sn2 = Math.exp(theta[d + 1]);
  // S[(i n + j) d + c] = ((x_ic - x_jc) / l_c)^2, kept for the gradient
  const S = wantGrad ? new Float64Array(n * n * d) : undefined;
  const K = new Float64Array(n * n);
  const Kf = new Float64Array(n * n); // the kernel without noise
  const G = new Float64Array(n * n); // sf2 (5/3) (1 + sqrt5 r) exp(-sqrt5 r)
  for (let i = 0; i < n; i++) {
    const xi = X[i];
    for (let j = 0; j < i; j++) {
      const xj = X[j];
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const t = (xi[c] - xj[c]) * inv[c];
        const t2 = t * t;
        r2 += t2;
        if (S) S[(i * n + j) * d + c] = t2;
      }
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      const k = sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      K[i * n + j] = K[j * n + i] = Kf[i * n + j] = Kf[j * n + i] = k;
      G[i * n + j] = G[j * n + i] = sf2 * (5 / 3) * (1 + SQRT5 * r) * e;
    }
    Kf[i * n + i] = sf2;
    K[i * n + i] = sf2 + sn2 + JITTER;
  }
  const L = K;
  if (!cholesky(L, n)) return null;
  const alpha = y.slice();
  solveLower(L, n, alpha);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += alpha[i] * alpha[i];
  solveUpper(L, n, alpha);
  let logdet = 0;
  for (let i = 0; i < n; i++) logdet += Math.log(L[i * n + i]);
  const lml = -0.5 * quad - logdet - 0.5 * n * LOG2PI;
  if (!wantGrad) return { lml, grad: [], L, alpha };
  // W = alpha alpha^T - K^-1 (K^-1 column by column from the factor); dlml/dtheta = 0.5 tr(W dK/dtheta)
  const Kinv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    solveLower(L, n, col);
    solveUpper(L, n, col);
    for (let i = 0; i < n; i++) Kinv[i * n + j] = col[i];
  }
  const grad = new Array<number>(d + 2).fill(0);
  for (let i = 0; i < n; i++) {
    const wii = alpha[i] * alpha[i] - Kinv[i * n + i];
    grad[d] += wii * sf2;
    grad[d + 1] += wii * sn2;
    for (let j = 0; j < i; j++) {
      // symmetric: the pair (i, j) and (j, i) counted once, twice the weight
      const w = 2 * (alpha[i] * alpha[j] - Kinv[i * n + j]);
      grad[d] += w * Kf[i * n + j];
      // dk / dlog l_c = sf2 (5/3) (1 + sqrt5 r) exp(-sqrt5 r) ((x_c - x'_c) / l_c)^2
      const g = w * G[i * n + j];
      const o = (i * n + j) * d;
      for (let c = 0; c < d; c++) grad[c] += g * S![o + c];
    }
  }
  for (let c = 0; c < d + 2; c++) grad[c] *= 0.5;
  return { lml, grad, L, alpha };
}

/**
 * Fits the process to inputs X (encoded, in [0, 1]) and targets y. Two starting points: every
 * length scale 0.3, sf2 1, sn2 1e-3; and `warm` (an earlier fit's theta) when given, else every
 * length scale 1, sf2 1, sn2 1e-2. 40 iRprop+ steps each (fewer once every step is below 0.01); the highest likelihood wins (the first
 * on ties).
 */
export function fitGp(X: number[][], yRaw: readonly number[], warm?: number[]): GpFit {
  const n = X.length, d = X[0].length;
  let mean = 0;
  for (const v of yRaw) mean += v;
  mean /= n;
  let v2 = 0;
  for (const v of yRaw) v2 += (v - mean) * (v - mean);
  const std = n > 1 && v2 > 0 ? Math.sqrt(v2 / n) : 1;
  const y = Float64Array.from(yRaw, (v) => (v - mean) / std);
  const box = (c: number) => (c < d ? LOG_L : c === d ? LOG_SF2 : LOG_SN2);
  const starts: number[][] = [
    [...new Array<number>(d).fill(Math.log(0.3)), 0, Math.log(1e-3)],
    [...new Array<number>(d).fill(0), 0, Math.log(1e-2)],
  ];
  // a warm start (the previous fit) replaces the second fixed start
  if (warm && warm.length === d + 2) starts[1] = warm.slice();
  let best: { theta: number[]; lml: number } | null = null;
  for (const s0 of starts) {
    let theta = s0.map((v, c) => clamp(v, box(c)));
    let cur = lmlGrad(X, y, theta, true);
    if (!cur) continue;
    let bestHere = { theta: theta.slice(), lml: cur.lml };
    const step = new Array<number>(d + 2).fill(0.1);
    let prevGrad = new Array<number>(d + 2).fill(0);
    let prevLml = cur.lml;
    const prevTheta = theta.slice();
    for (let it = 0; it < ITERS && cur; it++) {
      const g = cur.grad;
      const next = theta.slice();
      for (let c = 0; c < d + 2; c++) {
        const sgn = g[c] * prevGrad[c];
        if (sgn > 0) {
          step[c] = Math.min(step[c] * 1.2, 1);
          next[c] = clamp(theta[c] + Math.sign(g[c]) * step[c], box(c));
          prevTheta[c] = theta[c];
        } else if (sgn < 0) {
          step[c] = Math.max(step[c] * 0.5, 1e-4);
          // iRprop+: revert the last step only when the likelihood got worse
          next[c] = cur.lml < prevLml ? prevTheta[c] : theta[c];
          g[c] = 0;
        } else {
          next[c] = clamp(theta[c] + Math.sign(g[c]) * step[c], box(c));
          prevTheta[c] = theta[c];
        }
      }
      prevGrad = g;
      prevLml = cur.lml;
      theta = next;
      const nxt = lmlGrad(X, y, theta, true);
      if (!nxt) break;
      cur = nxt;
      if (cur.lml > bestHere.lml) bestHere = { theta: theta.slice(), lml: cur.lml };
      // converged: every step has shrunk below 0.01 in log units
      if (step.every((v) => v < 0.01)) break;
    }
    if (!best || bestHere.lml > best.lml) best = bestHere;
  }
  if (!best) {
    // every start failed to factor: fall back to large noise, which always factors
    best = { theta: [...new Array<number>(d).fill(0), 0, LOG_SN2[1]], lml: -Infinity };
  }
  const fin = lmlGrad(X, y, best.theta, false)!;
  return { logL: best.theta.slice(0, d), logSf2: best.theta[d], logSn2: best.theta[d + 1], lml: fin.lml, X, L: fin.L, alpha: fin.alpha, mean, std };
}

/** Conditions a fitted process (same hyperparameters) on extra points with the given targets. */
export function refit(fit: GpFit, X: number[][], yRaw: readonly number[]): GpFit {
  const theta = [...fit.logL, fit.logSf2, fit.logSn2];
  const y = Float64Array.from(yRaw, (v) => (v - fit.mean) / fit.std);
  const r = lmlGrad(X, y, theta, false);
  if (!r) return fit;
  return { ...fit, X, L: r.L, alpha: r.alpha, lml: r.lml };
}

/** Posterior mean and standard deviation of the latent function (standardised units). */
export function predict(fit: GpFit, x: readonly number[]): { mu: number; sd: number } {
  const n = fit.X.length, d = x.length;
  const sf2 = Math.exp(fit.logSf2);
  const inv = fit.logL.map((t) => Math.exp(-t));
  const ks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    const xi = fit.X[i];
    for (let c = 0; c < d; c++) { const t = (x[c] - xi[c]) * inv[c]; r2 += t * t; }
    ks[i] = sf2 * matern52(Math.sqrt(r2));
  }
  let mu = 0;
  for (let i = 0; i < n; i++) mu += ks[i] * fit.alpha[i];
  solveLower(fit.L, n, ks);
  let v = sf2;
  for (let i = 0; i < n; i++) v -= ks[i] * ks[i];
  return { mu, sd: Math.sqrt(Math.max(v, 1e-12)) };
}

/** Standard normal density. */
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** erfc(x) for x >= 0: the Maclaurin series of erf below 3, a continued fraction (60 terms, evaluated backwards) above. */
function erfcPos(x: number): number {
  if (x < 3) {
    let term = x, sum = x;
    for (let k = 1; k < 100; k++) {
      term *= (-x * x) / k;
      const t = term / (2 * k + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...)))))
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal distribution function. */
export function normCdf(z: number): number {
  return z >= 0 ? 1 - 0.5 * erfcPos(z / Math.SQRT2) : 0.5 * erfcPos(-z / Math.SQRT2);
}

/**
 * Expected improvement over `best` (maximisation) of a normal N(mu, sd^2):
 * (mu - best - xi) Phi(z) + sd phi(z), z = (mu - best - xi) / sd; for z < -6 the asymptotic
 * series sd phi(z) (1 / z^2 - 3 / z^4 + 15 / z^6), which avoids the cancellation.
 */
export function expectedImprovement(mu: number, sd: number, best: number, xi: number): number {
  const imp = mu - best - xi;
  const z = imp / sd;
  if (z < -6) { const z2 = z * z; return sd * phi(z) * (1 / z2 - 3 / (z2 * z2) + 15 / (z2 * z2 * z2)); }
  return imp * normCdf(z) + sd * phi(z);
}
