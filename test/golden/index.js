// The golden battery: every exported kernel on fixed seeded inputs. `runBattery(sq)` returns
// { caseName: hash }; test/golden/hashes.js holds the one expected hash per case, which every
// runtime and both builds must produce exactly. Each kernel family adds a file here.
import { hashResult } from './hash.js';
import { rng, seedOf } from './data.js';
import quant from './quant.js';
import prune from './prune.js';
import sparse from './sparse.js';
import int from './int.js';
import distill from './distill.js';
import calib from './calib.js';
import half from './half.js';
import fusion from './fusion.js';
import gemm from './gemm.js';

export const FAMILIES = { quant, prune, sparse, int, distill, calib, half, fusion, gemm };

export function runBattery(sq, only) {
  const out = {};
  for (const [fam, cases] of Object.entries(FAMILIES)) {
    if (only && !only.includes(fam)) continue;
    // a case may name the key its inputs are seeded from (one that moved from another family keeps
    // its old key's seed, so its inputs and hash stay the same)
    for (const [name, run, seedKey] of cases) {
      const key = `${fam}: ${name}`;
      try {
        out[key] = hashResult(run(sq, rng(seedOf(seedKey ?? key))));
      } catch (e) {
        out[key] = `error: ${e && e.message}`;
      }
    }
  }
  return out;
}
