// Golden cases of the half-precision family: (name, run(sq, r)) pairs; run returns what is hashed.
import { SIZES } from './data.js';

/** Bit patterns of every class: normals, subnormals, zeros, Inf, NaN, values near 65520. */
const patterns = (r, n) => {
  const u = new Uint32Array(n);
  for (let i = 0; i < n; i++) u[i] = (r.next() * 2 ** 32) >>> 0;
  return new Float32Array(u.buffer);
};

const cases = [];
for (const n of SIZES) {
  cases.push(
    [`toFloat16 + toBfloat16 normal n=${n}`, (sq, r) => { const x = r.f32(n, 3); return { h: sq.toFloat16(x), b: sq.toBfloat16(x) }; }],
    [`toFloat16 + toBfloat16 all classes n=${n}`, (sq, r) => { const x = patterns(r, n); return { h: sq.toFloat16(x), b: sq.toBfloat16(x) }; }],
    [`fromFloat16 + fromBfloat16 n=${n}`, (sq, r) => { const h = new Uint16Array(n).map(() => (r.next() * 65536) >>> 0); return { f: sq.fromFloat16(h), b: sq.fromBfloat16(h) }; }],
  );
}
export default cases;
