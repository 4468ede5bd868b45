// The parameter rules pinned by hand-computed vectors, on the reference and both builds: the
// scale and zero point of DynamicQuantizeLinear and of PyTorch's MinMaxObserver (float32 values
// computed with numpy.float32), which scale and zero point each element of a per-axis or blocked
// tensor uses, what a valid QuantParams and a valid CSR are. These do not go through the shared
// parameter code twice: a bug in it changes one side only.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, throwsLike } from './_util.js';

const F = Float32Array;

for (const { name, sq } of IMPLS) {
  const t = suite(`parameter rules [${name}]`);

  t('DynamicQuantizeLinear: scale and zero point by hand', () => {
    const cases = [
      // x, scale, zero point
      [[-1, 2], 0.0117647061124444, 85],
      [[1, 2], 0.007843137718737125, 0],
      [[-3, -1], 0.0117647061124444, 255],
      [[-2.5, 7.25], 0.038235295563936234, 65],
      [[0, 0, 0], 1, 0],
      [[], 1, 0],
      [[-1e-45, 1e-45], 2 ** -149, 1], // (max - min) / 255 underflows: the smallest positive f32
    ];
    for (const [x, scale, zp] of cases) {
      const d = sq.dynamicQuantize(new F(x));
      assert.equal([d.scale, d.zeroPoint], [scale, zp], `[${x}]`);
    }
    throwsLike(assert, () => sq.dynamicQuantize(new F([-3e38, 3e38])), RangeError, /^x: its range .*wider than the largest float32/);
  });

  t('MinMaxObserver: scale and zero point by hand', () => {
    const x = new F([-1, 2]);
    const cases = [
      [{ dtype: 'int8' }, 0.0117647061124444, -43],
      [{ dtype: 'uint8' }, 0.0117647061124444, 85],
      [{ dtype: 'int8', symmetric: true }, 0.01568627543747425, 0],
      [{ dtype: 'uint8', symmetric: true }, 0.01568627543747425, 128],
      [{ dtype: 'int8', reduceRange: true }, 0.023622047156095505, -22], // -64 - round(-42.33)
    ];
    for (const [o, scale, zp] of cases) {
      const p = sq.qparams(x, o);
      assert.equal([p.scale, p.zeroPoint, p.rounding], [scale, zp, 'torch'], JSON.stringify(o));
    }
    const z = sq.qparams(new F([0, 0]), { dtype: 'int8' });
    assert.equal([z.scale, z.zeroPoint], [1.1920928955078125e-7, -128], 'all zeros: scale eps');
  });

  t('which scale each element uses: per axis, blocked along either axis', () => {
    const x = new F([1, 2, 3, 4, 5, 6]);
    // shape [2, 3], axis 1: column j uses scale[j]; x / s = [1, 1, 0.75, 4, 2.5, 1.5], half to even
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: new F([1, 2, 4]), shape: [2, 3], axis: 1 })), [1, 1, 1, 4, 2, 2]);
    // axis 0 (or -2): row i uses scale[i]
    assert.equal(Array.from(sq.quantize(x, { dtype: 'int8', scale: new F([1, 2]), shape: [2, 3], axis: -2 })), [1, 2, 3, 2, 2, 3]);
    const y = new F([1, 2, 3, 4, 5, 6, 7, 8]);
    // shape [2, 4], axis 1, blocks of 2: scale shape [2, 2]
    assert.equal(Array.from(sq.quantize(y, { dtype: 'int8', scale: new F([1, 2, 4, 8]), shape: [2, 4], axis: 1, blockSize: 2 })), [1, 2, 2, 2, 1, 2, 1, 1]);
    // shape [4, 2], axis 0, blocks of 2: element (i, j) uses scale[floor(i / 2) * 2 + j]
    assert.equal(Array.from(sq.quantize(y, { dtype: 'int8', scale: new F([1, 2, 4, 8]), shape: [4, 2], axis: 0, blockSize: 2 })), [1, 1, 3, 2, 1, 1, 2, 1]);
    // a last short block: shape [1, 5], blocks of 2 -> 3 scales
    assert.equal(Array.from(sq.dequantize(new Int8Array([1, 1, 1, 1, 1]), { dtype: 'int8', scale: new F([1, 2, 4]), zeroPoint: new Int32Array([0, 1, -1]), shape: [1, 5], axis: 1, blockSize: 2 })), [1, 1, 0, 0, 8]);
    // torch rounding multiplies by the f32 reciprocal: 45.5 / 7 = 6.5 -> 6 (half to even), but
    // 45.5 * f32(1 / 7) = 6.5000005 -> 7; 8.25 / 1.1 = 7.5 -> 8, but 8.25 * f32(1 / 1.1) = 7.4999995 -> 7
    assert.equal(Array.from(sq.quantize(new F([45.5, 8.25]), { dtype: 'int8', scale: new F([7, 1.1]), shape: [2], axis: 0 })), [6, 8]);
    assert.equal(Array.from(sq.quantize(new F([45.5, 8.25]), { dtype: 'int8', scale: new F([7, 1.1]), shape: [2], axis: 0, rounding: 'torch' })), [7, 7]);
  });

  t('what a valid QuantParams is', () => {
    const x = new F(6);
    const q = (p) => () => sq.quantize(x, p);
    throwsLike(assert, q({ dtype: 'int8', scale: 0 }), RangeError, /^p\.scale: expected a finite scale > 0/);
    throwsLike(assert, q({ dtype: 'int8', scale: 1e-46 }), RangeError, /^p\.scale: expected a finite scale > 0 \(as f32\)/);
    throwsLike(assert, q({ dtype: 'int8', scale: Infinity }), RangeError, /^p\.scale/);
    throwsLike(assert, q({ dtype: 'int8', scale: 1, zeroPoint: 128 }), RangeError, /^p\.zeroPoint/);
    throwsLike(assert, q({ dtype: 'uint8', scale: 1, zeroPoint: -1 }), RangeError, /^p\.zeroPoint/);
    throwsLike(assert, q({ dtype: 'int4', scale: 1 }), TypeError, /^p\.dtype/);
    throwsLike(assert, q({ dtype: 'int8', scale: new F([1, 1]), shape: [2, 3], axis: 1 }), RangeError, /^p\.scale: expected 3 scales/);
    throwsLike(assert, q({ dtype: 'int8', scale: new F([1, 1, 1]), shape: [2, 3], axis: 2 }), RangeError, /^p\.axis/);
    throwsLike(assert, q({ dtype: 'int8', scale: new F([1, 1, 1]), shape: [2, 2], axis: 1 }), RangeError, /^p\.shape/);
    throwsLike(assert, q({ dtype: 'int8', scale: 1, blockSize: 2 }), TypeError, /^p\.blockSize/);
    throwsLike(assert, q({ dtype: 'int8', scale: new F([1, 0, 1]), shape: [2, 3], axis: 1 }), RangeError, /^p\.scale\[1\]/);
    throwsLike(assert, q({ dtype: 'int8', scale: new F([1, 1, 1]), zeroPoint: new Int32Array([0, 200, 0]), shape: [2, 3], axis: 1 }), RangeError, /^p\.zeroPoint\[1\]/);
  });

  t('what a valid CSR is', () => {
    const ok = { rows: 2, cols: 3, indptr: new Int32Array([0, 1, 3]), indices: new Int32Array([2, 0, 1]), data: new F([1, 2, 3]) };
    assert.equal(Array.from(sq.csrToDense(ok)), [0, 0, 1, 2, 3, 0]);
    assert.equal(Array.from(sq.csrToDense({ rows: 0, cols: 5, indptr: new Int32Array([0]), indices: new Int32Array(0), data: new F(0) })), []);
    const bad = (patch) => () => sq.csrToDense({ ...ok, ...patch });
    throwsLike(assert, bad({ indptr: new Int32Array([0, 1]) }), RangeError, /^a\.indptr: expected rows \+ 1 = 3/);
    throwsLike(assert, bad({ indptr: new Int32Array([0, 2, 1]) }), RangeError, /^a\.indptr: (decreases|must end)/);
    throwsLike(assert, bad({ indices: new Int32Array([3, 0, 1]) }), RangeError, /^a\.indices: index 0 = 3/);
    throwsLike(assert, bad({ indices: new Int32Array([2, 1, 0]) }), RangeError, /^a\.indices: not strictly increasing in row 1/);
    throwsLike(assert, bad({ data: new F(2) }), RangeError, /^a\.data: expected 3 values/);
    throwsLike(assert, bad({ indices: [2, 0, 1] }), TypeError, /^a\.indices: expected Int32Array/);
    throwsLike(assert, bad({ rows: -1 }), RangeError, /^a\.rows/);
  });

  t.run();
}
