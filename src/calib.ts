/**
 * Calibration observers: objects that see any number of batches and then give QuantParams.
 * PyTorch's MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver and
 * HistogramObserver (1.13), ONNX Runtime's Percentile and Entropy calibrators, and an MSE search.
 * The per-batch reductions (min / max, histogram binning) run in the Wasm kernels of
 * assembly/calib.ts; the state between batches is a few thousand bins, kept in JS, and the range
 * searches run once per qparams() (src/calib-rules.ts). Semantics: docs/semantics.md (calibration).
 * @module
 */
import { stableView } from './runtime/guard.js';
import { checkAxis, checkEnum, checkIntIn, checkObject, checkShape } from './runtime/check.js';
import { Resident } from './runtime/resident.js';
import { type AnyTypedArray, type Runtime, WasmArray, typeName } from './runtime/runtime.js';
import { type ObserverOptions, type QuantParams, observerRange } from './quant.js';
import { type CalibBackend, type CalibOptions, type CalibSettings, type ObserverKind, ObserverCore, ortQRange } from './calib-rules.js';

export type { CalibOptions, ObserverKind } from './calib-rules.js';

const KINDS: readonly ObserverKind[] = ['minmax', 'moving-average-minmax', 'per-channel-minmax', 'histogram', 'percentile', 'entropy', 'mse'];

/** The options each kind takes besides dtype, symmetric, reduceRange, shape and quantMin / quantMax. */
const OWN: Record<ObserverKind, readonly string[]> = {
  'minmax': [],
  'moving-average-minmax': ['averagingConstant'],
  'per-channel-minmax': ['axis'],
  'histogram': ['bins', 'upsampleRate'],
  'percentile': ['bins', 'percentile'],
  'entropy': ['bins', 'quantizedBins'],
  'mse': ['bins', 'steps'],
};
const COMMON = ['dtype', 'symmetric', 'reduceRange', 'shape', 'quantMin', 'quantMax'];

function checkBool(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${typeName(v)}`);
  return v;
}

function checkNumberIn(name: string, v: unknown, lo: number, hi: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${typeName(v)}`);
  if (!(v >= lo && v <= hi)) throw new RangeError(`${name}: expected a number in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** Check `kind` and `opts` and resolve every setting (shared by the Wasm observer; the reference checks its own). */
export function resolveCalib(kind: unknown, opts: unknown): CalibSettings {
  const k = checkEnum('kind', kind, KINDS);
  const o = checkObject<CalibOptions>('opts', opts);
  const dtype = checkEnum('opts.dtype', o.dtype, ['int8', 'uint8'] as const);
  for (const key of Object.keys(o)) {
    if (COMMON.includes(key) || OWN[k].includes(key)) continue;
    const owners = KINDS.filter((q) => OWN[q].includes(key));
    throw new TypeError(`opts.${key}: ${owners.length ? `only ${owners.map((q) => `'${q}'`).join(', ')} take${owners.length === 1 ? 's' : ''} it, not '${k}'` : 'not an observer option'}`);
  }
  const symmetric = checkBool('opts.symmetric', o.symmetric);
  const reduceRange = checkBool('opts.reduceRange', o.reduceRange);
  const ort = k === 'percentile' || k === 'entropy';
  let qmin: number, qmax: number, custom = false;
  if (ort) {
    if (o.quantMin !== undefined || o.quantMax !== undefined) throw new TypeError(`opts.quantMin: '${k}' follows ONNX Runtime's int8 / uint8 ranges and takes no custom range`);
    [qmin, qmax] = ortQRange(dtype, reduceRange, symmetric);
  } else {
    ({ qmin, qmax, custom } = observerRange(o as ObserverOptions, 'opts'));
  }
  let shape: number[] | undefined, axis = -1, outer = 1, D = 1, inner = 1;
  if (o.shape !== undefined) {
    shape = checkShape('opts.shape', o.shape);
    D = shape.reduce((a, b) => a * b, 1);
  }
  if (k === 'per-channel-minmax') {
    if (shape === undefined) throw new TypeError("opts.shape: required by 'per-channel-minmax'");
    if (o.axis === undefined) throw new TypeError("opts.axis: required by 'per-channel-minmax'");
    if (shape.length === 0) throw new RangeError('opts.shape: a per-channel observer needs at least one dimension');
    axis = checkAxis('opts.axis', o.axis, shape.length);
    outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    D = shape[axis];
    inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  }
  const defaultBins = k === 'histogram' ? 2048 : k === 'entropy' ? 128 : 2048;
  const bins = o.bins === undefined ? defaultBins : checkIntIn('opts.bins', o.bins, k === 'histogram' ? 8 : 1, 1 << 20);
  const quantizedBins = o.quantizedBins === undefined ? 128 : checkIntIn('opts.quantizedBins', o.quantizedBins, 1, 1 << 20);
  if (k === 'entropy' && Math.floor(quantizedBins / 2) > Math.floor(bins / 2)) {
    throw new RangeError(`opts.quantizedBins: ${quantizedBins} quantized bins need opts.bins >= ${quantizedBins} (got ${bins})`);
  }
  return {
    kind: k, dtype, symmetric, reduceRange, qmin, qmax, custom, shape, axis, outer, D, inner,
    averagingConstant: checkNumberIn('opts.averagingConstant', o.averagingConstant, 0, 1, 0.01),
    bins,
    upsampleRate: o.upsampleRate === undefined ? 128 : checkIntIn('opts.upsampleRate', o.upsampleRate, 1, 4096),
    percentile: checkNumberIn('opts.percentile', o.percentile, 0, 100, 99.999),
    quantizedBins,
    steps: o.steps === undefined ? 100 : checkIntIn('opts.steps', o.steps, 1, 100000),
    opts: { dtype, symmetric, reduceRange, quantMin: o.quantMin, quantMax: o.quantMax },
  };
}

