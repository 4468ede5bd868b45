/**
 * Reference distillation losses, written for clarity. Definitions:
 * - softmax(x / T)_j = exp(u_j) / sum_k exp(u_k), log_softmax = u_j - ln sum_k exp(u_k), with
 *   u_j = x_j / T - max_k x_k / T (PyTorch F.softmax / F.log_softmax after the division);
 * - Hinton et al. (2015), "Distilling the Knowledge in a Neural Network", in PyTorch's form:
 *   KD = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction) * T * T, where kl_div sums
 *   p_j (ln p_j - ln q_j) with 0 for p_j = 0 (torch.xlogy); loss = alpha KD + (1 - alpha) CE;
 * - F.cross_entropy(x, y) = -log_softmax(x)_y, mean over rows or sum; F.mse_loss = (a - b)^2, mean or sum.
 * Gradients: d/ds of alpha KD is alpha T (softmax(s / T) - softmax(t / T)) / n (n = rows for
 * 'batchmean', rows * cols for 'mean', 1 for 'sum'); of CE, (softmax(s) - onehot(y)) / rows (or 1);
 * of MSE, 2 (a - b) / n.
 *
 * The arithmetic is sparq's, operation for operation (f32 steps through Math.fround, f64 sums
 * in the order P[j mod 8], ((P0+P4)+(P2+P6)) + ((P1+P5)+(P3+P7))), so results are the same bits as
 * the Wasm builds: exp is sparq's f32 routine, ln an f64 series (see the two functions below).
 * @module
 */
import { checkCount } from '../runtime/check.js';

const f = Math.fround;
type Reduction = 'batchmean' | 'sum' | 'mean';

// ---- exp (f32) and ln (f64) ---------------------------------------------------------------------

const LOG2E = f(1.4426950408889634);
const SHIFT = 12582912; // 1.5 * 2^23
const LN2_HI = 0.693359375;
const LN2_LO = f(-2.1219444005469058e-4);
const C = [0.5, f(1 / 6), f(1 / 24), f(1 / 120), f(1 / 720), f(1 / 5040)];
const bits = new DataView(new ArrayBuffer(8));
const f32Bits = (x: number) => (bits.setFloat32(0, x), bits.getInt32(0));
const f32From = (i: number) => (bits.setInt32(0, i), bits.getFloat32(0));

/** f32 exp: n = round(x log2 e), r = x - n ln 2 (in two parts), e^r by its Taylor polynomial of degree 7, times 2^n. */
export function expf(x: number): number {
  x = f(x);
  if (x > 89) x = 89;
  if (x < -104) x = -104;
  const t = f(f(x * LOG2E) + SHIFT);
  const n = t - SHIFT;
  const ni = f32Bits(t) - f32Bits(SHIFT);
  const r = f(f(x - f(n * LN2_HI)) - f(n * LN2_LO));
  let q = f(C[4] + f(r * C[5]));
  for (let k = 3; k >= 0; k--) q = f(C[k] + f(r * q));
  const p = f(1 + f(r + f(f(r * r) * q)));
  const n1 = ni >> 1, n2 = ni - n1;
  return f(f(p * f32From((n1 + 127) << 23)) * f32From((n2 + 127) << 23));
}

/** f64 ln: x = 2^k m (m in [sqrt(1/2), sqrt(2)]), ln m = 2 atanh(s) with s = (m - 1) / (m + 1). */
export function log64(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return x;
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 2 ** 54;
    k = -54;
  }
  const e = Math.floor(Math.log2(x)); // may be off by one near powers of two: fixed below
  let m = x / 2 ** e;
  k += e;
  if (m >= 2) { m /= 2; k += 1; }
  if (m < 1) { m *= 2; k -= 1; }
  if (m > Math.SQRT2) { m *= 0.5; k += 1; }
  const fm = m - 1;
  const s = fm / (2 + fm);
  const w = s * s;
  let R = 2 / 23;
  for (let i = 10; i >= 1; i--) R = 2 / (2 * i + 1) + w * R;
  R = w * R;
  const hfsq = 0.5 * fm * fm;
  return k * 0.6931471803691238 + ((fm - (hfsq - s * (hfsq + R))) + k * 1.9082149292705877e-10);
}

// ---- fixed-order sums -----------------------------------------------------------------------------

function fixedSum(terms: (j: number) => number, n: number): number {
  const P = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let j = 0; j < n; j++) P[j % 8] += terms(j);
  return ((P[0] + P[4]) + (P[2] + P[6])) + ((P[1] + P[5]) + (P[3] + P[7]));
}

/** u_j = x_j / T - max / T (f32; a zero max is +0), or null when x has a NaN or max / T is not finite. */
function shifted(x: Float32Array, T: number): Float32Array | null {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  m = f((m + 0) / T);
  if (!Number.isFinite(m)) return null;
  return x.map((v) => f(f(v / T) - m));
}

const NAN_ROW = (n: number) => new Float32Array(n).fill(NaN);

function temperature(opts: { temperature?: number } | undefined, required: boolean): number {
  const t = opts?.temperature;
  if (t === undefined && !required) return 1;
  if (typeof t !== 'number' || !(f(t) > 0 && f(t) < Infinity)) throw new RangeError(`temperature: expected a finite number > 0, got ${t}`);
  return f(t);
}

// ---- softmax ----------------------------------------------------------------------------------------

function softmaxRows(x: Float32Array, rows: number, cols: number, T: number, log: boolean): Float32Array {
  if (x.length !== rows * cols) throw new RangeError(`x: expected ${rows * cols} elements, got ${x.length}`);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const u = shifted(x.subarray(i * cols, (i + 1) * cols), T);
    if (u === null) { out.set(NAN_ROW(cols), i * cols); continue; }
    const e = u.map(expf);
    const z = fixedSum((j) => e[j], cols);
    const y = log ? u.map((v) => f(v - f(log64(z)))) : e.map((v) => f(v * f(1 / z)));
    out.set(y, i * cols);
  }
  return out;
}

