// Golden cases of gemm (transposes, alpha, beta, C): (name, run(sq, r)) pairs; run returns what is hashed.
const cases = [];
for (const [m, k, n] of [[1, 1, 1], [5, 7, 9], [4, 256, 8], [6, 257, 13], [9, 300, 17], [3, 64, 35]]) {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    cases.push([`gemm ${m}x${k}x${n} transA=${ta} transB=${tb}`, (sq, r) => sq.gemm(r.f32(m * k), r.f32(k * n), m, k, n, { transA: ta, transB: tb })]);
  }
  cases.push([`gemm ${m}x${k}x${n} alpha beta C row`, (sq, r) => sq.gemm(r.f32(m * k), r.f32(k * n), m, k, n, { transB: true, alpha: 0.75, beta: -1.5, c: r.f32(n) })]);
}
export default cases;
