// ONNX read / write: the PyTorch-exported test models and a model written byte by byte (typed data
// fields, int64 extremes, strings, a subgraph, sparse initializers, functions, training info),
// round trips (an unmodified model written back parses to an equal model and runs to the same
// outputs in onnxruntime), external data, and corrupt input.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnnx, writeOnnx, saveOnnx } from 'sparq/model';
import { throwsLike } from './_util.js';
import { MODELS, fixture, ortNode, ortWeb, run, maxAbsDiff, pInt, pLen, pF32, pPackedInts, pPackedF32, bytesOf } from './_model.js';

const t = suite('model: onnx');
const INT64_MAX = 2n ** 63n - 1n;

t('reads the PyTorch test models: graph, opsets, attributes, initializers as typed arrays', () => {
  const m = readOnnx(fixture('mlp').bytes);
  assert.is(m.irVersion, 8);
  assert.equal(m.opsetImport, [{ version: 17 }]);
  assert.is(m.producerName, 'pytorch');
  assert.equal(m.graph.node.map((n) => n.opType), ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
  assert.equal(m.graph.node[0].attribute, [{ name: 'alpha', type: 1, f: 1 }, { name: 'beta', type: 1, f: 1 }, { name: 'transB', type: 2, i: 1 }]);
  const w = m.graph.initializer.find((x) => x.name === 'fc1.weight');
  assert.equal(w.dims, [128, 64]);
  assert.is(w.dataType, 1);
  assert.ok(w.data instanceof Float32Array);
  assert.is(w.data.length, 128 * 64);
  assert.equal(m.graph.input[0], { name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 64 }] } } } });
  const e = readOnnx(fixture('encoder').bytes);
  assert.ok(e.graph.node.some((n) => n.opType === 'LayerNormalization'));
  assert.ok(e.graph.node.filter((n) => n.opType === 'MatMul').length >= 6);
});

for (const name of MODELS) {
  t(`${name}: written back unmodified, it parses to an equal model and runs to the same outputs`, async () => {
    const { bytes, input, output } = fixture(name);
    const m = readOnnx(bytes);
    const out = writeOnnx(m);
    assert.ok(out instanceof Uint8Array);
    assert.equal(readOnnx(out), m);
    const feeds = { x: { shape: input.shape, data: input.data } };
    const a = await run(ortNode, bytes, feeds);
    const b = await run(ortNode, out, feeds);
    assert.equal(b.y.dims, output.shape);
    assert.equal(Array.from(b.y.data), Array.from(a.y.data));
    assert.ok(maxAbsDiff(b.y.data, output.data) < 1e-5);
    const w = await run(ortWeb, out, feeds);
    assert.ok(maxAbsDiff(w.y.data, output.data) < 1e-5);
  });
}

