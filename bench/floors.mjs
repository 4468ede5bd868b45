// AssemblyScript source of the read floor, compiled at run time by the benches that need it
// (bench/int.bench.mjs into a module on sparq's memory, bench/bounds.bench.mjs into its own).

/** One read of n bytes (a multiple of 64) as four streams of n / 4, ORed: the fastest read measured. */
export const READ_FLOOR = `
export function bound_read4(p: usize, n: i32, out: usize): void {
  const q = <usize>n >> 2;
  let a = i32x4.splat(0), b = a, c = a, d = a;
  for (let i: usize = 0; i < q; i += 16) {
    const r = p + i;
    a = v128.or(a, v128.load(r)); b = v128.or(b, v128.load(r + q));
    c = v128.or(c, v128.load(r + 2 * q)); d = v128.or(d, v128.load(r + 3 * q));
  }
  v128.store(out, v128.or(v128.or(a, b), v128.or(c, d)));
}
`;
