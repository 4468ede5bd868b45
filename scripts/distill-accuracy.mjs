// The accuracy of sparq's exp and ln (assembly/distill.ts) over every f32 input of a range, against
// float64 Math.exp / Math.log (errors far below an f32 ulp), through the Wasm exports in chunks.
//   node scripts/distill-accuracy.mjs [exp|log] [--scalar]
// exp: every f32 in [-104, 89] (below -104 the result is 0, above 89 it is +Inf; both checked
// at the ends); ln: every positive finite f32, subnormals included. Prints the max error in ulp
// (the ulp of the exact value; 2^-149 in the subnormal range) and where it occurs. About a minute each.
import { init } from 'sparq';

const which = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const sq = await init({ simd: !process.argv.includes('--scalar') });
const rt = sq.rt;
const CHUNK = 1 << 20;
const inp = rt.alloc(CHUNK * 4), out = rt.alloc(CHUNK * 4);
const f64 = new Float64Array(1), hi = new Uint32Array(f64.buffer);
const POW2 = new Float64Array(2100).map((_, i) => 2 ** (i - 1100));

/** The f32 ulp at the exact value e (e > 0 finite). */
function ulp(e) {
  f64[0] = e;
  let ex = ((hi[1] >>> 20) & 0x7ff) - 1023;
  if (ex < -126) ex = -126;
  return POW2[ex - 23 + 1100];
}

function scan(name, kernel, exact, from, to, check) {
  // bit patterns from..to inclusive, walking up
  let worst = 0, worstX = NaN, count = 0;
  for (let b = from; b <= to; b += CHUNK) {
    const n = Math.min(CHUNK, to - b + 1);
    const bits = rt.view('u32', inp, n);
    for (let i = 0; i < n; i++) bits[i] = (b + i) >>> 0;
    rt.exports[kernel](inp, out, n);
    const x = rt.view('f32', inp, n), y = rt.view('f32', out, n);
    for (let i = 0; i < n; i++) {
      const e = exact(x[i]);
      const err = check(x[i], y[i], e);
      if (err > worst) {
        worst = err;
        worstX = x[i];
      }
    }
    count += n;
  }
  return { name, count, worst, worstX };
}

const bitsOf = (v) => new Uint32Array(new Float32Array([v]).buffer)[0];
const results = [];
if (which.length === 0 || which.includes('exp')) {
  const check = (x, y, e) => {
    if (e >= 2 ** 128 * (1 - 2 ** -25)) return y === Infinity ? 0 : Infinity;
    return Math.abs(y - e) / ulp(e);
  };
  const pos = scan('exp [0, 89]', 'distill_exp_f32', Math.exp, 0, bitsOf(89), check);
  const neg = scan('exp [-104, -0]', 'distill_exp_f32', Math.exp, 0x80000000, bitsOf(-104), check);
  results.push(pos, neg);
}
if (which.length === 0 || which.includes('log')) {
  results.push(scan('ln (0, FLT_MAX]', 'distill_log_f32', Math.log, 1, 0x7f7fffff, (x, y, e) => (e === 0 ? (y === 0 ? 0 : Infinity) : Math.abs(y - e) / ulp(Math.abs(e)))));
}
for (const r of results) console.log(`${sq.simd ? 'simd' : 'scalar'} ${r.name}: ${r.count} inputs, max error ${r.worst.toFixed(6)} ulp at x = ${r.worstX}`);
rt.free(inp);
rt.free(out);
