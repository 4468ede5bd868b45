// Pruning masks on 4 194 304 floats: thresholdMask, magnitudeMask keeping 10% and 50%, nmMask 2:4
// (and 4:8), for the SIMD build and the scalar build on Wasm-resident data, the SIMD build through
// the copying API, and plain-JS baselines (a sort of |w|, a quickselect, a threshold loop, a 2:4
// loop); ratios to the 16 MiB copy and to the baselines.
import { record, time } from './harness.mjs';

const N = 1 << 22;

function data() {
  // roughly normal weights (sum of three uniforms), a fixed LCG
  const x = new Float32Array(N);
  let s = 987654321;
  const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  for (let i = 0; i < N; i++) x[i] = (u() + u() + u() - 1.5) * 0.05;
  return x;
}

// ---- plain-JS baselines ----
function jsThreshold(w, t, out) {
  for (let i = 0; i < w.length; i++) out[i] = Math.abs(w[i]) >= t ? 1 : 0;
}
/** Sort |w|, take the k-th smallest as the cut, mask (ties not resolved: timing only). */
function jsSortMask(w, k, out) {
  const a = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) a[i] = Math.abs(w[i]);
  a.sort();
  const t = a[k - 1];
  for (let i = 0; i < w.length; i++) out[i] = Math.abs(w[i]) > t ? 1 : 0;
}
/** Quickselect (Hoare partition, median of three) of the k-th smallest |w|, then mask. */
function jsQuickselectMask(w, k, out) {
  const a = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) a[i] = Math.abs(w[i]);
  let lo = 0, hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let x = a[lo], y = a[mid], z = a[hi];
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  const t = a[target];
  for (let i = 0; i < w.length; i++) out[i] = Math.abs(w[i]) > t ? 1 : 0;
}
function jsNM24(w, out) {
  for (let g = 0; g < w.length; g += 4) {
    const a = Math.abs(w[g]), b = Math.abs(w[g + 1]), c = Math.abs(w[g + 2]), d = Math.abs(w[g + 3]);
    out[g] = (b > a) + (c > a) + (d > a) < 2 ? 1 : 0;
    out[g + 1] = (a >= b) + (c > b) + (d > b) < 2 ? 1 : 0;
    out[g + 2] = (a >= c) + (b >= c) + (d > c) < 2 ? 1 : 0;
    out[g + 3] = (a >= d) + (b >= d) + (c >= d) < 2 ? 1 : 0;
  }
}

export async function run({ simd, scalar, copyMs }) {
  const w = data();
  const ratios = { copy: copyMs };
  const out = new Uint8Array(N);
  const quick = { maxTime: 0.4, minSamples: 3 };
  const js = {
    thr: record('prune', 'thresholdMask [plain JS]', time(() => jsThreshold(w, 0.03, out)), { bytes: N * 5, ratios }),
    sort10: record('prune', 'magnitude keep 10% [plain JS sort]', time(() => jsSortMask(w, N - N / 10, out), quick), { ratios }),
    sort50: record('prune', 'magnitude keep 50% [plain JS sort]', time(() => jsSortMask(w, N / 2, out), quick), { ratios }),
    qs10: record('prune', 'magnitude keep 10% [plain JS quickselect]', time(() => jsQuickselectMask(w, N - N / 10, out)), { ratios }),
    qs50: record('prune', 'magnitude keep 50% [plain JS quickselect]', time(() => jsQuickselectMask(w, N / 2, out)), { ratios }),
    nm: record('prune', 'nmMask 2:4 [plain JS]', time(() => jsNM24(w, out)), { bytes: N * 5, ratios }),
  };
  const res = {};
  for (const [name, sq] of [['simd', simd], ['scalar', scalar]]) {
    const ww = sq.wasmArray(w);
    const mw = sq.alloc('u8', N);
    const r = {};
    r.thr = record('prune', `thresholdMask, resident [${name}]`, time(() => sq.thresholdMask(ww, 0.03, mw)), { bytes: N * 5, ratios: { ...ratios, 'plain JS': js.thr.ms } });
    r.m10 = record('prune', `magnitudeMask keep 10%, resident [${name}]`, time(() => sq.magnitudeMask(ww, { amount: 0.9 }, undefined, mw)), { ratios: { ...ratios, quickselect: js.qs10.ms, sort: js.sort10.ms } });
    r.m50 = record('prune', `magnitudeMask keep 50%, resident [${name}]`, time(() => sq.magnitudeMask(ww, { amount: 0.5 }, undefined, mw)), { ratios: { ...ratios, quickselect: js.qs50.ms, sort: js.sort50.ms } });
    r.nm = record('prune', `nmMask 2:4, resident [${name}]`, time(() => sq.nmMask(ww, [1024, 4096], { n: 2, m: 4 }, mw)), { bytes: N * 5, ratios: { ...ratios, 'plain JS': js.nm.ms } });
    r.nm48 = record('prune', `nmMask 4:8, resident [${name}]`, time(() => sq.nmMask(ww, [1024, 4096], { n: 4, m: 8 }, mw)), { bytes: N * 5, ratios });
    if (name === 'simd') {
      record('prune', 'thresholdMask, copying API [simd]', time(() => sq.thresholdMask(w, 0.03, out)), { bytes: N * 5, ratios });
      record('prune', 'magnitudeMask keep 10%, copying API [simd]', time(() => sq.magnitudeMask(w, { amount: 0.9 }, undefined, out)), { ratios });
      record('prune', 'nmMask 2:4, copying API [simd]', time(() => sq.nmMask(w, [1024, 4096], { n: 2, m: 4 }, out)), { bytes: N * 5, ratios });
      record('prune', 'structuredMask L2 dim 0 (1024 x 4096), resident [simd]', time(() => sq.structuredMask(ww, [1024, 4096], { amount: 0.5, dim: 0, n: 2 }, mw)), { ratios });
      record('prune', 'blockMask 4x4 L1 keep 50%, resident [simd]', time(() => sq.blockMask(ww, [1024, 4096], { block: [4, 4], amount: 0.5 }, mw)), { ratios });
      record('prune', 'randomMask keep 50% [simd]', time(() => sq.randomMask(N, { amount: 0.5, seed: 1 }, mw)), { ratios });
      const pk = sq.alloc('u8', N / 8);
      record('prune', 'packMask, resident [simd]', time(() => sq.packMask(mw, pk)), { bytes: N + N / 8, ratios });
      record('prune', 'applyMask, resident [simd]', time(() => { const o = sq.applyMask(ww, mw, ww); return o; }), { bytes: N * 9, ratios });
      pk.dispose();
    }
    res[name] = r;
    ww.dispose();
    mw.dispose();
  }
  const s = res.simd, c = res.scalar;
  console.log(`  SIMD / scalar speedup: threshold ${(c.thr.ms / s.thr.ms).toFixed(2)}x, magnitude 10% ${(c.m10.ms / s.m10.ms).toFixed(2)}x, 2:4 ${(c.nm.ms / s.nm.ms).toFixed(2)}x`);
  console.log(`  targets (resident SIMD): thresholdMask ${(s.thr.ms / copyMs).toFixed(2)}x copy (<= 1.0), magnitudeMask ${(s.m10.ms / copyMs).toFixed(2)}x / ${(s.m50.ms / copyMs).toFixed(2)}x copy (<= 5), nmMask 2:4 ${(s.nm.ms / copyMs).toFixed(2)}x copy (<= 2)`);
}
