// safetensors read / write: hand-built files (byte by byte), the canonical write form, round trips
// of every dtype, and headers that lie (each a clear error naming what is wrong).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readSafetensors, writeSafetensors } from 'sparq/model';
import { throwsLike } from './_util.js';

const t = suite('model: safetensors');

/** A file from a header object (or raw header text) and data bytes, padded as given. */
function file(header, data = new Uint8Array(0), pad = 0) {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + pad + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length + pad), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + json.length + pad);
  out.set(data, 8 + json.length + pad);
  return out;
}
const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

t('reads a hand-built file: offsets relative to the data, any key order, header padding', () => {
  const w = new Float32Array([1.5, -2, 3.25, 0]);
  const ids = new BigInt64Array([7n, -1n, 9007199254740993n]);
  const data = new Uint8Array(16 + 24);
  data.set(bytesOf(ids), 0);
  data.set(bytesOf(w), 24);
  const bytes = file({
    'w': { shape: [2, 2], data_offsets: [24, 40], dtype: 'F32' },
    '__metadata__': { format: 'pt' },
    'ids': { dtype: 'I64', shape: [3], data_offsets: [0, 24] },
  }, data, 5);
  const st = readSafetensors(bytes);
  assert.equal(st.metadata, { format: 'pt' });
  assert.equal(Object.keys(st.tensors).sort(), ['ids', 'w']);
  assert.equal(st.tensors.w.dtype, 'F32');
  assert.equal(st.tensors.w.shape, [2, 2]);
  assert.equal(Array.from(st.tensors.w.data), [1.5, -2, 3.25, 0]);
  assert.ok(st.tensors.ids.data instanceof BigInt64Array);
  assert.equal(Array.from(st.tensors.ids.data), [7n, -1n, 9007199254740993n]);
  // an ArrayBuffer reads the same
  assert.equal(Array.from(readSafetensors(bytes.slice().buffer).tensors.w.data), [1.5, -2, 3.25, 0]);
});

t('unaligned data is copied, aligned data is viewed', () => {
  const data = new Uint8Array(1 + 4);
  data[0] = 9;
  new DataView(data.buffer).setFloat32(1, 2.5, true);
  const bytes = file({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'F32', shape: [], data_offsets: [1, 5] } }, data);
  const st = readSafetensors(bytes);
  assert.equal(st.tensors.b.shape, []);
  assert.equal(Array.from(st.tensors.b.data), [2.5]);
  assert.equal(Array.from(st.tensors.a.data), [9]);
  assert.is(st.tensors.a.data.buffer, bytes.buffer);
});

t('writes the canonical form: metadata first, element size then name, 8-byte header padding', () => {
  const out = writeSafetensors({
    z: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
    b: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
    a: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    d: { dtype: 'F64', shape: [1, 1], data: new Float64Array([-0.5]) },
  }, { who: 'test' });
  const n = Number(new DataView(out.buffer).getBigUint64(0, true));
  assert.is(n % 8, 0);
  const text = new TextDecoder().decode(out.subarray(8, 8 + n));
  const expected = '{"__metadata__":{"who":"test"},"d":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F16","shape":[2],"data_offsets":[12,16]},"z":{"dtype":"U8","shape":[3],"data_offsets":[16,19]}}';
  assert.is(text.trimEnd(), expected);
  assert.is(text.length - expected.length, n - expected.length);
  assert.ok(/^ *$/.test(text.slice(expected.length)));
  assert.is(out.length, 8 + n + 19);
  // the same tensors given in another order give the same bytes
  const again = writeSafetensors({
    d: { dtype: 'F64', shape: [1, 1], data: new Float64Array([-0.5]) },
    a: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    z: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
    b: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
  }, { who: 'test' });
  assert.equal(Array.from(again), Array.from(out));
});

