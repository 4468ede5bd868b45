// Writes docs/benchmarks.md from committed bench runs (the JSON of bench/run.mjs --json FILE):
//   node scripts/bench-docs.mjs [--readme] [run.json ...]
// The first run is the headline run (it must hold every family of the main run). Each family's
// table comes from the last run listed that holds that family, so list newer single-family runs
// after the main one; every table names its run. Without runs, DEFAULT_RUNS are used. --readme
// also rewrites the README's headline table (between <!-- bench-headline --> and its end marker).
// Everything below the tables' prose is generated from the runs; the prose lives in this file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RUNS, FAMILIES, ROOT, familyTable, fmtRatio, headlineTable, loadRun, row, runLine } from './bench-md.mjs';

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const runs = (files.length ? files : DEFAULT_RUNS.map((f) => join(ROOT, f))).map(loadRun);
const main = runs[0];
const missing = FAMILIES.filter((f) => !main.families.includes(f));
if (missing.length) {
  console.error(`bench-docs: the first run (${main.path}) is the headline run and must hold every family; it lacks ${missing.join(', ')}`);
  process.exit(1);
}
/** The run each family's table comes from: the last one listed that holds it. */
const runOf = (family) => runs.findLast((r) => r.families.includes(family));

/** "a / b" of two rows of a run as a ratio for reading, or '?' when a row is missing. */
function ratio(run, slow, fast) {
  const a = row(run, slow), b = row(run, fast);
  return a && b ? `${fmtRatio(a.ms / b.ms)}x` : '?';
}
/** A column of one row (e.g. its 'x copy'), or '?' when missing. */
function col(run, name, key) {
  const r = row(run, name);
  return r && r[key] !== undefined ? `${r[key]}` : '?';
}

