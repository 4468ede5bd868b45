// Half-precision family: one suite per implementation [ref, scalar, simd] with edge values, NaN
// rules and the numpy / torch fixtures (test/fixtures/half.json, scripts/fixtures/half_vectors.py);
// then every one of the 2^32 f32 bit patterns on the SIMD build against the reference.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMPLS, simd, scalar, rng, assertBits, throwsLike, EDGE_LENGTHS, SEED } from './_util.js';
import { ref } from 'sparq/ref';
import { hashResult } from './golden/hash.js';

import fx from './fixtures/half.json' with { type: 'json' };
const f32OfBits = (bits) => new Float32Array(Uint32Array.from(bits, (b) => b >>> 0).buffer);
const bitsOf = (f) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
const hex = (a) => Array.from(a, (v) => v.toString(16));
const isNaN32 = (b) => (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
const ALL16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

for (const { name, sq } of IMPLS) {
  const t = suite(`half [${name}]`);

  t('float16: ties to even, overflow at 65520, subnormals, signed zeros, Inf', () => {
    const x = f32OfBits([
      0x3f800000, 0x3f801000, 0x3f803000, 0x3f801001, // 1, 1 + 2^-11 (tie -> even 1), 1 + 3 * 2^-11 (tie -> up), just above a tie
      0x477fe000, 0x477fefff, 0x477ff000, 0x47800000, 0x7f7fffff, 0x7f800000, // 65504, just below 65520, 65520 -> Inf, 65536, max f32, Inf
      0x33000000, 0x33000001, 0x33800000, 0x33c00000, // 2^-25 (tie -> 0), just above (-> 2^-24), 2^-24, 1.5 * 2^-24 (tie -> 2 * 2^-24)
      0x387fc000, 0x387fe000, 0x38800000, 0x00000001, // largest subnormal, tie with 2^-14 (-> 2^-14), 2^-14, an f32 subnormal
      0x00000000, 0x80000000, 0xbf800000, 0xc77ff000, 0xff800000,
    ]);
    assert.equal(hex(sq.toFloat16(x)), hex([
      0x3c00, 0x3c00, 0x3c02, 0x3c01,
      0x7bff, 0x7bff, 0x7c00, 0x7c00, 0x7c00, 0x7c00,
      0x0000, 0x0001, 0x0001, 0x0002,
      0x03ff, 0x0400, 0x0400, 0x0000,
      0x0000, 0x8000, 0xbc00, 0xfc00, 0xfc00,
    ]));
  });

  t('bfloat16: ties to even, overflow to Inf, subnormals kept', () => {
    const x = f32OfBits([0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7f7f7fff, 0x7f7f8000, 0x7f7fffff, 0x00008000, 0x00018000, 0x00000001, 0x80000000, 0xff7f8000]);
    assert.equal(hex(sq.toBfloat16(x)), hex([0x3f80, 0x3f82, 0x3f81, 0x3f80, 0x7f7f, 0x7f80, 0x7f80, 0x0000, 0x0002, 0x0000, 0x8000, 0xff80]));
  });

  t('NaN: narrowing keeps the sign and top payload bits and sets the quiet bit; widening keeps every bit', () => {
    const x = f32OfBits([0x7f800001, 0x7fa00000, 0x7fc00000, 0xffc00001, 0x7fd23456, 0xff802000, 0x7fffffff]);
    assert.equal(hex(sq.toFloat16(x)), hex([0x7e00, 0x7f00, 0x7e00, 0xfe00, 0x7e91, 0xfe01, 0x7fff]));
    assert.equal(hex(sq.toBfloat16(x)), hex([0x7fc0, 0x7fe0, 0x7fc0, 0xffc0, 0x7fd2, 0xffc0, 0x7fff]));
    const h = new Uint16Array([0x7c01, 0xfe00, 0x7d23, 0x7f81, 0xffc1]);
    assert.equal(hex(bitsOf(sq.fromFloat16(h))), hex([0x7f802000, 0xffc00000, 0x7fa46000, 0x7ff02000, 0xfff82000]));
    assert.equal(hex(bitsOf(sq.fromBfloat16(h))), hex([0x7c010000, 0xfe000000, 0x7d230000, 0x7f810000, 0xffc10000]));
  });

  t(`numpy astype(float16) and torch .to(bfloat16) on ${fx.cases.x.length} fixture inputs`, () => {
    const x = f32OfBits(fx.cases.x);
    const h = sq.toFloat16(x), b = sq.toBfloat16(x);
    for (let i = 0; i < x.length; i++) {
      const xb = fx.cases.x[i];
      // numpy keeps a signalling NaN signalling; torch sends every NaN to 0xffff (the notes in the fixture): NaN rows are checked above
      if (!isNaN32(xb) || (xb & 0x400000) !== 0) assert.is(h[i], fx.cases.f16[i], `float16 of ${xb.toString(16)}`);
      if (!isNaN32(xb)) assert.is(b[i], fx.cases.bf16[i], `bfloat16 of ${xb.toString(16)}`);
    }
  });

  t('widening all 65536 patterns: numpy float16 -> float32 and torch bfloat16 -> float32, to the bit', () => {
    assert.is(hashResult(sq.fromFloat16(ALL16)), fx.widen.f16);
    assert.is(hashResult(sq.fromBfloat16(ALL16)), fx.widen.bf16);
  });

  t('all 65536 halves widen and narrow back to themselves (a signalling NaN comes back quiet)', () => {
    const quiet16 = (v) => ((v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0 ? v | 0x200 : v);
    const quietB = (v) => ((v & 0x7f80) === 0x7f80 && (v & 0x7f) !== 0 ? v | 0x40 : v);
    assert.equal(Array.from(sq.toFloat16(sq.fromFloat16(ALL16))), Array.from(ALL16, quiet16));
    assert.equal(Array.from(sq.toBfloat16(sq.fromBfloat16(ALL16))), Array.from(ALL16, quietB));
  });

  t('every length across the SIMD edges, seeded bit patterns of every class', () => {
    const r = rng(SEED ^ 0x4a1f);
    for (const n of EDGE_LENGTHS) {
      const bits = Array.from({ length: n }, () => (r.next() * 2 ** 32) >>> 0);
      const x = f32OfBits(bits);
      assertBits(assert, sq.toFloat16(x), ref.toFloat16(x), `toFloat16 n=${n}`);
      assertBits(assert, sq.toBfloat16(x), ref.toBfloat16(x), `toBfloat16 n=${n}`);
      const h = Uint16Array.from(bits, (v) => v & 0xffff);
      assertBits(assert, sq.fromFloat16(h), ref.fromFloat16(h), `fromFloat16 n=${n}`);
      assertBits(assert, sq.fromBfloat16(h), ref.fromBfloat16(h), `fromBfloat16 n=${n}`);
    }
  });

  t('out: written in place and returned; wrong length or type is an error naming it', () => {
    const x = new Float32Array([1, 2, 65520]);
    const o = new Uint16Array(3);
    assert.is(sq.toFloat16(x, o), o);
    assert.equal(Array.from(o), [0x3c00, 0x4000, 0x7c00]);
    const f = new Float32Array(3);
    assert.is(sq.fromBfloat16(new Uint16Array([0x3f80, 0, 0x8000]), f), f);
    assert.equal(bitsOf(f), [0x3f800000, 0, 0x80000000]);
    throwsLike(assert, () => sq.toFloat16(x, new Uint16Array(2)), RangeError, /^out/);
    throwsLike(assert, () => sq.toFloat16(new Float64Array(3)), TypeError, /^x/);
    throwsLike(assert, () => sq.fromFloat16(new Int16Array(3)), TypeError, /^h/);
  });

  t.run();
}

const w = suite('half: Wasm-resident arrays and builds');
w('WasmArray in and out, both builds, the same bits', () => {
  const r = rng(SEED ^ 0x16);
  const bits = Array.from({ length: 4099 }, () => (r.next() * 2 ** 32) >>> 0);
  const x = f32OfBits(bits);
  for (const sq of [simd, scalar]) {
    const xw = sq.wasmArray(x);
    const hw = sq.alloc('u16', x.length), fw = sq.alloc('f32', x.length);
    assert.is(sq.toFloat16(xw, hw), hw);
    assertBits(assert, hw.toArray(), ref.toFloat16(x), 'toFloat16');
    assert.is(sq.fromFloat16(hw, fw), fw);
    assertBits(assert, fw.toArray(), ref.fromFloat16(hw.toArray()), 'fromFloat16');
    sq.toBfloat16(xw, hw);
    assertBits(assert, hw.toArray(), ref.toBfloat16(x), 'toBfloat16');
    sq.fromBfloat16(hw, fw);
    assertBits(assert, fw.toArray(), ref.fromBfloat16(hw.toArray()), 'fromBfloat16');
    throwsLike(assert, () => sq.toFloat16(xw, sq.alloc('i16', x.length)), TypeError, /^out/);
    for (const a of [xw, hw, fw]) a.dispose();
  }
});
w.run();

// ---- every f32 bit pattern ---------------------------------------------------------------------

/**
 * The runs of equal results of a narrowing reference over the non-negative bit patterns: the
 * finite range up to +Inf by bisection (rounding is monotone in the bit pattern there), then
 * NaN blocks of `nanBlock` patterns, whose result depends only on the bits above the block.
 * Returns [start, value, ...] like the fixture's scan of numpy / torch.
 */
function refRuns(fn, nanBlock) {
  const out = [];
  const inf = fn(0x7f800000);
  for (let a = 0; ;) {
    const v = fn(a);
    out.push(a, v);
    if (v === inf) break;
    let lo = a, hi = 0x7f800000;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (fn(mid) === v) lo = mid;
      else hi = mid;
    }
    a = hi;
  }
  const finite = out.length;
  for (let b = 0x7f800001; b < 0x80000000; b = (b & ~(nanBlock - 1)) + nanBlock) out.push(b, fn(b));
  return { all: out, finite: out.slice(0, finite) };
}

const f16 = refRuns(ref.f16Bits, 0x2000);
const bf16 = refRuns(ref.bf16Bits, 0x10000);

const e = suite('half: every f32 bit pattern');
e('the reference changes value exactly where numpy float16 and torch bfloat16 do (all non-NaN inputs, float16 quiet NaNs)', () => {
  assert.is(f16.finite.length / 2, fx.f16Runs.count);
  assert.is(hashResult(Uint32Array.from(f16.finite)), fx.f16Runs.hash);
  const quiet = f16.all.slice(f16.finite.length).filter((_, i, a) => i % 2 === 0 && a[i] >= 0x7fc00000).flatMap((s) => [s, ref.f16Bits(s)]);
  assert.is(hashResult(Uint32Array.from(quiet)), fx.f16QuietNanRuns.hash);
  assert.is(bf16.finite.length / 2, fx.bf16Runs.count);
  assert.is(hashResult(Uint32Array.from(bf16.finite)), fx.bf16Runs.hash);
  // each run holds its value at both ends; the next run starts with a different one
  for (const [fn, runs] of [[ref.f16Bits, f16.all], [ref.bf16Bits, bf16.all]]) {
    for (let i = 0; i < runs.length; i += 2) {
      const end = (i + 2 < runs.length ? runs[i + 2] : 0x80000000) - 1;
      assert.ok(fn(end) === runs[i + 1] && fn(end | 0x80000000) === (runs[i + 1] | 0x8000), `run at ${runs[i].toString(16)}`);
    }
  }
});

const FULL = typeof process !== 'undefined' && !!process.versions?.node && !globalThis.Deno && !globalThis.Bun;
const CHUNK = 1 << 22;
const CHUNKS = 2 ** 32 / CHUNK;
// Node: all 1024 chunks; Deno, Bun and the browser page: 24 chunks, the first, the last, the ones holding 2^-14,
// 65520 and +Inf, and 19 drawn with a fixed seed (the JS fill and compare of 2^32 values takes
// them much longer than the kernels).
function chunkList() {
  if (FULL) return Array.from({ length: CHUNKS }, (_, i) => i);
  const pick = new Set([0, CHUNKS - 1, 0x38800000 / CHUNK, 0x477ff000 / CHUNK, 0x7f800000 / CHUNK]);
  const r = rng(0x2032);
  while (pick.size < 24) pick.add(Math.floor(r.next() * CHUNKS));
  return [...pick].sort((a, b) => a - b);
}

/** Fill `e` with the expected results for inputs base .. base + CHUNK - 1 from the runs. */
function expected(runs, base, e) {
  const a0 = base & 0x7fffffff, sign = base >= 0x80000000 ? 0x8000 : 0;
  let lo = 0, hi = runs.length / 2;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (runs[2 * m] <= a0) lo = m;
    else hi = m;
  }
  for (let r = lo, i = 0; i < CHUNK; r++) {
    const next = 2 * r + 2 < runs.length ? runs[2 * r + 2] : 0x80000000;
    const end = Math.min(CHUNK, next - a0);
    e.fill(runs[2 * r + 1] | sign, i, end);
    i = end;
  }
}

