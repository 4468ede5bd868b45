// Shared test helpers: the implementations under test, a seeded PRNG, exact comparisons.
import { init } from 'sparq';
import { ref } from 'sparq/ref';
import { rng as seeded } from './golden/data.js';

/** The seed of this run (SPARQ_SEED overrides); printed so a failure can be replayed. */
const env = typeof process !== 'undefined' ? process.env : (globalThis.Deno ? globalThis.Deno.env.toObject() : {});
export const SEED = env.SPARQ_SEED ? Number(env.SPARQ_SEED) : 0x5eed1234;
if (!globalThis.__sparqSeedPrinted) {
  globalThis.__sparqSeedPrinted = true;
  console.log(`# seed ${SEED} (set SPARQ_SEED to replay)`);
}

/** [reference, scalar build, SIMD build, relaxed build where the runtime runs it]: every suite runs over each. */
export const simd = await init({ simd: true, relaxed: false });
export const scalar = await init({ simd: false });
/** The relaxed-SIMD build, or undefined where init() does not pick it (Node 20). */
export const relaxed = await init().then((sq) => (sq.build === 'relaxed' ? sq : undefined));
export const IMPLS = [
  { name: 'ref', sq: ref },
  { name: 'scalar', sq: scalar },
  { name: 'simd', sq: simd },
  ...(relaxed ? [{ name: 'relaxed', sq: relaxed }] : []),
];

/** The bytes of a build's .wasm file shipped in wasm/ (read from disk in Node, fetched elsewhere). */
export async function rawWasm(name) {
  const url = new URL(`../wasm/${name}`, import.meta.url);
  if (url.protocol === 'file:' && typeof process !== 'undefined' && process.versions?.node && !globalThis.Deno && !globalThis.Bun) {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

/** The seeded generator of test/golden/data.js (mulberry32), seeded with SEED by default. */
export function rng(seed = SEED) {
  return seeded(seed);
}

export function randF32(r, n, scale = 1) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r.normal() * scale;
  return x;
}

/** Bit-exact equality of two typed arrays (NaN payloads and -0 included). */
export function bitsEqual(a, b) {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** First index where two arrays differ bitwise, for messages. */
export function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return a.length !== b.length ? `lengths ${a.length} vs ${b.length}` : 'none';
}

/** Assert bitwise equality with a useful message. */
export function assertBits(assert, a, b, what) {
  assert.ok(bitsEqual(a, b), `${what}: differs at ${firstDiff(a, b)}`);
}

/** Assert fn throws an instance of Err whose message matches re. */
export function throwsLike(assert, fn, Err, re) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected ${Err.name} matching ${re}, nothing was thrown`);
  assert.ok(err instanceof Err, `expected ${Err.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
  assert.match(err.message, re);
}

/** Sizes that cross every SIMD tile edge. */
export const EDGE_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100];