const SECTIONS = {
  quant: {
    title: 'Quantization',
    anchor: 'quantization',
    intro: (run) => `4 194 304 floats (16 MiB), uniform in [-4, 4): per tensor, per channel (1024 x 4096, axis 0) and
blocked (blocks of 32 along the last axis, 131 072 scales); int8 output, uint8 for dynamicQuantize.
The "x copy" of the SIMD rows other than the blocked ones divides by the median of 16 MiB copies
timed before, between and after four rounds of the case (paired); the other rows divide by the
copy timed at the start of the run.
GB/s counts the bytes read and written (5 per element; 9 for dynamicQuantize, which reads \`x\`
twice).`,
    notes: (run) => [
      `SIMD build over the scalar build: ${ratio(run, 'quantize per tensor, resident [scalar]', 'quantize per tensor, resident [simd]')} quantize, ${ratio(run, 'dequantize per tensor, resident [scalar]', 'dequantize per tensor, resident [simd]')} dequantize, ${ratio(run, 'dynamicQuantize, resident [scalar]', 'dynamicQuantize, resident [simd]')} dynamicQuantize; over plain JS: ${ratio(run, 'quantize per tensor [plain JS]', 'quantize per tensor, resident [simd]')} quantize, ${ratio(run, 'dequantize per tensor [plain JS]', 'dequantize per tensor, resident [simd]')} dequantize.`,
      `ONNX rounding needs \`f32(x / scale)\` exactly for every element; the SIMD build divides half of the lanes and brackets the other half between two reciprocal products ([semantics](semantics.md#quant-builds)). Torch rounding multiplies by the f32 reciprocal, as torch does, which is why it is faster (${col(run, "quantize per tensor, rounding 'torch', resident [simd]", 'x copy')}x the copy against ${col(run, 'quantize per tensor, resident [simd]', 'x copy')}x).`,
      'dynamicQuantize is a range pass over `x` plus a quantize pass (uint8); the range must be known before the first element is quantized, so the two passes cannot be fused.',
      'The copying API streams `x` in 256 KiB chunks, so the kernel works in cache; reading `x` out of JavaScript memory adds to the kernel\'s time.',
    ],
  },
  prune: {
    title: 'Pruning masks',
    anchor: 'pruning-masks',
    intro: () => `4 194 304 floats, roughly normal (a sum of three uniforms), masks resident. Plain-JS baselines: a
threshold loop, a sort of \`|w|\` (\`Float32Array.prototype.sort\`), a quickselect (Hoare partition,
median of three) and a 2:4 loop; the sort and quickselect find the cut only (ties unresolved).
"x copy" divides by the copy timed at the start of the run; "x plain JS", "x quickselect" and
"x sort" divide by those baselines.`,
    notes: (run) => [
      `magnitudeMask keeping 10% (SIMD, resident) takes ${col(run, 'magnitudeMask keep 10%, resident [simd]', 'x copy')}x the copy; a JS quickselect ${col(run, 'magnitude keep 10% [plain JS quickselect]', 'x copy')}x, a JS sort ${col(run, 'magnitude keep 10% [plain JS sort]', 'x copy')}x. The selection is an O(n) radix select ([semantics](semantics.md#prune-select)).`,
      `nmMask cost grows with m: 4:8 takes ${ratio(run, 'nmMask 4:8, resident [simd]', 'nmMask 2:4, resident [simd]')} the time of 2:4 (pairwise compares, [semantics](semantics.md#nm-mask)).`,
    ],
  },
  sparse: {
    title: 'Sparse products',
    anchor: 'sparse-products',
    intro: () => `W 4096 x 4096 at 50 / 90 / 95% uniform random sparsity (and 2:4, and 4x4 blocks at 90%) times X
4096 x 64 and times a vector; matrices resident. "GFLOP/s nnz" counts 2 flops per stored nonzero
and output column; "dense-eq GFLOP/s" counts 2 * 4096 * 4096 * 64. The peer is TensorFlow.js's
Wasm backend (\`@tensorflow/tfjs-backend-wasm\` 4.22: XNNPACK, SIMD, one thread) running the
dense product. The "x copy" of the SIMD CSR and sparse int8 spmv rows is paired (copies timed
around the case); the other rows divide by the copy timed at the start of the run. "x sparq
dense" divides by sparq's dense \`matmul\` of the same shape, "x f32 CSR" by the f32 CSR row of
the same build, "x CSR same matrix" by the CSR product of the BSR row's matrix.`,
    notes: (run) => [
      `spmm at 90% sparsity, SIMD: ${col(run, 'spmm 90% x 64, resident [simd]', 'GFLOP/s nnz')} GFLOP/s over nonzeros, ${ratio(run, 'TF.js wasm dense matMul (XNNPACK, SIMD, 1 thread)', 'spmm 90% x 64, resident [simd]')} faster than TF.js's dense product; sparq's dense \`matmul\` against TF.js: ${col(run, 'sparq matmul, resident [simd]', 'x TF.js')}x its time.`,
      `spmv is bound by the gather of \`x[col]\` per nonzero, not by memory. Resident CSR matrices with up to 16384 columns store byte offsets, spmv copies \`x\` to a fixed address and gathers with no address arithmetic, reads the indices four at a time and takes 32 entries an iteration.`,
      `Sparse int8 against f32 CSR at 90%: spmv ${col(run, 'sparse int8 spmv 90%, resident [simd]', 'x f32 CSR')}x the time, spmm ${col(run, 'sparse int8 spmm 90% x 64, resident [simd]', 'x f32 CSR')}x. With f32 X each nonzero still costs one f32 multiply-add per output column; int8 values save value loads in spmv and nothing in spmm, which is bound by the loads and arithmetic on X ([lower bounds](#lower-bounds)).`,
      `2:4 spmm against sparq's dense product: ${col(run, '2:4 spmm x 64, resident [simd] (34.0 MiB)', 'x sparq dense')}x its time; BSR 4x4 against CSR of the same matrix: ${col(run, 'BSR 4x4 spmm 90% x 64, resident [simd]', 'x CSR same matrix')}x.`,
    ],
  },
  int: {
    title: 'Integer products',
    anchor: 'integer-products',
    intro: () => `A 64 x 4096 times B 4096 x 4096 (1.07 G multiply-adds; GOP/s counts 2 operations per
multiply-add), B packed once (\`packedInt8\` / \`packedInt4\`), A and outputs resident except in the
"copying A / out" row. Plain-JS baselines ran on 16 x 512 x 512 (compare their rates). Peers:
onnxruntime-web 1.30 (Wasm, one thread) running a one-node model written by
\`bench/peers/onnx-model.mjs\`.`,
    notes: (run) => [
      `int8 x int8 against sparq's f32 \`matmul\` of the same shape: ${ratio(run, 'f32 sq.matmul 64x4096x4096 [simd]', 'int8 x int8 -> int32 64x4096x4096, packed [simd]')} faster; quantizedLinear takes ${ratio(run, 'quantizedLinear f32 -> f32 64x4096x4096 [simd]', 'int8 x int8 -> int32 64x4096x4096, packed [simd]')} the time of the bare int8 product; matmulInt4 is ${ratio(run, 'f32 sq.matmul 64x4096x4096 [simd]', 'matmulInt4 bs 32 f32 -> f32 64x4096x4096 [simd]')} faster than the f32 product.`,
      `Against onnxruntime-web: int8 x int8 ${ratio(run, 'ORT-web MatMulInteger int8 x int8 (Wasm, 1 thread)', 'int8 x int8 -> int32 64x4096x4096, packed [simd]')} faster (ONNX Runtime's Wasm build has no SIMD kernel for it), uint8 x int8 ${ratio(run, 'ORT-web MatMulInteger uint8 x int8 (Wasm, 1 thread)', 'uint8 x int8 -> int32 64x4096x4096, packed [simd]')} faster, quantizedLinear ${ratio(run, 'ORT-web DynamicQuantizeMatMul (Wasm, 1 thread)', 'quantizedLinear f32 -> f32 64x4096x4096 [simd]')} faster than its DynamicQuantizeMatMul. onnxruntime-web's \`env.wasm.simd = 'relaxed'\` only checks that the runtime has relaxed SIMD: its Wasm binary holds no relaxed instruction (binaryen's listing), so it has no relaxed variant to compare.`,
      ...[[1, ''], [1, ', cold cache'], [4, '']].filter(([m, st]) => row(run, `decode: f32 sq.matmul ${m}x4096x4096, resident${st} [simd]`)).map(([m, st]) => {
        const s = `${m}x4096x4096`;
        const inv = (name, key) => { const r = row(run, name); return r && r[key] ? `${fmtRatio(1 / r[key])}x` : '?'; };
        const how = st ? 'each case after a read of 64 MiB of other data, so that none finds its weights in cache' : 'each case in its steady state of repeated calls: eight calls in a row, the median of the last five';
        return `Decode shape ${s}${st ? ', cold cache' : ''} (rows "decode:", alternated ${QUICKR(run)} rounds, ${how}; "x f32 matmul" and "x floor" are medians of per-round ratios): quantizedLinear ${inv(`decode: quantizedLinear ${s}, resident${st} [simd]`, 'x f32 matmul')} faster than the f32 \`matmul\` of the same shape (reduceRange ${inv(`decode: quantizedLinear reduceRange ${s}${st} [simd]`, 'x f32 matmul')}), matmulInt4 ${inv(`decode: matmulInt4 bs 32 ${s}, resident${st} [simd]`, 'x f32 matmul')}; against one read of their packed weights ("decode floor" rows), quantizedLinear takes ${col(run, `decode: quantizedLinear ${s}, resident${st} [simd]`, 'x floor')}x and matmulInt4 ${col(run, `decode: matmulInt4 bs 32 ${s}, resident${st} [simd]`, 'x floor')}x.`;
      }),
      ...(row(run, 'quantizedLinear reduceRange 64x4096x4096 [relaxed, Deno]') ? [`The relaxed build ("[relaxed, Deno]" rows: Node 20 cannot run it, so \`bench/int-relaxed.mjs\` runs in Deno with both builds alternated in that process; "x simd" is the median of per-round ratios, "simd ms" the SIMD build's median there): quantizedLinear with reduceRange ${(1 / row(run, 'quantizedLinear reduceRange 64x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x faster than the SIMD build on 64 x 4096 x 4096 and ${(1 / row(run, 'quantizedLinear reduceRange 1x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x on 1 x 4096 x 4096, where it takes ${col(run, 'decode: quantizedLinear reduceRange 1x4096x4096 [relaxed, Deno]', 'x floor')}x one read of its weights timed in the same rounds; the full 8-bit products keep the SIMD kernels (ratios near 1 by construction: int8 x int8 ${(1 / row(run, 'int8 x int8 -> int32 64x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x, uint8 x int8 ${(1 / row(run, 'uint8 x int8 -> int32 64x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x).${row(run, 'matmulInt4 bs 32 64x4096x4096 [relaxed, Deno]') ? ` matmulInt4 (one relaxed int8 dot per 16 products, the nibbles as the 7-bit operand) ${(1 / row(run, 'matmulInt4 bs 32 64x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x faster than the SIMD build on 64 x 4096 x 4096 and ${(1 / row(run, 'matmulInt4 bs 32 1x4096x4096 [relaxed, Deno]')['x simd']).toFixed(2)}x on 1 x 4096 x 4096.` : ''}`] : []),
      ...['', ', cold cache'].filter((st) => row(run, `decode: f32 sq.matmul 1x4096x4096, resident${st} [relaxed, Deno]`)).map((st) => {
        const inv = (name) => { const r = row(run, name); return r && r['x f32 matmul'] ? `${fmtRatio(1 / r['x f32 matmul'])}x` : '?'; };
        const s = '1x4096x4096';
        const bound = `int4 decode floor${st}: the relaxed dots and the nibble split alone (bound) [relaxed, Deno]`;
        return `Decode shape ${s}${st ? ', cold cache,' : ''} on the relaxed build (Deno, measured as the SIMD rows above, in that process): quantizedLinear ${inv(`decode: quantizedLinear ${s}, resident${st} [relaxed, Deno]`)} faster than f32 \`matmul\` (reduceRange ${inv(`decode: quantizedLinear reduceRange ${s}${st} [relaxed, Deno]`)}), matmulInt4 ${inv(`decode: matmulInt4 bs 32 ${s}, resident${st} [relaxed, Deno]`)}; against one read of their packed weights: quantizedLinear ${col(run, `decode: quantizedLinear ${s}, resident${st} [relaxed, Deno]`, 'x floor')}x, reduceRange ${col(run, `decode: quantizedLinear reduceRange ${s}${st} [relaxed, Deno]`, 'x floor')}x, matmulInt4 ${col(run, `decode: matmulInt4 bs 32 ${s}, resident${st} [relaxed, Deno]`, 'x floor')}x.${row(run, bound) ? ` matmulInt4's inner loop alone (per 16 bytes the nibble split and two relaxed dots, no activation loads, zero points or block scales; compiled by the bench and run on the package's weights in the same rounds) takes ${col(run, bound, 'x floor')}x the read.` : ''}`;
      }),
    ],
  },
  gemm: {
    title: 'Dense f32 products',
    anchor: 'dense-f32-products',
    intro: () => `\`matmul\` and \`gemm\` (f32, no FMA, each output a sequential sum in k order), SIMD build, resident
unless the row says "copying". The gemm cases and matmul run in alternation on 64 x 4096 x 4096
("x matmul": median of per-round ratios). Against onnxruntime-web's MatMul (Wasm EP, SIMD, one
thread; B an initializer, which ONNX Runtime packs once when the session is made, while \`matmul\`
copies its panels of B in every call): ORT, sparq resident and sparq copying alternated call by
call; "x ORT" is the median of per-round ratios (below 1: sparq faster). The dense product of the
sparse bench's shape (W 4096 x 4096 times X 4096 x 64) against TensorFlow.js's Wasm backend.`,
    notes: (run) => [4096, 64, 1, 512].map((m) => {
      const s = m === 4096 ? '4096x4096x64' : m === 512 ? '512x512x512' : `${m}x4096x4096`;
      const r = row(run, `matmul ${s}, resident [simd]`);
      return r ? `${s}: onnxruntime-web's MatMul takes ${fmtRatio(1 / r['x ORT'])}x the time of \`matmul\` resident (copying API: ${fmtRatio(1 / row(run, `matmul ${s}, copying [simd]`)['x ORT'])}x).` : undefined;
    }).filter(Boolean),
  },
  distill: {
    title: 'Distillation losses',
    anchor: 'distillation-losses',
    intro: () => `\`softmax\` and \`distillationLoss\` on 256 x 32 000 logits (a language model's vocabulary) and on
4096 x 10, resident; sparq's own exp and ln, the documented order of every sum. "x input copy"
divides by a copy of the input timed in the same run; plain JS uses \`Math.exp\` / \`Math.log\`.`,
    notes: () => [],
  },
  calib: {
    title: 'Calibration observers',
    anchor: 'calibration-observers',
    intro: () => `\`observer(kind).update(x)\` on 16 MiB batches (resident and through the copying API); "x copy" divides
by the 16 MiB copy. The histogram observer bins by PyTorch's rule (2048 bins) after its min / max
pass; the entropy observer is onnxruntime's collector.`,
    notes: () => [],
  },
  half: {
    title: 'Half precision',
    anchor: 'half-precision',
    intro: () => `f32 to IEEE binary16 / bfloat16 bits and back on 4 194 304 values, resident; "x copy" divides by the
16 MiB copy (the f32 side is 16 MiB, the 16-bit side 8 MiB).`,
    notes: () => [],
  },
  fusion: {
    title: 'Model fusion',
    anchor: 'model-fusion',
    intro: () => `\`averageWeights\` of 2 and 4 models of 4 194 304 weights and \`foldBatchNorm\` of 16 MiB of weights,
resident; "x copy" divides by the 16 MiB copy.`,
    notes: () => [],
  },
  threads: {
    title: 'Threads',
    anchor: 'threads',
    intro: () => `\`node bench/run.mjs --threads 1,2\`: the threaded calls at each thread count, alternated in one process;
"x 1 thread" is the median of per-round ratios against the one-thread instance (below 1: faster),
and "cores used" is CPU time over wall time. On a machine whose cores are busy with other work,
a second thread can only take the cores that are free.`,
    notes: () => [],
  },
  model: {
    title: 'Model files',
    anchor: 'model-files',
    intro: () => `\`node bench/run.mjs --only model\`: a synthetic model of 24 MatMul weights of 2048 x 2048 (100.7 M
parameters, 402.7 MB of f32 in external data) read, quantized and written by \`sparq/model\`, each
pipeline in its own Node process so that its peak memory (maxRSS) is its own, against copying the
same files; then the test encoder block in onnxruntime-web, float against quantized.`,
    notes: () => [],
  },
  bounds: {
    title: 'Lower bounds',
    anchor: 'lower-bounds',
    intro: () => `\`node bench/run.mjs --only bounds\` compiles, beside the package, kernels that do strictly less work
than any correct kernel for the same result, and times them in alternation with the shipped ones
(A, B, C, A, B, C, ...; five rounds, medians), so that drift in the machine's speed moves them
together:

- **No value reads** (sparse): the shipped spmv / spmm source (copies of the whole files
  \`assembly/sparse/csr-spmv-offsets.ts\` and \`csr-spmm.ts\`, compiled at run time) with every value
  read replaced by a constant held in a register. No
  encoding of the values (int8 or anything smaller) can beat it with the same gathers, adds and
  order, so its speed-up over f32 CSR bounds what any value encoding can gain.
- **Quantize floors**: a loop that only loads 16 floats, narrows them and stores 16 bytes (any
  quantize does at least this), and one that also multiplies and rounds with no clamp, NaN
  handling or exactness check; both beside a 16 MiB copy timed in the same rounds.
- **int4 decode (SIMD build)**: over the 8 MiB of packed int4 weights of a 4096 x 4096 matrix, a
  loop of two widening loads and four \`i32x4.dot_i16x8_s\` per 32 weights with activations held
  in registers, and nothing else (no nibble unpacking, zero points or block scales). No plain-SIMD
  instruction multiplies more than eight 16-bit lanes, so every plain-SIMD int4 kernel does at
  least these multiply-adds; then the same loop with one and per widened vector, the least that
  separates the two nibbles of a byte (a dot with the byte, low + 16 high, and one with its low
  nibble give both sums); beside one read of the same bytes (all as four streams), with the
  weights in cache and from a cold cache.

"(shipped source)" rows are the package's kernels called directly on the same buffers; "(package)"
rows go through the public API, to show that both time the same work.`,
    notes: (run) => [
      `spmv 90%: with no value read at all, ${ratio(run, 'spmv 90%, f32 CSR (shipped source)', 'spmv 90%, no value reads at all (bound)')} faster than f32 CSR (sparse int8: ${ratio(run, 'spmv 90%, f32 CSR (shipped source)', 'spmv 90%, sparse int8 (shipped source)')}). spmm 90% x 64: ${ratio(run, 'spmm 90% x 64, f32 CSR (shipped source)', 'spmm 90% x 64, no value reads at all (bound)')} (sparse int8: ${ratio(run, 'spmm 90% x 64, f32 CSR (shipped source)', 'spmm 90% x 64, sparse int8 (shipped source)')}). What bounds both is the gather of \`x[col]\` (spmv) and the loads and arithmetic on rows of X (spmm), which the value encoding does not change.`,
      `Quantize against the copy of the same rounds: ${col(run, 'quantize floor: load, narrow, store (bound)', 'x copy')}x to load, narrow and store, ${col(run, 'quantize floor: + multiply, round (bound)', 'x copy')}x with one multiply and the rounding; the torch path (one product, clamp, NaN handled) ${col(run, "quantize per tensor, rounding 'torch' (package)", 'x copy')}x; ONNX, which settles \`f32(x / scale)\` exactly for every lane, ${col(run, 'quantize per tensor, ONNX (package)', 'x copy')}x. These ratios divide by the copy of the same rounds (${col(run, '16 MiB copy (Float32Array.set), same rounds', 'ms')} ms here), so they differ from the quantization section's, whose copies were timed in another run.`,
      ...(row(run, 'int4 decode floor: widening loads and 4 dots per 32 weights (bound)') ? [`matmulInt4 1 x 4096 x 4096 (SIMD build) against one read of its packed weights: the widening loads and four dots per 32 weights alone take ${col(run, 'int4 decode floor: widening loads and 4 dots per 32 weights (bound)', 'x one read')}x the read${row(run, 'int4 decode floor: + the nibble split, one and per widened vector (bound)') ? `, with the and that splits each byte's nibbles ${col(run, 'int4 decode floor: + the nibble split, one and per widened vector (bound)', 'x one read')}x` : ''}, the package ${col(run, 'matmulInt4 bs 32 1x4096x4096, resident [simd] (package)', 'x one read')}x (called back to back here, so its weights stay in cache as the read's do)${row(run, 'int4 decode floor: widening loads and 4 dots per 32 weights (bound)')['x one read'] > 1.5 ? ': with the weights in cache no plain-SIMD kernel comes within 1.5x of the read' : ''}.${row(run, 'int4 decode floor, cold cache: widening loads and 4 dots per 32 weights (bound)') ? ` From a cold cache (one call each after a read of 64 MiB of other data, alternated; medians of per-round ratios): the read ${col(run, 'int4 decode floor, cold cache: one read of the packed weights (8 MiB)', 'ms')} ms, the dots ${col(run, 'int4 decode floor, cold cache: widening loads and 4 dots per 32 weights (bound)', 'x one read')}x${row(run, 'int4 decode floor, cold cache: + the nibble split, one and per widened vector (bound)') ? `, with the nibble split ${col(run, 'int4 decode floor, cold cache: + the nibble split, one and per widened vector (bound)', 'x one read')}x` : ''}, the package ${col(run, 'matmulInt4 bs 32 1x4096x4096, cold cache [simd] (package)', 'x one read')}x.` : ''} Every read here is four streams, as the package reads; the relaxed build's int8 dot does 16 multiply-adds per instruction (the int family's "[relaxed, Deno]" decode rows).`] : []),
      ...(row(run, 'toFloat16 floor: load, narrow, store (bound)') ? [`Half, fusion and calibration floors: toFloat16 / fromFloat16 loops that only load, narrow or widen and store the same bytes; averageWeights of two models: load both, OR, store; the histogram observer's update: the min / max pass, then one count per float in four sub-histograms at a bin taken from bits of its pattern (no range test or division). Softmax floors: its three row passes (max, exp, scale) as loads and stores only, and again with the exp of the normal-range form and the scale multiply but no max or sums (any softmax with sparq's exp and order does this arithmetic). Against the 16 MiB copy of the same rounds (target, floor, package): toFloat16 1.0x, ${col(run, 'toFloat16 floor: load, narrow, store (bound)', 'x copy')}x, ${col(run, 'toFloat16, resident (package)', 'x copy')}x; fromFloat16 1.0x, ${col(run, 'fromFloat16 floor: load, widen, store (bound)', 'x copy')}x, ${col(run, 'fromFloat16, resident (package)', 'x copy')}x; averageWeights of two models 1.5x, ${col(run, 'averageWeights floor: load two, OR, store (bound)', 'x copy')}x, ${col(run, 'averageWeights, 2 models, resident (package)', 'x copy')}x; histogram update 2x, ${col(run, 'histogram floor: min / max, one count per float (bound)', 'x copy')}x, ${col(run, 'histogram observer update, 2048 bins, resident (package)', 'x copy')}x. Softmax 256 x 32000 against a copy of its input: target 3x, floors ${col(run, 'softmax floor: three row passes, loads and stores (bound)', 'x input copy')}x (passes) and ${col(run, 'softmax floor: + exp and scale, no max or sums (bound)', 'x input copy')}x (with the exp), package ${col(run, 'softmax 256 x 32000, resident (package)', 'x input copy')}x.`] : []),
    ],
  },
};

/** The order of the sections. */
const QUICKR = (run) => (run.quick ? 7 : 41);

const ORDER = ['quant', 'prune', 'sparse', 'int', 'gemm', 'distill', 'calib', 'half', 'fusion', 'threads', 'model', 'bounds'];

const out = [];
out.push(`# Benchmarks

<!-- GENERATED by scripts/bench-docs.mjs from ${runs.map((r) => r.path).join(', ')}; edit the script, not this file. -->

Every figure below is measured: one Node process, one thread, [benchmark.js](https://benchmarkjs.com/)
medians in milliseconds ("± %" is its relative margin of error). Each table names the run it comes
from (the command, the machine, the date); the raw JSON of every run is committed in
\`bench/results/\`. Regenerate this file with \`npm run bench:docs\` and the chart with
\`npm run bench:svg\`.

- **[simd]** / **[scalar]**: sparq's SIMD build / scalar build. **resident**: inputs and outputs are
  \`WasmArray\`s (no copies); **copying API**: ordinary typed arrays, copied in and out.
- **[plain JS]**: a plain JavaScript loop with the same semantics, the baseline.
- **Peers**: TensorFlow.js's Wasm backend and onnxruntime-web, one thread each.
- **x copy**: the time over a 16 MiB copy (\`Float32Array.prototype.set\` of 4 194 304 floats), the
  memory reference. The machine's memory speed drifts by 10-40% over tens of seconds while the
  kernels' times do not, so some rows divide by copies timed around the case (paired:
  \`timePaired\` in \`bench/harness.mjs\`) instead of the copy timed once at the start of the run;
  each section says which.

Sections: [headline](#headline), ${ORDER.filter((f) => runOf(f)).map((f) => `[${SECTIONS[f].title.toLowerCase()}](#${SECTIONS[f].anchor})`).join(', ')}.
`);

// headline
const hl = headlineTable(main);
out.push(`## Headline

${runLine(main)}

Milliseconds per call (shorter is faster), sparq's inputs and outputs resident.${runs.some((r) => r !== main && FAMILIES.some((f) => runOf(f) === r)) ? ' The family sections below may come from later runs of single families; each names its run.' : ''}

![Time per call: sparq SIMD, sparq scalar, plain JS and peers](bench.svg)

${hl.table}
${hl.notes.length ? `\n${hl.notes.join('\n\n')}\n` : ''}`);

for (const fam of ORDER) {
  const run = runOf(fam);
  if (!run) continue;
  const s = SECTIONS[fam];
  out.push(`## ${s.title}

${s.intro(run)}

${runLine(run)}

${familyTable(run, fam)}

${s.notes(run).map((n) => `- ${n}`).join('\n')}
`);
}

const md = out.join('\n');
writeFileSync(join(ROOT, 'docs/benchmarks.md'), md);
console.log(`wrote docs/benchmarks.md (${md.length} bytes) from ${runs.map((r) => r.path).join(', ')}`);

if (args.includes('--readme')) {
  const file = join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const m = main.machine;
  const block = `<!-- bench-headline -->
Run \`${main.command}\` (${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}, one thread).
Milliseconds per call (shorter is faster), sparq's inputs and outputs resident.

![Time per call: sparq SIMD, sparq scalar, plain JS and peers](docs/bench.svg)

${hl.table}
${hl.notes.length ? `\n${hl.notes.join('\n\n')}\n` : ''}<!-- /bench-headline -->`;
  const re = /<!-- bench-headline -->[\s\S]*?<!-- \/bench-headline -->/;
  if (!re.test(readme)) {
    console.error('bench-docs: README.md has no <!-- bench-headline --> ... <!-- /bench-headline --> block');
    process.exit(1);
  }
  writeFileSync(file, readme.replace(re, () => block));
  console.log('rewrote the headline table in README.md');
}
