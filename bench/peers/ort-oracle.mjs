// Oracle check: sparq's matmulInteger and qlinearMatmul against onnxruntime-web (Wasm, one
// thread) on seeded random cases, every int8 / uint8 combination ONNX Runtime accepts.
// Run: node bench/peers/ort-oracle.mjs   (prints a line per case and a summary; exit 1 on mismatch)
import { init } from 'sparq';
import { loadOrt, session } from './ort.mjs';

const { ort, error } = await loadOrt();
if (error) { console.log(`onnxruntime-web cannot run here: ${error}`); process.exit(0); }
const sq = await init();
let s = 0x5eed;
const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const gen = (T, n) => T.from({ length: n }, () => Math.floor(rnd() * 256) - (T === Int8Array ? 128 : 0));
const ty = (T) => (T === Int8Array ? 'int8' : 'uint8');
const zp = (T) => Math.floor(rnd() * 256) - (T === Int8Array ? 128 : 0);
let bad = 0, total = 0;
for (const [m, k, n] of [[1, 1, 1], [3, 7, 9], [17, 33, 15], [64, 300, 40], [5, 4096, 9]]) {
  for (const [A, B] of [[Uint8Array, Int8Array], [Uint8Array, Uint8Array], [Int8Array, Int8Array], [Int8Array, Uint8Array]]) {
    const a = gen(A, m * k), b = gen(B, k * n), az = zp(A), bz = zp(B);
    const spec = {
      node: { op: 'MatMulInteger', inputs: ['A', 'B', 'az', 'bz'], outputs: ['Y'] },
      inputs: [{ name: 'A', type: ty(A), shape: [m, k] }], outputs: [{ name: 'Y', type: 'int32', shape: [m, n] }],
      initializers: [{ name: 'B', type: ty(B), dims: [k, n], data: b }, { name: 'az', type: ty(A), dims: [], data: new A([az]) }, { name: 'bz', type: ty(B), dims: [], data: new B([bz]) }],
    };
    const tag = `${m}x${k}x${n} ${ty(A)} x ${ty(B)}`;
    try {
      const sess = await session(ort, spec);
      const y = (await sess.run({ A: new ort.Tensor(ty(A), a, [m, k]) })).Y.data;
      const mine = sq.matmulInteger(a, b, m, k, n, { aZeroPoint: az, bZeroPoint: bz });
      total++;
      const ok = mine.every((v, i) => v === y[i]);
      if (!ok) bad++;
      console.log(`MatMulInteger ${tag}: ${ok ? 'identical' : 'DIFFERENT'}`);
    } catch (e) { console.log(`MatMulInteger ${tag}: ORT refused (${String(e.message).split('\n')[0]})`); }
    // QLinearMatMul (ORT requires one type for a and y; scales per tensor)
    const as = 0.001 + rnd() * 0.02, bs = 0.001 + rnd() * 0.02, ys = Math.fround(as * bs * Math.sqrt(k) * 40), yz = zp(A);
    const f32 = (v) => new Float32Array([v]);
    const qspec = {
      node: { op: 'QLinearMatMul', inputs: ['A', 'as', 'az', 'B', 'bs', 'bz', 'ys', 'yz'], outputs: ['Y'] },
      inputs: [{ name: 'A', type: ty(A), shape: [m, k] }], outputs: [{ name: 'Y', type: ty(A), shape: [m, n] }],
      initializers: [
        { name: 'as', type: 'float', dims: [], data: f32(as) }, { name: 'az', type: ty(A), dims: [], data: new A([az]) },
        { name: 'B', type: ty(B), dims: [k, n], data: b }, { name: 'bs', type: 'float', dims: [], data: f32(bs) }, { name: 'bz', type: ty(B), dims: [], data: new B([bz]) },
        { name: 'ys', type: 'float', dims: [], data: f32(ys) }, { name: 'yz', type: ty(A), dims: [], data: new A([yz]) },
      ],
    };
    try {
      const sess = await session(ort, qspec);
      const y = (await sess.run({ A: new ort.Tensor(ty(A), a, [m, k]) })).Y.data;
      const mine = sq.qlinearMatmul(a, b, m, k, n, { aScale: as, aZeroPoint: az, bScale: bs, bZeroPoint: bz, yScale: ys, yZeroPoint: yz });
      total++;
      let diff = 0;
      for (let i = 0; i < mine.length; i++) if (mine[i] !== y[i]) diff++;
      if (diff) bad++;
      console.log(`QLinearMatMul ${tag}: ${diff ? `DIFFERENT in ${diff} of ${mine.length}` : 'identical'}`);
    } catch (e) { console.log(`QLinearMatMul ${tag}: ORT refused (${String(e.message).split('\n')[0]})`); }
  }
}
console.log(`${total - bad} of ${total} compared cases identical to onnxruntime-web`);
process.exit(bad ? 1 : 0);
