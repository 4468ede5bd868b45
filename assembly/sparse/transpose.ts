/**
 * Transposes for sparseLinear (Y = X A^T + bias, computed as the spmm A X^T and transposed back):
 * element copies, no arithmetic besides the one bias add.
 * @module
 */

/** out[c x r] = transpose of x[r x c] (f32). */
export function sparse_transpose_f32(x: usize, r: i32, c: i32, out: usize): void {
  // 4 x 4 blocks keep both sides within few cache lines; element copies give the same bits.
  let i = 0;
  for (; i + 4 <= r; i += 4) {
    const x0 = x + ((<usize>i * <usize>c) << 2);
    const ldx = <usize>c << 2;
    for (let j = 0; j < c; j++) {
      const o = out + ((<usize>j * <usize>r + <usize>i) << 2);
      const s = x0 + (<usize>j << 2);
      store<f32>(o, load<f32>(s));
      store<f32>(o, load<f32>(s + ldx), 4);
      store<f32>(o, load<f32>(s + 2 * ldx), 8);
      store<f32>(o, load<f32>(s + 3 * ldx), 12);
    }
  }
  for (; i < r; i++) {
    for (let j = 0; j < c; j++) store<f32>(out + ((<usize>j * <usize>r + <usize>i) << 2), load<f32>(x + ((<usize>i * <usize>c + <usize>j) << 2)));
  }
}

/** y[b x o] = transpose of yt[o x b], plus bias[o] when hasBias (one f32 add). */
export function sparse_untranspose_bias_f32(yt: usize, o: i32, b: i32, bias: usize, hasBias: i32, y: usize): void {
  for (let k = 0; k < o; k++) {
    const bv: f32 = hasBias != 0 ? load<f32>(bias + (<usize>k << 2)) : 0;
    const src = yt + ((<usize>k * <usize>b) << 2);
    for (let s = 0; s < b; s++) {
      const v = load<f32>(src + (<usize>s << 2));
      store<f32>(y + ((<usize>s * <usize>o + <usize>k) << 2), hasBias != 0 ? v + bv : v);
    }
  }
}