t('every dtype round-trips, bit for bit', () => {
  const tensors = {
    f64: { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -0]) },
    f32: { dtype: 'F32', shape: [3], data: new Float32Array([NaN, Infinity, -1e-40]) },
    f16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x7e00, 0x0001]) },
    bf16: { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3f80]) },
    i64: { dtype: 'I64', shape: [1], data: new BigInt64Array([-(2n ** 63n)]) },
    i32: { dtype: 'I32', shape: [1], data: new Int32Array([-2147483648]) },
    i16: { dtype: 'I16', shape: [1], data: new Int16Array([-32768]) },
    i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
    u8: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
    bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    u16: { dtype: 'U16', shape: [1], data: new Uint16Array([65535]) },
    u32: { dtype: 'U32', shape: [1], data: new Uint32Array([4294967295]) },
    u64: { dtype: 'U64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
  };
  const out = writeSafetensors(tensors);
  const st = readSafetensors(out);
  assert.equal(st.metadata, {});
  for (const [k, v] of Object.entries(tensors)) {
    assert.is(st.tensors[k].dtype, v.dtype, k);
    assert.equal(st.tensors[k].shape, v.shape, k);
    assert.is(st.tensors[k].data.constructor, v.data.constructor, k);
    assert.equal(Array.from(bytesOf(st.tensors[k].data)), Array.from(bytesOf(v.data)), k);
  }
  // written again, the same bytes
  assert.equal(Array.from(writeSafetensors(st.tensors)), Array.from(out));
});

t('headers that lie are clear errors', () => {
  const f4 = new Uint8Array(8);
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  throwsLike(assert, () => readSafetensors(new Uint8Array(5)), RangeError, /too short .*header length/);
  const big = file({ a: ok }, f4);
  new DataView(big.buffer).setBigUint64(0, 10n ** 12n, true);
  throwsLike(assert, () => readSafetensors(big), RangeError, /header length 1000000000000 runs past the end/);
  throwsLike(assert, () => readSafetensors(file('{"a": {', f4)), TypeError, /header: not valid JSON/);
  throwsLike(assert, () => readSafetensors(file('[1, 2]', f4)), TypeError, /header: expected a JSON object/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, dtype: 'F8_E9M9' } }, f4)), TypeError, /tensor 'a'.dtype: unknown dtype 'F8_E9M9'/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, shape: [2, -1] } }, f4)), TypeError, /tensor 'a'.shape: expected an array of integers >= 0/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, data_offsets: [0] } }, f4)), TypeError, /tensor 'a'.data_offsets: expected \[begin, end\]/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, data_offsets: [0, 12] } }, f4)), RangeError, /tensor 'a'.data_offsets: end 12 is past the end of the data \(8 bytes\)/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, data_offsets: [8, 4] } }, f4)), RangeError, /end 4 is before begin 8/);
  throwsLike(assert, () => readSafetensors(file({ a: { ...ok, shape: [3] } }, f4)), RangeError, /tensor 'a': data_offsets span 8 bytes, but F32 \[3\] needs 12/);
  // overlapping, gap, trailing bytes
  const two = (b) => ({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: b } });
  throwsLike(assert, () => readSafetensors(file(two([2, 6]), f4)), RangeError, /tensor 'b': data_offsets \[2, 6\] overlap tensor 'a'/);
  throwsLike(assert, () => readSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f4)), RangeError, /begin at 4, leaving a gap after byte 0/);
  throwsLike(assert, () => readSafetensors(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f4)), RangeError, /4 bytes of data after the last tensor/);
  throwsLike(assert, () => readSafetensors(file({ __metadata__: { n: 3 } }, new Uint8Array(0))), TypeError, /header.__metadata__.n: expected a string, got number/);
  throwsLike(assert, () => readSafetensors('not bytes'), TypeError, /bytes: expected a Uint8Array or an ArrayBuffer/);
});

t('writeSafetensors checks its input', () => {
  throwsLike(assert, () => writeSafetensors({ a: { dtype: 'Q4', shape: [1], data: new Uint8Array(1) } }), TypeError, /tensors\['a'\].dtype: unknown dtype "Q4"/);
  throwsLike(assert, () => writeSafetensors({ a: { dtype: 'F32', shape: [1], data: new Float64Array(1) } }), TypeError, /tensors\['a'\].data: expected a Float32Array for F32, got Float64Array/);
  throwsLike(assert, () => writeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), RangeError, /holds 3 values, shape \[2, 2\] needs 4/);
  throwsLike(assert, () => writeSafetensors({ __metadata__: { dtype: 'U8', shape: [], data: new Uint8Array(1) } }), RangeError, /reserved/);
  throwsLike(assert, () => writeSafetensors({}, { a: 1 }), TypeError, /metadata.a: expected a string/);
});

t.run();