/** softmax(x / T) over each row of a [rows x cols] matrix. */
export function softmax(x: Float32Array, rows: number, cols: number, opts?: { temperature?: number }): Float32Array {
  return softmaxRows(x, rows, cols, temperature(opts, false), false);
}

/** log_softmax(x / T) over each row. */
export function logSoftmax(x: Float32Array, rows: number, cols: number, opts?: { temperature?: number }): Float32Array {
  return softmaxRows(x, rows, cols, temperature(opts, false), true);
}

// ---- losses -------------------------------------------------------------------------------------------

/** Hinton's distillation loss (KL at temperature T, times T^2, blended with cross entropy) and d loss / d student. */
export function distillationLoss(student: Float32Array, teacher: Float32Array, rows: number, cols: number,
  opts: { temperature: number; alpha?: number; labels?: Int32Array; reduction?: Reduction }): { loss: number; grad: Float32Array } {
  checkCount('rows', rows, 1);
  checkCount('cols', cols, 1);
  const T = temperature(opts, true);
  const reduction = opts.reduction ?? 'batchmean';
  const labels = opts.labels;
  const alpha = opts.alpha ?? (labels ? 0.5 : 1);
  if (student.length !== rows * cols || teacher.length !== rows * cols) throw new RangeError('student, teacher: expected rows * cols elements');
  // coefficients of the gradient (f32) and divisors of the loss
  const nKL = reduction === 'sum' ? 1 : reduction === 'mean' ? rows * cols : rows;
  const nCE = reduction === 'sum' ? 1 : rows;
  const c1 = f((alpha * T) / nKL), c2 = f((1 - alpha) / nCE);
  const grad = new Float32Array(rows * cols);
  let kl = 0, ce = 0;
  for (let i = 0; i < rows; i++) {
    const s = student.subarray(i * cols, (i + 1) * cols), t = teacher.subarray(i * cols, (i + 1) * cols);
    const u = shifted(s, T), v = shifted(t, T);
    if (u === null || v === null) {
      grad.set(NAN_ROW(cols), i * cols);
      kl += NaN;
      ce += NaN;
      continue;
    }
    const e = u.map(expf), fe = v.map(expf);
    const zs = fixedSum((j) => e[j], cols), zt = fixedSum((j) => fe[j], cols);
    // KL row: sum_j p_j (ln p_j - ln q_j), ln p_j - ln q_j = (v_j - u_j) - (ln Zt - ln Zs), p_j = f_j / Zt
    const D = log64(zt) - log64(zs);
    kl += fixedSum((j) => (fe[j] === 0 ? 0 : (fe[j] * (1 / zt)) * ((v[j] - u[j]) - D)), cols);
    // hard-label softmax at T = 1
    let h = e, zh = zs, y = -1;
    if (labels) {
      y = labels[i];
      if (T !== 1) {
        h = shifted(s, 1)!.map(expf);
        zh = fixedSum((j) => h[j], cols);
      }
      ce += log64(zh) - shifted(s, 1)![y];
    }
    const rs = f(1 / zs), rt = f(1 / zt), rh = f(1 / zh);
    for (let j = 0; j < cols; j++) {
      let g = f(c1 * f(f(e[j] * rs) - f(fe[j] * rt)));
      if (labels) g = f(g + f(c2 * f(f(h[j] * rh) - (j === y ? 1 : 0))));
      grad[i * cols + j] = g;
    }
  }
  const klr = reduction === 'sum' ? kl : reduction === 'mean' ? kl / (rows * cols) : kl / rows;
  const kd = klr * T * T;
  const loss = labels ? alpha * kd + (1 - alpha) * (reduction === 'sum' ? ce : ce / rows) : alpha * kd;
  return { loss, grad };
}

/** PyTorch F.cross_entropy(logits, labels, reduction) and d loss / d logits. */
export function crossEntropy(logits: Float32Array, labels: Int32Array, rows: number, cols: number, opts?: { reduction?: 'mean' | 'sum' }): { loss: number; grad: Float32Array } {
  checkCount('rows', rows, 1);
  checkCount('cols', cols, 1);
  const sum = opts?.reduction === 'sum';
  const c = sum ? 1 : f(1 / rows);
  const grad = new Float32Array(rows * cols);
  let ce = 0;
  for (let i = 0; i < rows; i++) {
    const u = shifted(logits.subarray(i * cols, (i + 1) * cols), 1);
    if (u === null) { grad.set(NAN_ROW(cols), i * cols); ce += NaN; continue; }
    const e = u.map(expf);
    const z = fixedSum((j) => e[j], cols);
    const rz = f(1 / z);
    for (let j = 0; j < cols; j++) grad[i * cols + j] = f(c * f(f(e[j] * rz) - (j === labels[i] ? 1 : 0)));
    ce += log64(z) - u[labels[i]];
  }
  return { loss: sum ? ce : ce / rows, grad };
}

/** PyTorch F.mse_loss(a, b, reduction) and d loss / d a. */
export function mseLoss(a: Float32Array, b: Float32Array, opts?: { reduction?: 'mean' | 'sum' }): { loss: number; grad: Float32Array } {
  if (a.length !== b.length) throw new RangeError('b: expected the length of a');
  const n = a.length;
  const sum = opts?.reduction === 'sum';
  const c = sum ? 2 : f(2 / n);
  const grad = a.map((v, j) => f(c * f(v - b[j])));
  const total = fixedSum((j) => (a[j] - b[j]) * (a[j] - b[j]), n);
  return { loss: sum ? total : total / n, grad };
}