/** Elements per chunk when an ordinary Float32Array is streamed through Wasm memory (256 KiB). */
const CHUNK = 65536;

/** The Wasm side of an observer: resident buffers reused by every update, so memory stays flat. */
class WasmBackend implements CalibBackend {
  private rt: Runtime;
  private chunk: WasmArray<'f32'> | undefined;
  private out: WasmArray<'f32'>;
  private counts: WasmArray<'u32'> | undefined;
  private edges: WasmArray<'f64'> | undefined;

  constructor(rt: Runtime) {
    this.rt = rt;
    this.out = new WasmArray(rt, 'f32', 4);
  }

  get bytes(): number {
    return [this.chunk, this.out, this.counts, this.edges].reduce((a, w) => a + (w ? w.bytes : 0), 0);
  }

  dispose(): void {
    for (const w of [this.chunk, this.out, this.counts, this.edges]) w?.dispose();
  }

  length(x: unknown): number {
    return (x as { length: number }).length;
  }

  /** Run `body(ptr, len)` over x: in place for a WasmArray, else chunk by chunk through the resident buffer. */
  private each(x: unknown, body: (ptr: number, len: number) => void): void {
    if (x instanceof WasmArray) {
      body(x.ptr, x.length);
      return;
    }
    const a = x as Float32Array;
    this.chunk ??= new WasmArray(this.rt, 'f32', CHUNK);
    const p = this.chunk.ptr;
    for (let e0 = 0; e0 < a.length; e0 += CHUNK) {
      const len = Math.min(CHUNK, a.length - e0);
      this.rt.view('f32', p, len).set(a.subarray(e0, e0 + len));
      body(p, len);
    }
  }

  private reduce(x: unknown, kernel: 'calib_minmax_f32' | 'calib_absrange_f32'): [number, number] {
    let lo = Infinity, hi = -Infinity;
    const fn = this.rt.exports[kernel];
    const o = this.out.ptr;
    this.each(x, (p, n) => {
      fn(p, n, o);
      const v = this.rt.view('f32', o, 2);
      lo = Math.min(lo, v[0]); // Math.min / max propagate NaN, like the kernel
      hi = Math.max(hi, v[1]);
    });
    return [lo, hi];
  }

  minmax(x: unknown): [number, number] {
    return this.reduce(x, 'calib_minmax_f32');
  }

  absRange(x: unknown): [number, number] {
    return this.reduce(x, 'calib_absrange_f32');
  }

