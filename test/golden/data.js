// Seeded inputs for the golden battery: each case draws from its own generator seeded by its
// name, so a case's inputs never depend on which other cases run. Plain ESM for every runtime.

export function seedOf(name) {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    /** approx. standard normal (Box-Muller) */
    normal: () => {
      const u = Math.max(next(), 1e-12), v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    /** f32 values, roughly normal (sum of uniforms), times scale */
    f32: (n, scale = 1) => {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (next() + next() + next() - 1.5) * 2 * scale;
      return x;
    },
    i8: (n) => new Int8Array(n).map(() => Math.floor(next() * 256) - 128),
    u8: (n) => new Uint8Array(n).map(() => Math.floor(next() * 256)),
  };
}

/** Sizes that cross the SIMD tile edges. */
export const SIZES = [1, 3, 4, 15, 16, 17, 33, 64, 65, 257];
