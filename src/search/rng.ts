/**
 * A small seeded generator: a Weyl sequence (step 0x9e3779b9) passed through the 32-bit
 * finaliser of MurmurHash3. Deterministic in every engine (integer operations only), enough for
 * sampling search candidates; not for cryptography.
 * @module
 */

/** Seeded uniform, normal and integer draws. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    // mix the seed once so nearby seeds start far apart
    this.s = Rng.mix((seed >>> 0) ^ 0x5bd1e995) >>> 0;
  }

  private static mix(x: number): number {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return x ^ (x >>> 16);
  }

  /** Next 32 random bits as an unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    return Rng.mix(this.s) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
