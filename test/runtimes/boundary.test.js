// The typed JS/Wasm boundary: every build exports exactly the functions and globals that the
// generated interface (src/wasm/exports.ts, from the AssemblyScript exports) lists, each function
// with the listed number of parameters, and the constants both sides use agree.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_ARITY, KERNEL_GLOBALS } from '../../dist/wasm/exports.js';
import * as consts from '../../dist/runtime/consts.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const builds = ['simd', 'scalar', 'relaxed'].filter((b) => existsSync(`${ROOT}wasm/sparq.${b}.wasm`));

/** The export section of a module, read from its bytes (a runtime may be unable to compile a build). */
function exportsOf(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0, s = 0, x;
    do { x = bytes[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80);
    return r >>> 0;
  };
  const out = [];
  while (p < bytes.length) {
    const id = bytes[p++], size = leb(), end = p + size;
    if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const len = leb();
        const name = new TextDecoder().decode(bytes.subarray(p, p + len));
        p += len;
        const kind = ['function', 'table', 'memory', 'global'][bytes[p++]];
        leb();
        out.push({ name, kind });
      }
    }
    p = end;
  }
  return out;
}

const t = suite('JS/Wasm boundary');
t('every build exports what the generated interface lists, with the same parameter counts', async () => {
  assert.ok(Object.keys(KERNEL_ARITY).length > 50, 'the interface lists the kernels');
  for (const b of builds) {
    const bytes = readFileSync(`${ROOT}wasm/sparq.${b}.wasm`);
    const names = exportsOf(bytes);
    const fns = names.filter((e) => e.kind === 'function').map((e) => e.name).sort();
    const globals = names.filter((e) => e.kind === 'global').map((e) => e.name).sort();
    assert.equal(fns, Object.keys(KERNEL_ARITY).sort(), `${b}: functions`);
    assert.equal(globals, [...KERNEL_GLOBALS].sort(), `${b}: globals`);
    if (!WebAssembly.validate(bytes)) continue; // this runtime cannot compile it (relaxed SIMD off)
    const { instance: { exports } } = await WebAssembly.instantiate(bytes, {});
    for (const name of fns) assert.is(exports[name].length, KERNEL_ARITY[name], `${b}: ${name} parameters`);
  }
});
t('the constants of both sides agree in every build', async () => {
  const names = Object.keys(consts);
  assert.ok(names.length >= 8, `${names.length} constants`);
  for (const b of builds) {
    const bytes = readFileSync(`${ROOT}wasm/sparq.${b}.wasm`);
    if (!WebAssembly.validate(bytes)) continue;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    for (const n of names) {
      assert.ok(instance.exports[n] instanceof WebAssembly.Global, `${b}: ${n} is exported`);
      assert.is(instance.exports[n].value, consts[n], `${b}: ${n}`);
    }
  }
});
t.run();