  hist(x: unknown, lo: number, hi: number, nb: number, mode: 'torch' | 'numpy' | 'edges', edges: Float32Array | Float64Array | null, abs: boolean): Float64Array {
    const need = 4 * (nb + 1);
    if (!this.counts || this.counts.length < need) {
      this.counts?.dispose();
      this.counts = undefined;
      this.counts = new WasmArray(this.rt, 'u32', need);
    }
    let ep = 0;
    if (edges) {
      // numpy mode reads f32 edges, edges mode f64 ones: both fit in the f64 buffer
      if (!this.edges || this.edges.length < nb + 1) {
        this.edges?.dispose();
        this.edges = undefined;
        this.edges = new WasmArray(this.rt, 'f64', nb + 1);
      }
      ep = this.edges.ptr;
      if (mode === 'edges') this.rt.view('f64', ep, nb + 1).set(edges);
      else this.rt.view('f32', ep, nb + 1).set(edges);
    }
    const cp = this.counts.ptr;
    this.rt.view('u32', cp, need).fill(0);
    const flags = (mode === 'torch' ? 0 : mode === 'numpy' ? 1 : 2) | (abs ? 4 : 0);
    const kernel = this.rt.exports.calib_hist_f32;
    this.each(x, (p, n) => kernel(p, n, lo, hi, nb, cp, ep, flags));
    this.rt.exports.calib_hist_fold(cp, nb);
    return Float64Array.from(this.rt.view('u32', cp, nb));
  }

  minmaxAxis(x: unknown, outer: number, D: number, inner: number, mn: Float32Array, mx: Float32Array): void {
    const xs = this.rt.input('x', x, ['f32'] as const);
    const a = this.rt.scratchFrom('f32', mn);
    const b = this.rt.scratchFrom('f32', mx);
    try {
      this.rt.exports.calib_minmax_axis_f32(xs.ptr, outer, D, inner, a.ptr, b.ptr);
      mn.set(this.rt.view('f32', a.ptr, D));
      mx.set(this.rt.view('f32', b.ptr, D));
    } finally {
      this.rt.release(xs, a, b);
    }
  }
}

/**
 * A calibration observer: `update(x)` any number of times, then `qparams()`. It holds Wasm
 * buffers (a 256 KiB staging chunk and the histogram counts) until dispose() (or `using`).
 */
export class Observer extends Resident {
  /** The observer's kind. */
  readonly kind: ObserverKind;
  /** @internal */ readonly _core: ObserverCore;
  /** @internal */ readonly _be: WasmBackend;

  /** @internal Use `sq.observer`. */
  constructor(rt: Runtime, s: CalibSettings) {
    super(rt);
    this.kind = s.kind;
    this._core = new ObserverCore(s);
    this._be = new WasmBackend(rt);
  }

  /** @internal */
  get _kind(): string {
    return 'Observer';
  }

  /** Bytes of Wasm memory this observer holds. */
  override get bytes(): number {
    return this.disposed ? 0 : this._be.bytes;
  }

  /** Number of values observed so far. */
  get count(): number {
    return this._core.count;
  }

  /** Observe one batch (a Float32Array or a WasmArray<'f32'>); returns this. */
  update(x: Float32Array | WasmArray<'f32'>): this {
    this._check('this', this.rt);
    if (x instanceof WasmArray) {
      x._check('x', this.rt);
      if (x.dtype !== 'f32') throw new TypeError(`x: expected Float32Array or WasmArray<f32>, got WasmArray<${x.dtype}>`);
    } else if (!(x instanceof Float32Array)) {
      throw new TypeError(`x: expected Float32Array or WasmArray<f32>, got ${typeName(x)}`);
    } else {
      // a view of sparq's own memory: copied before buffers are (re)allocated; a detached one throws
      x = (stableView(this.rt, 'x', x as AnyTypedArray) as Float32Array | undefined) ?? x;
    }
    this._core.update(this._be, x);
    return this;
  }

  /** The range the parameters come from: observed, or searched ([min, max]; per channel, arrays). */
  range(): { min: number | Float32Array; max: number | Float32Array } {
    this._check('this', this.rt);
    return this._core.range();
  }

  /** The QuantParams of everything observed so far (RangeError before any value). */
  qparams(): QuantParams {
    this._check('this', this.rt);
    return this._core.qparams() as QuantParams;
  }

  /** Free the Wasm buffers. Calling it twice is harmless. */
  override dispose(): void {
    if (this.disposed) return;
    this._be.dispose();
    super.dispose();
  }
}

/** A new observer of `kind`. */
export function observer(rt: Runtime, kind: unknown, opts: unknown): Observer {
  return new Observer(rt, resolveCalib(kind, opts));
}
