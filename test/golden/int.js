// Golden cases of the integer products (family `int`): (name, run(sq, r)) pairs; run returns what
// is hashed. Sizes cross the 4-row and 8-column tiles and the k-pair / block edges.

const SHAPES = [[1, 1, 1], [3, 7, 9], [4, 16, 8], [5, 33, 17], [9, 64, 15], [17, 65, 33]];
const zps = (r, n, signed) => Array.from({ length: n }, () => (signed ? r.int(-128, 127) : r.int(0, 255)));

const cases = [];
for (const [m, k, n] of SHAPES) {
  const s = `${m}x${k}x${n}`;
  cases.push(
    [`matmulInteger i8 x i8 ${s}`, (sq, r) => sq.matmulInteger(r.i8(m * k), r.i8(k * n), m, k, n)],
    [`matmulInteger u8 x i8 zp per row / column ${s}`, (sq, r) => sq.matmulInteger(r.u8(m * k), r.i8(k * n), m, k, n, { aZeroPoint: zps(r, m, false), bZeroPoint: zps(r, n, true) })],
    [`matmulInteger i8 x u8 packed ${s}`, (sq, r) => {
      const b = sq.packedInt8(r.u8(k * n), k, n, { zeroPoint: 131 });
      try { return sq.matmulInteger(r.i8(m * k), b, m, k, n, { aZeroPoint: -5 }); } finally { b.dispose(); }
    }],
    [`qlinearMatmul u8 x u8 -> u8 ${s}`, (sq, r) => sq.qlinearMatmul(r.u8(m * k), r.u8(k * n), m, k, n,
      { aScale: 0.0066, aZeroPoint: 113, bScale: 0.00705, bZeroPoint: 114, yScale: 0.0107 * Math.sqrt(k), yZeroPoint: 118 })],
    [`qlinearMatmul i8 x i8 -> i8 per row / column scales ${s}`, (sq, r) => sq.qlinearMatmul(r.i8(m * k), r.i8(k * n), m, k, n, {
      aScale: new Float32Array(m).map(() => r.uniform(0.005, 0.02)), bScale: new Float32Array(n).map(() => r.uniform(0.005, 0.02)),
      bZeroPoint: zps(r, n, true), yScale: 0.05 * Math.sqrt(k), yZeroPoint: -3,
    })],
    [`quantizedLinear ${s}`, (sq, r) => {
      const w = sq.packedInt8(r.f32(k * n, 0.3), k, n);
      try { return sq.quantizedLinear(r.f32(m * k, 2), m, w, r.f32(n)); } finally { w.dispose(); }
    }],
    [`quantizedLinear reduceRange ${s}`, (sq, r) => {
      const w = sq.packedInt8(r.u8(k * n), k, n, { zeroPoint: 121, scale: 0.01 });
      try { return sq.quantizedLinear(r.f32(m * k, 2), m, w, r.f32(n), undefined, { reduceRange: true }); } finally { w.dispose(); }
    }],
  );
}
for (const [m, k, n] of [[1, 1, 1], [3, 40, 9], [5, 200, 17], [8, 128, 16], [9, 300, 33]]) {
  for (const [blockSize, symmetric] of [[32, true], [64, false], [128, true]]) {
    cases.push([`matmulInt4 bs ${blockSize} ${symmetric ? 'sym' : 'asym'} ${m}x${k}x${n}`, (sq, r) => {
      const w = sq.packedInt4(r.f32(k * n, 0.2), k, n, { blockSize, symmetric });
      try { return { y: sq.matmulInt4(r.f32(m * k, 2), m, w, r.f32(n)), onnx: w.toOnnx() }; } finally { w.dispose(); }
    }]);
  }
}
export default cases;
