// Model files (`npm run bench -- --only model`): a synthetic model of stacked d x d MatMul weights
// (about 100 M parameters, 400 MB of float32 in external data; --quick: about 4 M) read,
// quantized (dynamic-int8, int4) and written by sparq/model, each pipeline in its own Node process
// so its peak memory (maxRSS) is its own, against copying the same files; then the test encoder
// block's inference time in onnxruntime-web, float against quantized.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, median, record } from './harness.mjs';

const SELF = fileURLToPath(import.meta.url);

/** The child: one pipeline on one model file, printing its timings and peak RSS as JSON. */
async function child(mode, src, dst) {
  const { readOnnx, quantizeOnnx, saveOnnx } = await import('sparq/model');
  const t0 = performance.now();
  const m = await readOnnx(src);
  const t1 = performance.now();
  const q = mode === 'copy-only' ? m : await quantizeOnnx(m, { mode });
  const t2 = performance.now();
  await saveOnnx(q, dst, { externalDataThreshold: 1024 });
  const t3 = performance.now();
  console.log(JSON.stringify({ readMs: t1 - t0, quantizeMs: t2 - t1, writeMs: t3 - t2, totalMs: t3 - t0, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
  process.exit(0);
}

export async function run() {
  const { saveOnnx } = await import('sparq/model');
  const d = QUICK ? 512 : 2048, layers = QUICK ? 16 : 24;
  const dir = mkdtempSync(join(tmpdir(), 'sparq-model-bench-'));
  try {
    // the synthetic model: x -> MatMul(W0) -> Relu -> ... (weights from a fixed LCG)
    const node = [], initializer = [];
    let s = 12345;
    for (let l = 0; l < layers; l++) {
      const w = new Float32Array(d * d);
      for (let i = 0; i < w.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        w[i] = ((s >>> 8) / 16777216 - 0.5) * 0.05;
      }
      initializer.push({ name: `w${l}`, dataType: 1, dims: [d, d], data: w });
      node.push({ input: [l ? `h${l}` : 'x', `w${l}`], output: [`m${l}`], name: `mm${l}`, opType: 'MatMul', attribute: [] });
      node.push({ input: [`m${l}`], output: [l === layers - 1 ? 'y' : `h${l + 1}`], name: `relu${l}`, opType: 'Relu', attribute: [] });
    }
    const vi = (name) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'b' }, { dimValue: d }] } } } });
    const src = join(dir, 'model.onnx');
    await saveOnnx({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', node, initializer, input: [vi('x')], output: [vi('y')] } }, src, { externalDataThreshold: 1024 });
    initializer.length = 0;
    const bytes = statSync(src).size + statSync(`${src}.data`).size;
    console.log(`# synthetic model: ${layers} x MatMul ${d} x ${d} = ${(layers * d * d / 1e6).toFixed(1)} M parameters, ${(bytes / 1e6).toFixed(1)} MB (external data)`);
    // the file copy: the floor any pipeline is compared with
    const copies = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      copyFileSync(src, join(dir, 'copy.onnx'));
      copyFileSync(`${src}.data`, join(dir, 'copy.onnx.data'));
      copies.push(performance.now() - t0);
    }
    const copyMs = median(copies);
    record('model', `copy model + data (${(bytes / 1e6).toFixed(0)} MB)`, { ms: copyMs, rme: 0 }, { bytes });
    for (const mode of ['dynamic-int8', 'int4']) {
      const r = spawnSync(process.execPath, [SELF, '--child', mode, src, join(dir, `${mode}.onnx`)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${mode} pipeline failed: ${r.stderr}`);
      const j = JSON.parse(r.stdout.trim().split('\n').pop());
      const out = statSync(join(dir, `${mode}.onnx`)).size + statSync(join(dir, `${mode}.onnx.data`)).size;
      record('model', `${mode}: read + quantize + write`, { ms: j.totalMs, rme: 0 }, { bytes, ratios: { copy: copyMs } });
      console.log(`    read ${j.readMs.toFixed(0)} ms, quantize ${j.quantizeMs.toFixed(0)} ms, write ${j.writeMs.toFixed(0)} ms; peak RSS ${j.maxRssMB.toFixed(0)} MB = ${(j.maxRssMB * 1e6 / bytes).toFixed(2)} x the model; output ${(out / 1e6).toFixed(1)} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // inference speed of the test encoder block in onnxruntime-web, float vs quantized
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const { readOnnx, writeOnnx, quantizeOnnx } = await import('sparq/model');
  const bytesF = new Uint8Array(readFileSync(new URL('../test/fixtures/models/encoder.onnx', import.meta.url)));
  const m = readOnnx(bytesF);
  const x = new ort.Tensor('float32', new Float32Array(1 * 64 * 64).map((_, i) => Math.sin(i)), [1, 64, 64]);
  let floatMs;
  for (const [name, b] of [['float', bytesF], ['dynamic-int8', writeOnnx(await quantizeOnnx(m, { mode: 'dynamic-int8' }))], ['int4', writeOnnx(await quantizeOnnx(m, { mode: 'int4', blockSize: 32 }))]]) {
    const sess = await ort.InferenceSession.create(b);
    for (let i = 0; i < 5; i++) await sess.run({ x });
    const ts = [];
    for (let i = 0; i < (QUICK ? 20 : 100); i++) {
      const t0 = performance.now();
      await sess.run({ x });
      ts.push(performance.now() - t0);
    }
    const ms = median(ts);
    floatMs ??= ms;
    record('model', `onnxruntime-web encoder block [1, 64, 64] ${name}`, { ms, rme: 0 }, { ratios: { float: floatMs } });
    await sess.release();
  }
}
