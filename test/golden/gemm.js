// Golden cases of the gemm family, matmul and gemm (transposes, alpha, beta, C): (name, run(sq, r))
// pairs; run returns what is hashed. Sizes cross the 4 x 8 tile and the 256-step k block.
const cases = [];
// matmul's cases came from the sparse family: each is seeded from its key there (a third element),
// so its inputs and committed hash are unchanged
const matmul = (m, k, n, label = '') => {
  const name = `matmul ${m}x${k}x${n}${label}`;
  return [name, (sq, r) => sq.matmul(r.f32(m * k), r.f32(k * n), m, k, n), `sparse: ${name}`];
};
for (const [m, k, n] of [[5, 17, 1], [16, 33, 4], [13, 64, 17], [9, 40, 33], [20, 70, 65]]) cases.push(matmul(m, k, n));
cases.push(matmul(9, 300, 20, ' (k crosses the 256 block)'), matmul(33, 520, 65));
for (const [m, k, n] of [[1, 1, 1], [5, 7, 9], [4, 256, 8], [6, 257, 13], [9, 300, 17], [3, 64, 35]]) {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    cases.push([`gemm ${m}x${k}x${n} transA=${ta} transB=${tb}`, (sq, r) => sq.gemm(r.f32(m * k), r.f32(k * n), m, k, n, { transA: ta, transB: tb })]);
  }
  cases.push([`gemm ${m}x${k}x${n} alpha beta C row`, (sq, r) => sq.gemm(r.f32(m * k), r.f32(k * n), m, k, n, { transB: true, alpha: 0.75, beta: -1.5, c: r.f32(n) })]);
}
export default cases;
