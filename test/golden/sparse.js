// Golden cases of the sparse family: (name, run(sq, r)) pairs; run returns what is hashed. Sizes
// cross the SIMD tiles (4 / 8 / 16 / 32 columns, 4-row blocks).

/** A dense [rows x cols] matrix with about `density` nonzeros. */
function sparseDense(r, rows, cols, density) {
  const w = r.f32(rows * cols, 2);
  for (let i = 0; i < w.length; i++) if (r.next() >= density) w[i] = 0;
  return w;
}

/** 2:4-sparse dense matrix: the 2 largest |w| of each group of 4 kept. */
function nm24(r, rows, cols) {
  const w = r.f32(rows * cols, 2);
  for (let g = 0; g < w.length; g += 4) {
    const idx = [0, 1, 2, 3].sort((a, b) => Math.abs(w[g + b]) - Math.abs(w[g + a]) || a - b);
    w[g + idx[2]] = 0;
    w[g + idx[3]] = 0;
  }
  return w;
}

function blocks(r, rows, cols, bh, bw, density) {
  const w = r.f32(rows * cols, 2);
  for (let R = 0; R < rows / bh; R++) for (let C = 0; C < cols / bw; C++) {
    if (r.next() < density) continue;
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) w[(R * bh + y) * cols + C * bw + x] = 0;
  }
  return w;
}

function withMatrix(make, use) {
  return (sq, r) => {
    const M = make(sq, r);
    try {
      return use(sq, r, M);
    } finally {
      M.dispose();
    }
  };
}

const cases = [];
for (const [rows, cols, n] of [[5, 17, 1], [16, 33, 4], [13, 64, 17], [9, 40, 33], [20, 70, 65]]) {
  const dims = `${rows}x${cols} n=${n}`;
  cases.push(
    [`spmm raw csr ${dims}`, (sq, r) => { const w = sparseDense(r, rows, cols, 0.3); return sq.spmm(sq.csrFromDense(w, rows, cols), r.f32(cols * n), n); }],
    [`spmm resident csr ${dims}`, withMatrix((sq, r) => sq.sparseMatrix(sq.csrFromDense(sparseDense(r, rows, cols, 0.2), rows, cols)), (sq, r, M) => sq.spmm(M, r.f32(cols * n), n))],
    [`spmm sparse int8 ${dims}`, withMatrix((sq, r) => sq.sparseInt8Matrix(sq.csrFromDense(sparseDense(r, rows, cols, 0.4), rows, cols)), (sq, r, M) => sq.spmm(M, r.f32(cols * n), n))],
    [`spmv csr and int8 ${dims}`, (sq, r) => {
      const a = sq.csrFromDense(sparseDense(r, rows, cols, 0.5), rows, cols);
      const x = r.f32(cols);
      const Q = sq.sparseInt8Matrix(a);
      try { return { csr: sq.spmv(a, x), int8: sq.spmv(Q, x) }; } finally { Q.dispose(); }
    }],
  );
}
for (const [rows, cols, n] of [[4, 16, 1], [12, 32, 9], [8, 64, 64], [7, 36, 33]]) {
  cases.push(
    [`spmm 2:4 ${rows}x${cols} n=${n}`, withMatrix((sq, r) => sq.nmMatrix(nm24(r, rows, cols), rows, cols, { n: 2, m: 4 }), (sq, r, M) => ({ y: sq.spmm(M, r.f32(cols * n), n), v: sq.spmv(M, r.f32(cols)), bytes: M.bytes }))],
  );
}
for (const [bh, bw] of [[4, 4], [1, 4], [8, 1], [2, 2]]) {
  for (const n of [3, 16, 33]) {
    cases.push([`spmm bsr ${bh}x${bw} n=${n}`, withMatrix((sq, r) => sq.bsrMatrix(blocks(r, bh * 6, bw * 9, bh, bw, 0.4), bh * 6, bw * 9, { block: [bh, bw] }), (sq, r, M) => sq.spmm(M, r.f32(bw * 9 * n), n))]);
  }
}
cases.push(
  ['sparseLinear batch 5 with bias', (sq, r) => { const w = sparseDense(r, 24, 40, 0.3); return sq.sparseLinear(r.f32(5 * 40), 5, sq.csrFromDense(w, 24, 40), r.f32(24)); }],
  ['sparseLinear batch 1 no bias', (sq, r) => { const w = sparseDense(r, 24, 40, 0.3); return sq.sparseLinear(r.f32(40), 1, sq.csrFromDense(w, 24, 40)); }],
  ['csrFromDense / csrToDense', (sq, r) => { const a = sq.csrFromDense(sparseDense(r, 11, 23, 0.3), 11, 23); return { indptr: a.indptr, indices: a.indices, dense: sq.csrToDense(a) }; }],
);
export default cases;