/** A model written field by field from the ONNX IR's field numbers (independent of the reader's schema). */
function handBuilt() {
  const T = (...f) => f.flat();
  const shape = (dims) => pLen(2, dims.flatMap((d) => pLen(1, typeof d === 'string' ? pLen(2, d) : pInt(1, d))));
  const vi = (field, name, elem, dims) => pLen(field, T(pLen(1, name), pLen(2, pLen(1, T(pInt(1, elem), shape(dims))))));
  const node = (op, inputs, outputs, name, attrs = []) => pLen(1, T(...inputs.map((i) => pLen(1, i)), ...outputs.map((o) => pLen(2, o)), pLen(3, name), pLen(4, op), ...attrs));
  const subgraph = (name, n, out) => T(n, pLen(2, name), vi(12, out, 1, [2, 3]));
  const attrG = (name, g) => pLen(5, T(pLen(1, name), pInt(20, 5), pLen(6, g)));
  const graph = T(
    node('Mul', ['x', 'w'], ['xw'], 'mul'),
    node('If', ['c'], ['y'], 'if', [
      attrG('then_branch', subgraph('then', node('Add', ['xw', 'xw'], ['t_out'], 'add'), 't_out')),
      attrG('else_branch', subgraph('else', node('Neg', ['xw'], ['e_out'], 'neg'), 'e_out')),
    ]),
    node('Constant', [], ['ci'], 'const', [pLen(5, T(pLen(1, 'value_ints'), pInt(20, 7), pInt(8, INT64_MAX), pInt(8, -3)))]),
    node('Constant', [], ['cf'], 'constf', [pLen(5, T(pLen(1, 'value_float'), pInt(20, 1), pF32(2, 0.25), pLen(13, 'a doc')))]),
    pLen(2, 'hand'),
    // initializers in the typed fields (float_data, int64_data, int32_data for FLOAT16, string_data, uint64_data)
    pLen(5, T(pInt(1, 3), pInt(2, 1), pPackedF32(4, [1, -2, 0.5]), pLen(8, 'w'))),
    pLen(5, T(pInt(1, 2), pInt(2, 7), pPackedInts(7, [INT64_MAX, -1n]), pLen(8, 'big'))),
    pLen(5, T(pInt(1, 2), pInt(2, 10), pPackedInts(5, [0x3c00, 0xc000]), pLen(8, 'h'), pLen(12, 'halves'))),
    pLen(5, T(pInt(1, 2), pInt(2, 8), pLen(6, 'ab'), pLen(6, ''), pLen(8, 's'))),
    pLen(5, T(pInt(1, 1), pInt(2, 13), pPackedInts(11, [2n ** 64n - 1n]), pLen(8, 'u'))),
    // a sparse initializer: values FLOAT [2] at flat indices [1, 3] of dims [4]
    pLen(15, T(pLen(1, T(pInt(1, 2), pInt(2, 1), pLen(9, bytesOf(new Float32Array([5, 6]))), pLen(8, 'sp'))), pLen(2, T(pInt(1, 2), pInt(2, 7), pLen(9, bytesOf(new BigInt64Array([1n, 3n]))))), pInt(3, 4))),
    pLen(10, 'graph doc'),
    vi(11, 'x', 1, [2, 3]),
    pLen(11, T(pLen(1, 'c'), pLen(2, pLen(1, T(pInt(1, 9), pLen(2, [])))))),
    vi(12, 'y', 1, [2, 3]),
    pLen(12, T(pLen(1, 'ci'), pLen(2, pLen(1, T(pInt(1, 7), pLen(2, pLen(1, pInt(1, 2)))))))),
    vi(13, 'xw', 1, [2, 'n']),
    pLen(14, T(pLen(1, 'xw'), pLen(2, T(pLen(1, 'SCALE_TENSOR'), pLen(2, 'w'))))),
    // a value info of a sequence, a map, an optional type (kept, never used)
    pLen(13, T(pLen(1, 'seq'), pLen(2, T(pLen(4, pLen(1, pLen(1, pInt(1, 1)))), pLen(6, 'denoted'))))),
    pLen(13, T(pLen(1, 'map'), pLen(2, pLen(5, T(pInt(1, 7), pLen(2, pLen(9, pLen(1, pLen(1, pInt(1, 1)))))))))),
  );
  const model = T(
    pInt(1, 8),
    pLen(8, T(pLen(1, ''), pInt(2, 17))),
    pLen(8, T(pLen(1, 'local'), pInt(2, 1))),
    pLen(2, 'hand'), pLen(3, '1.0'), pLen(4, 'test.sparq'), pInt(5, 42), pLen(6, 'model doc'),
    pLen(7, graph),
    pLen(14, T(pLen(1, 'k'), pLen(2, 'v'))),
    pLen(20, T(pLen(1, pLen(2, 'init')), pLen(4, T(pLen(1, 'w'), pLen(2, 'w'))))),
    pLen(25, T(pLen(1, 'f'), pLen(4, 'a'), pLen(5, 'b'), pLen(7, T(pLen(1, 'a'), pLen(2, 'b'), pLen(4, 'Identity'))), pLen(9, T(pLen(1, ''), pInt(2, 17))), pLen(10, 'local'))),
  );
  return new Uint8Array(model);
}

