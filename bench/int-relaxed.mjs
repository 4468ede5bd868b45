// The relaxed build against the SIMD build, alternated in one process (A, B, A, B, ... after a
// warm-up): quantizedLinear with reduceRange (the 7-bit kernel) and without, and the int8 products
// with full 8-bit operands (which keep the SIMD path), 64 x 4096 x 4096 and 1 x 4096 x 4096,
// resident. Runs where init() picks the relaxed build (Deno, Bun, browsers; not Node 20, whose
// flagged relaxed SIMD is wrong): `deno run -A bench/int-relaxed.mjs [--quick]`. Prints one JSON
// line: { runtime, rows: [{ name, ms, ratio }] } (ratio = SIMD ms / relaxed ms, median over rounds).
import { init } from 'sparq';

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
    const set = (sq) => ({ sq, w8: sq.packedInt8(w, K, N), pb: sq.packedInt8(b8, K, N), xw: sq.wasmArray(x), aw: sq.wasmArray(a8), auw: sq.wasmArray(au), y: sq.alloc('f32', M * N), c: sq.alloc('i32', M * N) });
    const S = set(simd), R = set(relaxed);
    const cases = {
      [`quantizedLinear reduceRange ${M}x${K}x${N}`]: (e) => e.sq.quantizedLinear(e.xw, M, e.w8, null, e.y, { reduceRange: true }),
      [`quantizedLinear ${M}x${K}x${N}`]: (e) => e.sq.quantizedLinear(e.xw, M, e.w8, null, e.y),
      [`int8 x int8 -> int32 ${M}x${K}x${N}`]: (e) => e.sq.matmulInteger(e.aw, e.pb, M, K, N, undefined, e.c),
      [`uint8 x int8 -> int32 ${M}x${K}x${N}`]: (e) => e.sq.matmulInteger(e.auw, e.pb, M, K, N, { aZeroPoint: 128 }, e.c),
    };
    const rounds = QUICK ? 5 : M === 1 ? 41 : 15;
    if (M === 1) {
      // the floor of the decode shape: one read of the weights as bytes (the relaxed kernel's operand),
      // by the quant family's min / max kernel over the same bytes, alternated with the 7-bit product
      const ex = relaxed.rt.exports, scratch = relaxed.rt.alloc(16), bytes = Math.ceil(N / 8) * Math.ceil(K / 4) * 32;
      const floor = () => ex.quant_minmax_f32(R.w8._b8, bytes >> 2, scratch);
      const prod = cases[`quantizedLinear reduceRange ${M}x${K}x${N}`];
      for (let i = 0; i < 3; i++) { floor(); prod(R); }
      const tf = [], tq = [], ratio = [];
      for (let r = 0; r < rounds; r++) {
        let t0 = performance.now(); floor(); const a = performance.now() - t0;
        t0 = performance.now(); prod(R); const b = performance.now() - t0;
        tf.push(a); tq.push(b); ratio.push(b / a);
      }
      rows.push({ name: `floor: one read of the int8 weights (16 MiB), with quantizedLinear reduceRange ${M}x${K}x${N}`, floorMs: +med(tf).toFixed(4), relaxedMs: +med(tq).toFixed(4), overFloor: +med(ratio).toFixed(3), rounds });
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
    for (const e of [S, R]) for (const h of ['w8', 'pb', 'xw', 'aw', 'auw', 'y', 'c']) e[h].dispose();
  }
  console.log(JSON.stringify({ runtime, rows }));
}
