// The scalar build uses no SIMD opcode: it validates (binaryen's validator) with only the
// features of pre-SIMD engines: sign extension, mutable globals, non-trapping float-to-int and
// bulk memory. The SIMD build needs SIMD128 and nothing beyond it (no relaxed SIMD, no threads).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';

const ROOT = new URL('../../', import.meta.url);
const F = binaryen.Features;
const PRE_SIMD = F.MVP | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt;

function validates(file, features) {
  const m = binaryen.readBinary(readFileSync(new URL(file, ROOT)));
  try {
    m.setFeatures(features);
    return Boolean(m.validate());
  } finally {
    m.dispose();
  }
}

const t = suite('Wasm features of the builds');
t('scalar build: valid without SIMD (pre-SIMD feature set)', () => {
  assert.ok(validates('wasm/sparq.scalar.wasm', PRE_SIMD));
});
t('SIMD build: valid with SIMD128 and no relaxed SIMD or threads', () => {
  assert.ok(validates('wasm/sparq.simd.wasm', PRE_SIMD | F.SIMD128));
});

/** Every relaxed-SIMD instruction in a build's code, with its count (from binaryen's text form). */
function relaxedOps(file) {
  const m = binaryen.readBinary(readFileSync(new URL(file, ROOT)));
  try {
    m.setFeatures(PRE_SIMD | F.SIMD128 | F.RelaxedSIMD);
    const counts = {};
    for (const [op] of m.emitText().matchAll(/\b[a-z0-9]+x[0-9]+\.relaxed_[a-z0-9_]+/g)) counts[op] = (counts[op] ?? 0) + 1;
    return counts;
  } finally {
    m.dispose();
  }
}

t('relaxed build: valid with SIMD128 + relaxed SIMD, and its only relaxed instruction is the int8 dot (exact on 7-bit operands)', () => {
  assert.ok(validates('wasm/sparq.relaxed.wasm', PRE_SIMD | F.SIMD128 | F.RelaxedSIMD));
  assert.not.ok(validates('wasm/sparq.relaxed.wasm', PRE_SIMD | F.SIMD128), 'it does use relaxed SIMD');
  const ops = relaxedOps('wasm/sparq.relaxed.wasm');
  assert.equal(Object.keys(ops), ['i32x4.relaxed_dot_i8x16_i7x16_add_s'], JSON.stringify(ops));
  assert.ok(ops['i32x4.relaxed_dot_i8x16_i7x16_add_s'] >= 8);
  assert.equal(relaxedOps('wasm/sparq.simd.wasm'), {});
});
t.run();