t('a hand-built model: typed data fields, int64 extremes, strings, subgraphs, everything else kept', async () => {
  const bytes = handBuilt();
  const m = readOnnx(bytes);
  assert.is(m.modelVersion, 42);
  assert.equal(m.opsetImport, [{ domain: '', version: 17 }, { domain: 'local', version: 1 }]);
  assert.equal(m.metadataProps, [{ key: 'k', value: 'v' }]);
  const init = Object.fromEntries(m.graph.initializer.map((x) => [x.name, x]));
  assert.equal(Array.from(init.w.data), [1, -2, 0.5]);
  assert.ok(init.big.data instanceof BigInt64Array);
  assert.equal(Array.from(init.big.data), [INT64_MAX, -1n]);
  assert.ok(init.h.data instanceof Uint16Array);
  assert.equal(Array.from(init.h.data), [0x3c00, 0xc000]);
  assert.is(init.h.docString, 'halves');
  assert.equal(init.s.data.map((x) => new TextDecoder().decode(x)), ['ab', '']);
  assert.equal(Array.from(init.u.data), [2n ** 64n - 1n]);
  const sp = m.graph.sparseInitializer[0];
  assert.equal(sp.dims, [4]);
  assert.equal(Array.from(sp.values.data), [5, 6]);
  assert.equal(Array.from(sp.indices.data), [1n, 3n]);
  const ints = m.graph.node[2].attribute[0];
  assert.equal(ints, { name: 'value_ints', type: 7, ints: [INT64_MAX, -3] });
  assert.equal(m.graph.node[3].attribute[0], { name: 'value_float', type: 1, f: 0.25, docString: 'a doc' });
  const g = m.graph.node[1].attribute[0].g;
  assert.is(g.name, 'then');
  assert.equal(g.node[0].opType, 'Add');
  assert.equal(m.graph.valueInfo.map((v) => v.name), ['xw', 'seq', 'map']);
  assert.equal(m.graph.valueInfo[1].type, { sequenceType: { elemType: { tensorType: { elemType: 1 } } }, denotation: 'denoted' });
  assert.equal(m.graph.valueInfo[2].type.mapType.keyType, 7);
  assert.ok(m.graph.valueInfo[2].type.mapType.valueType.optionalType);
  assert.equal(m.graph.quantizationAnnotation, [{ tensorName: 'xw', quantParameterTensorNames: [{ key: 'SCALE_TENSOR', value: 'w' }] }]);
  assert.equal(m.functions[0].node[0].opType, 'Identity');
  assert.is(m.trainingInfo[0].initialization.name, 'init');

  const out = writeOnnx(m);
  assert.equal(readOnnx(out), m);
  // onnxruntime: both branches of the subgraph, the original bytes against the written ones
  for (const c of [true, false]) {
    const feeds = { x: { shape: [2, 3], data: [1, 2, 3, -4, 5, -6] }, c: { type: 'bool', shape: [], data: [c] } };
    const a = await run(ortNode, bytes, feeds);
    const b = await run(ortNode, out, feeds);
    const expect = [1, -4, 1.5, -4, -10, -3].map((v) => (c ? 2 * v : -v));
    assert.equal(Array.from(a.y.data), expect);
    assert.equal(Array.from(b.y.data), expect);
    assert.equal(Array.from(b.ci.data), [INT64_MAX, -3n]);
  }
});

