/**
 * Knowledge distillation: softmax and log-softmax with a temperature, Hinton's distillation loss
 * as PyTorch users write it (`F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1),
 * reduction='batchmean') * T * T`, optionally blended with cross entropy on hard labels), cross
 * entropy and MSE, each loss with its exact gradient with respect to its first argument.
 *
 * exp and ln are sparq's own Wasm routines (assembly/distill.ts), and every sum has a fixed order,
 * so results are the same bits in every engine and in both builds. Losses are computed in f64
 * from the f32 intermediate values; gradients are f32.
 * @module
 */
import { checkCount, checkEnum, checkObject } from './runtime/check.js';
import { type Runtime, type Slot, type WasmArray, typeName } from './runtime/runtime.js';

/** f32 input: an ordinary array (copied in) or a Wasm-resident one (used in place). */
type F32Arg = Float32Array | WasmArray<'f32'>;

/** Options of `softmax` / `logSoftmax`. */
export interface SoftmaxOptions {
  /** Divide the logits by this (finite, > 0) before the softmax; default 1. */
  temperature?: number;
}

/** Options of `distillationLoss`. */
export interface DistillationOptions {
  /** T (finite, > 0): both distributions are softmax(logits / T); the KL term is multiplied by T^2. */
  temperature: number;
  /** Weight of the KL term, in [0, 1]: loss = alpha KD + (1 - alpha) CE. Default 0.5 with labels, 1 without. */
  alpha?: number;
  /** Hard labels (class index per row, in [0, cols)): adds (1 - alpha) cross_entropy(student, labels) at T = 1. */
  labels?: Int32Array | WasmArray<'i32'>;
  /**
   * torch kl_div's reduction of the KL term: 'batchmean' (sum / rows, default), 'sum', or 'mean'
   * (sum / (rows * cols)). The cross-entropy term is summed for 'sum' and averaged over rows otherwise.
   */
  reduction?: 'batchmean' | 'sum' | 'mean';
}

/** Options of `crossEntropy` and `mseLoss`. */
export interface LossOptions {
  /** 'mean' (default; over rows for cross entropy, over elements for MSE) or 'sum'. */
  reduction?: 'mean' | 'sum';
}

/** A loss and its gradient with respect to the first argument. */
export interface LossResult<G = Float32Array> {
  loss: number;
  grad: G;
}


/** A temperature: finite and > 0, rounded to f32 (torch divides an f32 tensor by an f32 scalar). */
function checkTemperature(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number > 0, got ${typeName(v)}`);
  const t = Math.fround(v);
  if (!(t > 0 && t < Infinity)) throw new RangeError(`${name}: expected a finite number > 0 (in float32), got ${v}`);
  return t;
}

function checkSize(name: string, s: Slot, n: number, what: string): void {
  if (s.length !== n) throw new RangeError(`${name}: expected ${what} = ${n} elements, got ${s.length}`);
}

/** Labels as an i32 slot, every value checked to lie in [0, cols). */
function labelsInput(rt: Runtime, name: string, labels: unknown, rows: number, cols: number): Slot {
  const ls = rt.input(name, labels, ['i32'] as const);
  try {
    checkSize(name, ls, rows, 'rows');
    const v = rt.view('i32', ls.ptr, rows);
    for (let i = 0; i < rows; i++) {
      if (!(v[i] >= 0 && v[i] < cols)) throw new RangeError(`${name}[${i}]: expected a class index in [0, ${cols}), got ${v[i]}`);
    }
  } catch (e) {
    rt.release(ls);
    throw e;
  }
  return ls;
}

/** Row-wise softmax (log = false) or log-softmax (log = true) of x / T over cols. */
export function softmax(rt: Runtime, x: unknown, rows: unknown, cols: unknown, opts: unknown, out: unknown, log: boolean): F32Arg {
  const R = checkCount('rows', rows); // 0 rows or columns: an empty result, as torch gives
  const C = checkCount('cols', cols);
  const o = checkObject<SoftmaxOptions>('opts', opts, true) ?? {};
  const T = o.temperature === undefined ? 1 : checkTemperature('temperature', o.temperature);
  let xs: Slot | undefined, os: ReturnType<Runtime['output']> | undefined;
  try {
    xs = rt.input('x', x, ['f32'] as const);
    checkSize('x', xs, R * C, `rows x cols = ${R} x ${C}`);
    os = rt.output('out', out, 'f32', R * C);
    rt.exports.distill_softmax_f32(xs.ptr, os.ptr, R, C, T, log ? 1 : 0);
    return rt.finish('f32', os) as F32Arg;
  } finally {
    rt.release(xs, os);
  }
}

/** The f32 gradient coefficients: c1 of the KL term, c2 of the cross-entropy term. */
function kdCoefficients(T: number, alpha: number, rows: number, cols: number, reduction: 'batchmean' | 'sum' | 'mean'): { c1: number; c2: number } {
  const n = reduction === 'sum' ? 1 : reduction === 'mean' ? rows * cols : rows;
  const m = reduction === 'sum' ? 1 : rows;
  return { c1: Math.fround((alpha * T) / n), c2: Math.fround((1 - alpha) / m) };
}

/** loss = alpha KD + (1 - alpha) CE from the kernel's sums (KD = reduced KL * T * T). */
function kdLoss(kl: number, ce: number, T: number, alpha: number, rows: number, cols: number, reduction: 'batchmean' | 'sum' | 'mean', labels: boolean): number {
  const klr = reduction === 'sum' ? kl : reduction === 'mean' ? kl / (rows * cols) : kl / rows;
  const kd = klr * T * T;
  if (!labels) return alpha * kd;
  const cer = reduction === 'sum' ? ce : ce / rows;
  return alpha * kd + (1 - alpha) * cer;
}

/** Hinton's distillation loss and its gradient with respect to the student logits. */
export function distillationLoss(rt: Runtime, student: unknown, teacher: unknown, rows: unknown, cols: unknown, opts: unknown, out: unknown): LossResult<F32Arg> {
  const R = checkCount('rows', rows, 1);
  const C = checkCount('cols', cols, 1);
  const o = checkObject<DistillationOptions>('opts', opts);
  const T = checkTemperature('temperature', o.temperature);
  const reduction = o.reduction === undefined ? 'batchmean' : checkEnum('reduction', o.reduction, ['batchmean', 'sum', 'mean'] as const);
  const hasLabels = o.labels !== undefined;
  let alpha = hasLabels ? 0.5 : 1;
  if (o.alpha !== undefined) {
    if (typeof o.alpha !== 'number') throw new TypeError(`alpha: expected a number in [0, 1], got ${typeName(o.alpha)}`);
    if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha: expected a number in [0, 1], got ${o.alpha}`);
    alpha = o.alpha;
  }
  const { c1, c2 } = kdCoefficients(T, alpha, R, C, reduction);
  let ss: Slot | undefined, ts: Slot | undefined, ls: Slot | undefined, gs: ReturnType<Runtime['output']> | undefined;
  let scratch = 0, res = 0;
  try {
    ss = rt.input('student', student, ['f32'] as const);
    checkSize('student', ss, R * C, `rows x cols = ${R} x ${C}`);
    ts = rt.input('teacher', teacher, ['f32'] as const);
    checkSize('teacher', ts, R * C, `rows x cols = ${R} x ${C}`);
    if (hasLabels) ls = labelsInput(rt, 'labels', o.labels, R, C);
    gs = rt.output('out', out, 'f32', R * C);
    scratch = rt.alloc(C * 8);
    res = rt.alloc(16);
    rt.exports.distill_kd_f32(ss.ptr, ts.ptr, ls ? ls.ptr : 0, R, C, T, c1, c2, gs.ptr, scratch, res);
    const [kl, ce] = rt.view('f64', res, 2);
    const loss = kdLoss(kl, ce, T, alpha, R, C, reduction, hasLabels);
    return { loss, grad: rt.finish('f32', gs) as F32Arg };
  } finally {
    rt.release(ss, ts, ls, gs);
    rt.free(scratch);
    rt.free(res);
  }
}