e(FULL ? 'SIMD build: all 2^32 f32 bit patterns, toFloat16 and toBfloat16, equal the reference'
  : 'SIMD build: 24 chunks of 2^22 f32 bit patterns (first, last, the boundaries, 19 with a fixed seed; all 2^32 in Node), toFloat16 and toBfloat16, equal the reference', () => {
  const xw = simd.alloc('f32', CHUNK), hw = simd.alloc('u16', CHUNK), bw = simd.alloc('u16', CHUNK);
  const e16 = new Uint16Array(CHUNK), eb = new Uint16Array(CHUNK);
  const bad = [];
  try {
    for (const c of chunkList()) {
      const base = c * CHUNK;
      const xv = new Uint32Array(xw.view.buffer, xw.ptr, CHUNK); // the bit patterns, written through a u32 view
      for (let i = 0; i < CHUNK; i++) xv[i] = base + i;
      simd.toFloat16(xw, hw);
      simd.toBfloat16(xw, bw);
      expected(f16.all, base, e16);
      expected(bf16.all, base, eb);
      if (!sameBytes(hw.view, e16)) bad.push(`toFloat16 chunk ${c}: ${firstBad(hw.view, e16, base)}`);
      if (!sameBytes(bw.view, eb)) bad.push(`toBfloat16 chunk ${c}: ${firstBad(bw.view, eb, base)}`);
      if (bad.length > 4) break;
    }
  } finally {
    for (const a of [xw, hw, bw]) a.dispose();
  }
  assert.equal(bad, []);
});
e.run();

/** Equal u16 arrays: Buffer's memcmp where there is one (Node, Bun), else a loop. */
function sameBytes(a, b) {
  const B = globalThis.Buffer;
  if (B) return B.from(a.buffer, a.byteOffset, a.byteLength).equals(B.from(b.buffer, b.byteOffset, b.byteLength));
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstBad(got, want, base) {
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return `input ${(base + i).toString(16)}: ${got[i].toString(16)} != ${want[i].toString(16)}`;
  return 'none';
}
