// The raw .wasm files shipped in wasm/ load with @assemblyscript/loader as well as through init().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import loader from '@assemblyscript/loader';

const t = suite('raw wasm files + @assemblyscript/loader');
for (const build of ['simd', 'scalar']) {
  t(`wasm/sparq.${build}.wasm instantiates with the loader and quantizes`, async () => {
    const bytes = await readFile(new URL(`../wasm/sparq.${build}.wasm`, import.meta.url));
    const { exports } = await loader.instantiate(bytes, {});
    assert.is(exports.SIMD_BUILD.value, build === 'simd' ? 1 : 0);
    const x = exports.alloc(16), q = exports.alloc(4), s = exports.alloc(4), z = exports.alloc(4);
    new Float32Array(exports.memory.buffer, x, 4).set([0.5, 1.5, -2.5, 100]);
    new Float32Array(exports.memory.buffer, s, 1)[0] = 0.5;
    new Int32Array(exports.memory.buffer, z, 1)[0] = 0;
    exports.quant_quantize_f32_q8(x, q, 1, 4, 1, 4, s, z, 0, 0, 0, 1);
    assert.equal(Array.from(new Int8Array(exports.memory.buffer, q, 4)), [1, 3, -5, 127]);
    for (const p of [x, q, s, z]) exports.free(p);
  });
}
t.run();
