// The relaxed build against the SIMD build, alternated in one process (A, B, A, B, ... after a
// warm-up): quantizedLinear with reduceRange (the 7-bit kernel) and without, the int8 products
// with full 8-bit operands (which keep the SIMD path) and matmulInt4 (relaxed int8 dot with the
// nibbles), 64 x 4096 x 4096 and 1 x 4096 x 4096, resident; then the decode shape in the relaxed
// build against f32 matmul and the floors. Runs where init() picks the relaxed build (Deno, Bun, browsers; not Node 20, whose
// flagged relaxed SIMD is wrong): `deno run -A bench/int-relaxed.mjs [--quick]`. Prints one JSON
// line: { runtime, rows: [{ name, simdMs, relaxedMs, ratio } | { decode: true, name, ms, xf32?, xfloor? }] }
// (ratio = SIMD ms / relaxed ms, median over rounds).
import { init } from 'sparq';
import { decodeRounds } from './steady.mjs';

const args = globalThis.Deno ? Deno.args : globalThis.process ? process.argv.slice(2) : [];
const QUICK = args.includes('--quick');
const K = 4096, N = 4096;
const relaxed = await init();
if (relaxed.build !== 'relaxed') {
  console.log(JSON.stringify({ error: `this runtime does not run the relaxed build (init() picks ${relaxed.build})` }));
} else {
  const simd = await init({ relaxed: false });
  const runtime = globalThis.Deno ? `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})` : globalThis.Bun ? `Bun ${Bun.version}` : 'unknown';
  let s = 2024;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const w = Float32Array.from({ length: K * N }, () => (rnd() + rnd() + rnd() - 1.5) * 0.05);
  const b8 = Int8Array.from({ length: K * N }, () => Math.floor(rnd() * 256) - 128);
  const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const rows = [];
  for (const M of [64, 1]) {
    const x = Float32Array.from({ length: M * K }, () => (rnd() + rnd() + rnd() - 1.5) * 2);
    const a8 = Int8Array.from({ length: M * K }, () => Math.floor(rnd() * 256) - 128);
    const au = Uint8Array.from({ length: M * K }, () => Math.floor(rnd() * 256));
    const set = (sq) => ({ sq, w8: sq.packedInt8(w, K, N), w4: sq.packedInt4(w, K, N, { blockSize: 32 }), pb: sq.packedInt8(b8, K, N), xw: sq.wasmArray(x), aw: sq.wasmArray(a8), auw: sq.wasmArray(au), y: sq.alloc('f32', M * N), c: sq.alloc('i32', M * N) });
    const S = set(simd), R = set(relaxed);
    const cases = {
      [`quantizedLinear reduceRange ${M}x${K}x${N}`]: (e) => e.sq.quantizedLinear(e.xw, M, e.w8, null, e.y, { reduceRange: true }),
      [`quantizedLinear ${M}x${K}x${N}`]: (e) => e.sq.quantizedLinear(e.xw, M, e.w8, null, e.y),
      [`int8 x int8 -> int32 ${M}x${K}x${N}`]: (e) => e.sq.matmulInteger(e.aw, e.pb, M, K, N, undefined, e.c),
      [`uint8 x int8 -> int32 ${M}x${K}x${N}`]: (e) => e.sq.matmulInteger(e.auw, e.pb, M, K, N, { aZeroPoint: 128 }, e.c),
      [`matmulInt4 bs 32 ${M}x${K}x${N}`]: (e) => e.sq.matmulInt4(e.xw, M, e.w4, null, e.y),
    };
    const rounds = QUICK ? 5 : M === 1 ? 41 : 15;
    if (M === 1) {
      // the decode shape in the relaxed build, as the int family's decodeShapes does for the SIMD
      // build: f32 matmul, quantizedLinear (with and without reduceRange), matmulInt4 and the floors
      // (one read of the packed int8 / int4 weights: as four streams by the floors module when it
      // is given, else by the quant family's min / max kernel) alternated; "x f32 matmul" and
      // "x floor" are medians of per-round ratios
      const ex = relaxed.rt.exports, scratch = relaxed.rt.alloc(16);
      const b8Bytes = Math.ceil(N / 8) * Math.ceil(K / 4) * 32, i4Bytes = Math.ceil(N / 8) * Math.ceil(K / 32) * 32 * 4;
      const wf = R.sq.wasmArray(w);
      const dec = {
        f32: () => R.sq.matmul(R.xw, wf, M, K, N, R.y),
        ql: () => R.sq.quantizedLinear(R.xw, M, R.w8, null, R.y),
        qlrr: () => R.sq.quantizedLinear(R.xw, M, R.w8, null, R.y, { reduceRange: true }),
        i4: () => R.sq.matmulInt4(R.xw, M, R.w4, null, R.y),
        floor8: () => ex.quant_minmax_f32(R.w8._b8, b8Bytes >> 2, scratch),
        floor4: () => ex.quant_minmax_f32(R.w4._w4, i4Bytes >> 2, scratch),
      };
      // the int4 floor compiled by bench/int.bench.mjs (--floors file), on this instance's memory and
      // the package's weights
      const fi = args.indexOf('--floors');
      if (fi >= 0) {
        const fx = new WebAssembly.Instance(new WebAssembly.Module(await Deno.readFile(args[fi + 1])), { env: { memory: ex.memory, abort() {} } }).exports;
        const A = relaxed.rt.alloc(64);
        const av = relaxed.rt.view('i8', A, 48);
        for (let j = 0; j < 32; j++) av[j] = Math.floor(rnd() * 255) - 127;
        av.fill(0x0f, 32, 48);
        dec.rsplit = () => fx.bound_i4_rsplit(R.w4._w4, i4Bytes >> 4, A, scratch);
        // the floors as in the int family: one read of the weights as four streams
        dec.floor8 = () => fx.bound_read4(R.w8._b8, b8Bytes, scratch);
        dec.floor4 = () => fx.bound_read4(R.w4._w4, i4Bytes, scratch);
      }
      for (let i = 0; i < 3; i++) for (const f of Object.values(dec)) f();
      // two cache states: warm (each case in its steady state of repeated calls, bench/steady.mjs)
      // and cold (one call after a read of 64 MiB that no case uses, so none finds its weights in cache)
      const other = R.sq.alloc('f32', K * N);
      const evict = () => ex.quant_minmax_f32(other._ptr, K * N, scratch);
      for (const cold of [false, true]) {
        const T = decodeRounds(dec, rounds, cold ? evict : undefined);
        const per = (a, b) => +med(T[a].map((t, i) => t / T[b][i])).toFixed(3);
        const shape = `${M}x${K}x${N}`, st = cold ? ', cold cache' : '';
        rows.push({ decode: true, name: `decode: f32 sq.matmul ${shape}, resident${st}`, ms: +med(T.f32).toFixed(4), flops: 2 * M * K * N, rounds });
        rows.push({ decode: true, name: `decode: quantizedLinear ${shape}, resident${st}`, ms: +med(T.ql).toFixed(4), flops: 2 * M * K * N, xf32: per('ql', 'f32'), xfloor: per('ql', 'floor8'), rounds });
        rows.push({ decode: true, name: `decode: quantizedLinear reduceRange ${shape}${st}`, ms: +med(T.qlrr).toFixed(4), flops: 2 * M * K * N, xf32: per('qlrr', 'f32'), xfloor: per('qlrr', 'floor8'), rounds });
        rows.push({ decode: true, name: `decode: matmulInt4 bs 32 ${shape}, resident${st}`, ms: +med(T.i4).toFixed(4), flops: 2 * M * K * N, xf32: per('i4', 'f32'), xfloor: per('i4', 'floor4'), rounds });
        rows.push({ decode: true, name: `decode floor${st}: one read of the int8 weights (${b8Bytes / 2 ** 20} MiB)`, ms: +med(T.floor8).toFixed(4), bytes: b8Bytes, rounds });
        rows.push({ decode: true, name: `decode floor${st}: one read of the int4 weights (${i4Bytes / 2 ** 20} MiB)`, ms: +med(T.floor4).toFixed(4), bytes: i4Bytes, rounds });
        if (dec.rsplit) rows.push({ decode: true, name: `int4 decode floor${st}: the relaxed dots and the nibble split alone (bound)`, ms: +med(T.rsplit).toFixed(4), bytes: i4Bytes, xfloor: per('rsplit', 'floor4'), rounds });
      }
      wf.dispose();
      other.dispose();
      relaxed.rt.free(scratch);
    }
    for (const [name, f] of Object.entries(cases)) {
      for (let i = 0; i < 3; i++) { f(S); f(R); }
      const ts = [], tr = [], ratio = [];
      for (let r = 0; r < rounds; r++) {
        let t0 = performance.now(); f(S); const a = performance.now() - t0;
        t0 = performance.now(); f(R); const b = performance.now() - t0;
        ts.push(a); tr.push(b); ratio.push(a / b);
      }
      rows.push({ name, simdMs: +med(ts).toFixed(4), relaxedMs: +med(tr).toFixed(4), ratio: +med(ratio).toFixed(3), rounds });
    }
    for (const e of [S, R]) for (const h of ['w8', 'w4', 'pb', 'xw', 'aw', 'auw', 'y', 'c']) e[h].dispose();
  }
  console.log(JSON.stringify({ runtime, rows }));
}
