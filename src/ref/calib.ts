/**
 * Reference calibration observers: the same state machine as the Wasm observers
 * (src/calib-rules.ts, which follows PyTorch 1.13's observer.py and ONNX Runtime's calibrate.py),
 * with each batch reduced by plain loops written from the definitions:
 * - min / max: torch.aminmax (NaN propagates);
 * - torch.histc (CPU): bin = trunc(f32(f32((x - lo) * bins) / (hi - lo))), x = hi in the last bin,
 *   x outside [lo, hi] skipped;
 * - numpy.histogram with equal bins: bin = trunc(f32(f32((x - lo) / (hi - lo)) * bins)), then one
 *   step against the float32 edges each way; with given edges: edges[b] <= x < edges[b + 1], the
 *   last bin closed.
 * @module
 */
import { type CalibBackend, type CalibOptions, type CalibSettings, type ObservedParams, type ObserverKind, ObserverCore, ortQRange } from '../calib-rules.js';

const f = Math.fround;

const plain: CalibBackend = {
  length: (x) => (x as Float32Array).length,
  minmax(x) {
    const a = x as Float32Array;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < a.length; i++) {
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
    return [lo, hi];
  },
  absRange(x) {
    const a = x as Float32Array;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < a.length; i++) {
      lo = Math.min(lo, Math.abs(a[i]));
      hi = Math.max(hi, Math.abs(a[i]));
    }
    return [lo, hi];
  },
  hist(x, lo, hi, nb, mode, edges, abs) {
    const a = x as Float32Array;
    const c = new Float64Array(nb);
    const span = f(hi - lo);
    for (let i = 0; i < a.length; i++) {
      const v = abs ? Math.abs(a[i]) : a[i];
      if (mode === 'edges') {
        const e = edges as Float64Array;
        if (!(v >= e[0] && v <= e[nb])) continue;
        let lo = 0, hi = nb - 1; // binary search: the largest b <= nb - 1 with e[b] <= v
        while (lo < hi) {
          const m = (lo + hi + 1) >>> 1;
          if (e[m] <= v) lo = m; else hi = m - 1;
        }
        c[lo]++;
        continue;
      }
      if (!(v >= lo && v <= hi)) continue;
      let b: number;
      if (mode === 'torch') {
        b = Math.trunc(f(f(f(v - lo) * nb) / span));
        if (b === nb) b = nb - 1;
      } else {
        const e = edges as Float32Array;
        b = Math.trunc(f(f(f(v - lo) / span) * nb));
        if (b === nb) b = nb - 1;
        if (v < e[b]) b--;
        if (b !== nb - 1 && v >= e[b + 1]) b++;
      }
      c[b]++;
    }
    return c;
  },
  minmaxAxis(x, outer, D, inner, mn, mx) {
    const a = x as Float32Array;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < D; j++) {
        for (let i = 0; i < inner; i++) {
          const v = a[(o * D + j) * inner + i];
          mn[j] = Math.min(mn[j], v);
          mx[j] = Math.max(mx[j], v);
        }
      }
    }
  },
};

/** Reference observer with the methods of the Wasm one. */
export interface RefObserver {
  readonly kind: ObserverKind;
  readonly count: number;
  /** @internal The shared state machine (tests read its histograms). */
  readonly _core: ObserverCore;
  update(x: Float32Array): RefObserver;
  range(): { min: number | Float32Array; max: number | Float32Array };
  qparams(): ObservedParams;
  dispose(): void;
}

/** A reference observer (plain JS). Arguments are checked only as far as the reference needs. */
export function observer(kind: ObserverKind, opts: CalibOptions): RefObserver {
  const o = opts;
  if (o.dtype !== 'int8' && o.dtype !== 'uint8') throw new TypeError(`opts.dtype: expected 'int8' or 'uint8', got ${String(o.dtype)}`);
  const symmetric = !!o.symmetric, reduceRange = !!o.reduceRange;
  const ort = kind === 'percentile' || kind === 'entropy';
  let qmin: number, qmax: number, custom = false;
  if (ort) [qmin, qmax] = ortQRange(o.dtype, reduceRange, symmetric);
  else if (o.quantMin !== undefined && o.quantMax !== undefined) { qmin = o.quantMin; qmax = o.quantMax; custom = true; }
  else if (reduceRange) [qmin, qmax] = o.dtype === 'int8' ? [-64, 63] : [0, 127];
  else [qmin, qmax] = o.dtype === 'int8' ? [-128, 127] : [0, 255];
  const shape = o.shape ? Array.from(o.shape) : undefined;
  let axis = -1, outer = 1, D = shape ? shape.reduce((a, b) => a * b, 1) : 1, inner = 1;
  if (kind === 'per-channel-minmax') {
    if (!shape || o.axis === undefined) throw new TypeError('opts.shape and opts.axis: required per channel');
    axis = o.axis < 0 ? o.axis + shape.length : o.axis;
    outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    D = shape[axis];
    inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  }
  const s: CalibSettings = {
    kind, dtype: o.dtype, symmetric, reduceRange, qmin, qmax, custom, shape, axis, outer, D, inner,
    averagingConstant: o.averagingConstant ?? 0.01,
    bins: o.bins ?? (kind === 'entropy' ? 128 : 2048),
    upsampleRate: o.upsampleRate ?? 128,
    percentile: o.percentile ?? 99.999,
    quantizedBins: o.quantizedBins ?? 128,
    steps: o.steps ?? 100,
    opts: { dtype: o.dtype, symmetric, reduceRange, quantMin: o.quantMin, quantMax: o.quantMax },
  };
  const core = new ObserverCore(s);
  const obs: RefObserver = {
    kind,
    get count() { return core.count; },
    _core: core,
    update(x: Float32Array) {
      if (!(x instanceof Float32Array)) throw new TypeError('x: expected a Float32Array');
      core.update(plain, x);
      return obs;
    },
    range: () => core.range(),
    qparams: () => core.qparams(),
    dispose() {},
  };
  return obs;
}
