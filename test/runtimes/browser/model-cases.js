// The compressions the Chromium model test runs in the page and in Node: each must give the same
// bytes in both.
export const CASES = {
  'dynamic-int8': { mode: 'dynamic-int8' },
  'dynamic-int8 uint8 per channel': { mode: 'dynamic-int8', weightType: 'uint8', perChannel: true },
  'int4 32 symmetric': { mode: 'int4', blockSize: 32, symmetric: true },
  int4: { mode: 'int4' },
  'weight-int8': { mode: 'weight-int8' },
};
export const PRUNE = { method: 'nm', n: 2, m: 4 };

/** Hex SHA-256 of bytes (Web Crypto: browsers and Node alike). */
export async function sha256(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every case on one model's bytes -> { case: hash of the written model }. */
export async function compressAll(m, bytes) {
  const out = { read: await sha256(m.writeOnnx(m.readOnnx(bytes))) };
  const model = m.readOnnx(bytes);
  for (const [k, o] of Object.entries(CASES)) out[k] = await sha256(m.writeOnnx(await m.quantizeOnnx(model, o)));
  out['nm 2:4 then int4'] = await sha256(m.writeOnnx(await m.quantizeOnnx(await m.pruneOnnx(model, PRUNE), { mode: 'int4', blockSize: 32 })));
  return out;
}
