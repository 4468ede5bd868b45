// Golden cases of the quantization family: (name, run(sq, r)) pairs; run returns what is hashed.
import { SIZES } from './data.js';

const cases = [];
for (const n of SIZES) {
  cases.push(
    [`quantize int8 per-tensor onnx n=${n}`, (sq, r) => sq.quantize(r.f32(n, 3), { dtype: 'int8', scale: 0.02, zeroPoint: 5 })],
    [`quantize uint8 per-tensor torch n=${n}`, (sq, r) => sq.quantize(r.f32(n, 3), { dtype: 'uint8', scale: 0.017, zeroPoint: 128, rounding: 'torch' })],
    [`dequantize int8 n=${n}`, (sq, r) => sq.dequantize(r.i8(n), { dtype: 'int8', scale: 0.013, zeroPoint: -3 })],
    [`dynamicQuantize n=${n}`, (sq, r) => sq.dynamicQuantize(r.f32(n, 2))],
  );
}
for (const [rows, cols] of [[3, 17], [16, 16], [5, 33]]) {
  cases.push(
    [`quantize int8 per-axis 0 ${rows}x${cols}`, (sq, r) => sq.quantize(r.f32(rows * cols, 2), { dtype: 'int8', scale: new Float32Array(rows).map(() => r.uniform(0.01, 0.05)), shape: [rows, cols], axis: 0 })],
    [`quantize uint8 per-axis 1 ${rows}x${cols}`, (sq, r) => sq.quantize(r.f32(rows * cols, 2), { dtype: 'uint8', scale: new Float32Array(cols).map(() => r.uniform(0.01, 0.05)), zeroPoint: new Int32Array(cols).map(() => r.int(0, 255)), shape: [rows, cols], axis: 1 })],
    [`quantize int8 blocked 8 ${rows}x${cols}`, (sq, r) => sq.quantize(r.f32(rows * cols, 2), { dtype: 'int8', scale: new Float32Array(rows * Math.ceil(cols / 8)).map(() => r.uniform(0.01, 0.05)), shape: [rows, cols], axis: 1, blockSize: 8 })],
    [`qparams per-channel affine ${rows}x${cols}`, (sq, r) => sq.qparams(r.f32(rows * cols, 2), { dtype: 'int8', shape: [rows, cols], axis: 0 })],
    [`qparams symmetric uint8 ${rows}x${cols}`, (sq, r) => sq.qparams(r.f32(rows * cols, 2), { dtype: 'uint8', symmetric: true })],
    [`quantError ${rows}x${cols}`, (sq, r) => { const x = r.f32(rows * cols, 2); const p = { dtype: 'int8', scale: 0.03 }; return sq.quantError(x, sq.quantize(x, p), p); }],
  );
}
export default cases;
