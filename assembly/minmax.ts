/**
 * The per-channel min / max step shared by the quantization observers (quant_minmax_axis_f32) and
 * the calibration observers (calib_minmax_axis_f32). Not re-exported by index.ts: it is inlined.
 * @module
 */

/**
 * One row of D channels with inner = 1 (the channel is the last axis): mn[j] = min(mn[j], x[j]),
 * mx[j] = max(mx[j], x[j]), NaN-propagating (a NaN channel stays NaN). Shared with the calibration
 * observers' per-channel pass.
 */
@inline export function minmaxRow(xo: usize, D: i32, mn: usize, mx: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= D; j += 4) {
      const o4 = <usize>j << 2;
      const v = v128.load(xo + o4);
      v128.store(mn + o4, f32x4.min(v128.load(mn + o4), v));
      v128.store(mx + o4, f32x4.max(v128.load(mx + o4), v));
    }
  }
  for (; j < D; j++) {
    const o4 = <usize>j << 2;
    const v = load<f32>(xo + o4);
    store<f32>(mn + o4, min<f32>(load<f32>(mn + o4), v));
    store<f32>(mx + o4, max<f32>(load<f32>(mx + o4), v));
  }
}