/** torch F.cross_entropy with class indices, and its gradient with respect to the logits. */
export function crossEntropy(rt: Runtime, logits: unknown, labels: unknown, rows: unknown, cols: unknown, opts: unknown, out: unknown): LossResult<F32Arg> {
  const R = checkCount('rows', rows, 1);
  const C = checkCount('cols', cols, 1);
  const o = checkObject<LossOptions>('opts', opts, true) ?? {};
  const reduction = o.reduction === undefined ? 'mean' : checkEnum('reduction', o.reduction, ['mean', 'sum'] as const);
  const c = reduction === 'sum' ? 1 : Math.fround(1 / R);
  let xs: Slot | undefined, ls: Slot | undefined, gs: ReturnType<Runtime['output']> | undefined;
  let res = 0;
  try {
    xs = rt.input('logits', logits, ['f32'] as const);
    checkSize('logits', xs, R * C, `rows x cols = ${R} x ${C}`);
    ls = labelsInput(rt, 'labels', labels, R, C);
    gs = rt.output('out', out, 'f32', R * C);
    res = rt.alloc(8);
    rt.exports.distill_ce_f32(xs.ptr, ls.ptr, R, C, c, gs.ptr, res);
    const ce = rt.view('f64', res, 1)[0];
    return { loss: reduction === 'sum' ? ce : ce / R, grad: rt.finish('f32', gs) as F32Arg };
  } finally {
    rt.release(xs, ls, gs);
    rt.free(res);
  }
}

/** torch F.mse_loss, and its gradient with respect to `a`. */
export function mseLoss(rt: Runtime, a: unknown, b: unknown, opts: unknown, out: unknown): LossResult<F32Arg> {
  const o = checkObject<LossOptions>('opts', opts, true) ?? {};
  const reduction = o.reduction === undefined ? 'mean' : checkEnum('reduction', o.reduction, ['mean', 'sum'] as const);
  let as: Slot | undefined, bs: Slot | undefined, gs: ReturnType<Runtime['output']> | undefined;
  let res = 0;
  try {
    as = rt.input('a', a, ['f32'] as const);
    bs = rt.input('b', b, ['f32'] as const);
    const n = as.length;
    if (bs.length !== n) throw new RangeError(`b: expected the length of a (${n}), got ${bs.length}`);
    const c = reduction === 'sum' ? 2 : Math.fround(2 / n);
    gs = rt.output('out', out, 'f32', n);
    res = rt.alloc(8);
    rt.exports.distill_mse_f32(as.ptr, bs.ptr, n, c, gs.ptr, res);
    const sum = rt.view('f64', res, 1)[0];
    return { loss: reduction === 'sum' ? sum : sum / n, grad: rt.finish('f32', gs) as F32Arg };
  } finally {
    rt.release(as, bs, gs);
    rt.free(res);
  }
}
