// The worker served by workerd: imports the package through its `workerd` export condition (the
// .wasm files arrive as WebAssembly.Module bindings; workerd refuses to compile from bytes) and
// answers GET / with the golden battery of both builds as JSON.
import { init } from 'sparq';
import simdModule from 'sparq/wasm/sparq.simd.wasm';
import { runBattery } from '../../golden/index.js';

export default {
  async fetch() {
    try {
      const picked = await init();
      const simd = await init({ relaxed: false });
      const scalar = await init({ simd: false });
      let bytesRefused = false;
      try {
        await init({ bytes: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) });
      } catch (e) {
        bytesRefused = /disallowed|not allowed|code generation/i.test(String(e && e.message));
      }
      const viaModule = await init({ module: simdModule }); // init({ module }) with the app's own binding
      const body = { simd: simd.simd, build: picked.build, simdHashes: runBattery(simd), scalarHashes: runBattery(scalar), moduleHashes: runBattery(viaModule), bytesRefused };
      if (picked.build === 'relaxed') body.relaxedHashes = runBattery(picked);
      // threads: workerd has no worker threads, so init gives one thread and the reason
      const threaded = await init({ threads: 2 });
      body.threads = threaded.threads;
      body.threadsUnavailable = threaded.threadsUnavailable;
      body.threadHashes = runBattery(threaded);
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    } catch (e) {
      return new Response(JSON.stringify({ error: String(e && e.stack || e) }), { status: 500 });
    }
  },
};
