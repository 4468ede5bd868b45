// Runs the uvu suites of test/*.test.js in whatever runtime executes this file (Node, Deno, Bun),
// through uvu's own ESM runner. Prints uvu's Total / Passed lines, which scripts/test.mjs sums.
//   node test/runtimes/uvu-run.mjs [dir relative to test/] [regex]
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from 'uvu/run';

const dir = fileURLToPath(new URL(`../${process.argv[2] ?? ''}/`.replace(/\/+$/, '/'), import.meta.url));
const pattern = new RegExp(process.argv[3] ?? '\\.test\\.js$');
const files = readdirSync(dir).filter((f) => f.endsWith('.test.js') && pattern.test(f)).sort();
if (files.length === 0) {
  console.error(`no test files match ${pattern}`);
  process.exit(1);
}
const runtime = globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : globalThis.Bun ? `bun ${globalThis.Bun.version}` : `node ${process.version}`;
const { init } = await import('sparq');
const picked = await init();
console.log(`# runtime ${runtime}: ${files.length} test files; init() picks the ${picked.build === 'relaxed' ? 'relaxed' : picked.simd ? 'SIMD' : 'scalar'} build`);
await run(files.map((name) => ({ name, file: `${dir}${name}`.replace(/^\/+/, '') })), {});
