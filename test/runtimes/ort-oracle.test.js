// onnxruntime-web (the Wasm build, one thread, run in Node) as an external oracle: sparq's
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger and QLinearMatMul must
// give exactly ONNX Runtime's output on seeded random inputs, ties and specials included.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from 'sparq';
import { loadOrt, session } from '../../bench/peers/ort.mjs';
import { rng, seedOf } from '../golden/data.js';

const sq = await init();
const { ort, error } = await loadOrt();
const t = suite('onnxruntime-web oracle');
const ty = (T) => (T === Int8Array ? 'int8' : 'uint8');

async function runOp(node, inputs, outputs, initializers, feeds) {
  const sess = await session(ort, { node, inputs, outputs, initializers });
  const r = await sess.run(Object.fromEntries(Object.entries(feeds).map(([k, [type, data, dims]]) => [k, new ort.Tensor(type, data, dims)])));
  return r;
}

function diffIndex(a, b) {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `index ${i}: sparq ${a[i]} vs ORT ${b[i]}`;
  return a.length === b.length ? undefined : 'lengths differ';
}

t('onnxruntime-web loads in Node', () => {
  assert.is(error, undefined, `onnxruntime-web failed to load: ${error}`);
});

t('QuantizeLinear / DequantizeLinear per tensor: identical to ORT (ties, saturation, -0, denormals)', async () => {
  for (const [T, zp, scale] of [[Int8Array, 0, 0.05], [Int8Array, -7, 0.013], [Uint8Array, 128, 0.02], [Uint8Array, 3, 1]]) {
    const r = rng(seedOf(`q ${ty(T)} ${zp} ${scale}`));
    const x = r.f32(1000, 4);
    const s = Math.fround(scale);
    for (let i = 0; i < 200; i++) x[i] = Math.fround((r.int(-300, 300) + 0.5) * s); // ties
    x.set([0, -0, 1e-45, -1e-45, 1e30, -1e30, 127.5 * s, -128.5 * s], 200);
    const out = await runOp({ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'] },
      [{ name: 'x', type: 'float', shape: [x.length] }], [{ name: 'y', type: ty(T), shape: [x.length] }],
      [{ name: 's', type: 'float', dims: [], data: new Float32Array([s]) }, { name: 'z', type: ty(T), dims: [], data: new T([zp]) }],
      { x: ['float32', x, [x.length]] });
    const mine = sq.quantize(x, { dtype: ty(T), scale: s, zeroPoint: zp });
    assert.is(diffIndex(mine, out.y.data), undefined, `QuantizeLinear ${ty(T)} zp ${zp}`);
    const q = r[ty(T) === 'int8' ? 'i8' : 'u8'](1000);
    const dq = await runOp({ op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['y'] },
      [{ name: 'q', type: ty(T), shape: [q.length] }], [{ name: 'y', type: 'float', shape: [q.length] }],
      [{ name: 's', type: 'float', dims: [], data: new Float32Array([s]) }, { name: 'z', type: ty(T), dims: [], data: new T([zp]) }],
      { q: [ty(T), q, [q.length]] });
    assert.is(diffIndex(sq.dequantize(q, { dtype: ty(T), scale: s, zeroPoint: zp }), dq.y.data), undefined, `DequantizeLinear ${ty(T)}`);
  }
});

t('QuantizeLinear per axis (axis 0 and 1): identical to ORT', async () => {
  const r = rng(seedOf('per axis'));
  const [R, C] = [13, 37];
  const x = r.f32(R * C, 3);
  for (const axis of [0, 1]) {
    const D = axis === 0 ? R : C;
    const s = new Float32Array(D).map(() => r.uniform(0.005, 0.05));
    const z = new Uint8Array(D).map(() => r.int(0, 255));
    const out = await runOp({ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes: { axis } },
      [{ name: 'x', type: 'float', shape: [R, C] }], [{ name: 'y', type: 'uint8', shape: [R, C] }],
      [{ name: 's', type: 'float', dims: [D], data: s }, { name: 'z', type: 'uint8', dims: [D], data: z }],
      { x: ['float32', x, [R, C]] });
    const mine = sq.quantize(x, { dtype: 'uint8', scale: s, zeroPoint: Int32Array.from(z), shape: [R, C], axis });
    assert.is(diffIndex(mine, out.y.data), undefined, `axis ${axis}`);
  }
});

t('DynamicQuantizeLinear: scale, zero point and data identical to ORT', async () => {
  for (const [n, lo, hi] of [[1000, -3, 5], [777, 0.5, 2], [64, -4, -1], [4099, -0.01, 0.02]]) {
    const r = rng(seedOf(`dyn ${n}`));
    const x = new Float32Array(n).map(() => r.uniform(lo, hi));
    const out = await runOp({ op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['y', 'ys', 'yz'] },
      [{ name: 'x', type: 'float', shape: [n] }],
      [{ name: 'y', type: 'uint8', shape: [n] }, { name: 'ys', type: 'float', shape: [] }, { name: 'yz', type: 'uint8', shape: [] }],
      [], { x: ['float32', x, [n]] });
    const mine = sq.dynamicQuantize(x);
    assert.is(mine.scale, out.ys.data[0], `scale n=${n}`);
    assert.is(mine.zeroPoint, out.yz.data[0], `zero point n=${n}`);
    assert.is(diffIndex(mine.data, out.y.data), undefined, `data n=${n}`);
  }
});

t('MatMulInteger and QLinearMatMul: identical to ORT for every combination ORT accepts', async () => {
  let compared = 0;
  for (const [m, k, n] of [[1, 1, 1], [3, 7, 9], [17, 33, 15], [5, 300, 40]]) {
    for (const [A, B] of [[Uint8Array, Int8Array], [Uint8Array, Uint8Array], [Int8Array, Int8Array], [Int8Array, Uint8Array]]) {
      const r = rng(seedOf(`mm ${m} ${k} ${n} ${ty(A)} ${ty(B)}`));
      const a = r[ty(A) === 'int8' ? 'i8' : 'u8'](m * k), b = r[ty(B) === 'int8' ? 'i8' : 'u8'](k * n);
      const az = ty(A) === 'int8' ? r.int(-128, 127) : r.int(0, 255), bz = ty(B) === 'int8' ? r.int(-128, 127) : r.int(0, 255);
      let ortY;
      try {
        ortY = (await runOp({ op: 'MatMulInteger', inputs: ['A', 'B', 'az', 'bz'], outputs: ['Y'] },
          [{ name: 'A', type: ty(A), shape: [m, k] }], [{ name: 'Y', type: 'int32', shape: [m, n] }],
          [{ name: 'B', type: ty(B), dims: [k, n], data: b }, { name: 'az', type: ty(A), dims: [], data: new A([az]) }, { name: 'bz', type: ty(B), dims: [], data: new B([bz]) }],
          { A: [ty(A), a, [m, k]] })).Y.data;
      } catch {
        continue; // a type combination this ORT build has no kernel for
      }
      assert.is(diffIndex(sq.matmulInteger(a, b, m, k, n, { aZeroPoint: az, bZeroPoint: bz }), ortY), undefined, `MatMulInteger ${m}x${k}x${n} ${ty(A)} x ${ty(B)}`);
      compared++;
      const as = Math.fround(r.uniform(0.001, 0.02)), bs = Math.fround(r.uniform(0.001, 0.02)), ys = Math.fround(as * bs * Math.sqrt(k) * 40), yz = ty(A) === 'int8' ? r.int(-20, 20) : r.int(100, 150);
      let qY;
      try {
        qY = (await runOp({ op: 'QLinearMatMul', inputs: ['A', 'as', 'az', 'B', 'bs', 'bz', 'ys', 'yz'], outputs: ['Y'] },
          [{ name: 'A', type: ty(A), shape: [m, k] }], [{ name: 'Y', type: ty(A), shape: [m, n] }],
          [{ name: 'as', type: 'float', dims: [], data: new Float32Array([as]) }, { name: 'az', type: ty(A), dims: [], data: new A([az]) },
            { name: 'B', type: ty(B), dims: [k, n], data: b }, { name: 'bs', type: 'float', dims: [], data: new Float32Array([bs]) }, { name: 'bz', type: ty(B), dims: [], data: new B([bz]) },
            { name: 'ys', type: 'float', dims: [], data: new Float32Array([ys]) }, { name: 'yz', type: ty(A), dims: [], data: new A([yz]) }],
          { A: [ty(A), a, [m, k]] })).Y.data;
      } catch {
        continue;
      }
      const mine = sq.qlinearMatmul(a, b, m, k, n, { aScale: as, aZeroPoint: az, bScale: bs, bZeroPoint: bz, yScale: ys, yZeroPoint: yz, yDtype: ty(A) });
      assert.is(diffIndex(mine, qY), undefined, `QLinearMatMul ${m}x${k}x${n} ${ty(A)} x ${ty(B)}`);
      compared++;
    }
  }
  assert.ok(compared >= 16, `only ${compared} products compared`);
});

t.run();