t('external data: written at a threshold, read from options.externalData and from a path beside the model', async () => {
  const { bytes, input, output } = fixture('mlp');
  const m = readOnnx(bytes);
  const res = writeOnnx(m, { externalDataThreshold: 1024, location: 'w.bin' });
  assert.ok(res.model.length < 10000, `${res.model.length} bytes left in the model`);
  assert.ok(res.data.length > 95000);
  assert.equal(readOnnx(res.model, { externalData: { 'w.bin': res.data } }), m);
  assert.equal(readOnnx(res.model, { externalData: new Map([['w.bin', res.data.buffer]]) }), m);
  throwsLike(assert, () => readOnnx(res.model), RangeError, /tensor 'fc1.weight': external data 'w.bin' was not given/);
  throwsLike(assert, () => readOnnx(res.model, { externalData: { 'w.bin': res.data.subarray(0, 1000) } }), RangeError, /tensor '.*': external data offset \d+ length \d+ lies outside 'w.bin' \(1000 bytes\)/);
  const dir = mkdtempSync(join(tmpdir(), 'sparq-onnx-'));
  try {
    const path = join(dir, 'mlp.onnx');
    await saveOnnx(m, path, { externalDataThreshold: 1024 });
    assert.equal(readdirSync(dir).sort(), ['mlp.onnx', 'mlp.onnx.data']);
    assert.equal(await readOnnx(path), m);
    const r = await ortNode.InferenceSession.create(path, { logSeverityLevel: 3 });
    const y = await r.run({ x: new ortNode.Tensor('float32', Float32Array.from(input.data), input.shape) });
    assert.ok(maxAbsDiff(y.y.data, output.data) < 1e-5);
    rmSync(join(dir, 'mlp.onnx.data'));
    let err;
    try { await readOnnx(path); } catch (e) { err = e; }
    assert.ok(err instanceof RangeError && /cannot read its external data 'mlp.onnx.data'/.test(err.message), String(err));
    writeFileSync(path, res.model);
    writeFileSync(join(dir, 'w.bin'), res.data);
    assert.equal(await readOnnx(path), m);
    err = undefined;
    try { await readOnnx(join(dir, 'missing.onnx')); } catch (e) { err = e; }
    assert.ok(err instanceof RangeError && /cannot read '.*missing.onnx' \(ENOENT\)/.test(err.message), String(err));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('corrupt input is a clear error', () => {
  const { bytes } = fixture('convnet');
  throwsLike(assert, () => readOnnx(bytes.subarray(0, bytes.length >> 1)), RangeError, /bytes: not a valid ONNX model, the protobuf data is truncated or corrupt/);
  throwsLike(assert, () => readOnnx(new Uint8Array([8, 8])), RangeError, /not an ONNX model \(no graph/);
  throwsLike(assert, () => readOnnx(42), TypeError, /source: expected a Uint8Array, an ArrayBuffer or a path/);
  // a tensor whose raw data does not match its dims
  const m = readOnnx(bytes);
  const bad = { ...m, graph: { ...m.graph, initializer: [{ ...m.graph.initializer[0], dims: [3] }] } };
  throwsLike(assert, () => writeOnnx(bad), RangeError, /model.graph.initializer\[0\].data: holds 144 values, expected 3 for FLOAT \[3\]/);
  const hand = [...pLen(7, [...pLen(5, [...pInt(1, 4), ...pInt(2, 1), ...pLen(9, new Uint8Array(12)), ...pLen(8, 'w')])])];
  throwsLike(assert, () => readOnnx(new Uint8Array(hand)), RangeError, /tensor 'w': raw data has 12 bytes, expected 16 for FLOAT \[4\]/);
  const unknown = [...pLen(7, [...pLen(5, [...pInt(1, 1), ...pInt(2, 99), ...pLen(8, 'q')])])];
  throwsLike(assert, () => readOnnx(new Uint8Array(unknown)), TypeError, /tensor 'q': unknown data type 99/);
  throwsLike(assert, () => writeOnnx(m, { location: '../x.data', externalDataThreshold: 0 }), RangeError, /options.location: external data location '..\/x.data' must be a relative path/);
});

t.run();
