// A stable hash over the raw bytes of kernel outputs: FNV-1a, 64-bit (as two 32-bit halves),
// printed as 16 hex digits. Plain ESM, no runtime APIs: it runs in every runtime under test.

function fnv(h, bytes) {
  // 64-bit FNV-1a on two 32-bit words (BigInt would be slow).
  let [hi, lo] = h;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    // (hi, lo) * 0x100000001b3 mod 2^64, with 0x100000001b3 = 2^40 + 0x1b3:
    // lo * 0x1b3 < 2^41 is exact in a double; lo * 2^40 adds lo << 8 to hi; hi * 2^40 overflows.
    const p = lo * 0x1b3;
    const nhi = (Math.imul(hi, 0x1b3) + Math.floor(p / 0x100000000) + (lo << 8)) >>> 0;
    lo = p >>> 0;
    hi = nhi;
  }
  return [hi, lo];
}

function bytesOf(v) {
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'number') return new Uint8Array(new Float64Array([v]).buffer);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (typeof v === 'boolean') return new Uint8Array([v ? 1 : 0]);
  return null;
}

/** Hash a kernel result: a typed array, a number, or an object / array of those (keys sorted). */
export function hashResult(v) {
  let h = [0xcbf29ce4, 0x84222325];
  const walk = (x) => {
    const b = bytesOf(x);
    if (b) {
      h = fnv(h, new TextEncoder().encode(`${x.constructor?.name ?? typeof x}:${b.length};`));
      h = fnv(h, b);
    } else if (Array.isArray(x)) {
      h = fnv(h, new TextEncoder().encode(`[${x.length}`));
      x.forEach(walk);
    } else if (x && typeof x === 'object') {
      if (typeof x.toArray === 'function' && 'dtype' in x) return walk(x.toArray()); // a WasmArray
      for (const k of Object.keys(x).sort()) {
        if (x[k] === undefined || typeof x[k] === 'function') continue;
        h = fnv(h, new TextEncoder().encode(`{${k}`));
        walk(x[k]);
      }
    } else {
      h = fnv(h, new TextEncoder().encode(String(x)));
    }
  };
  walk(v);
  return h[0].toString(16).padStart(8, '0') + h[1].toString(16).padStart(8, '0');
}
