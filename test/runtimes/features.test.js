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
t.run();
