// The README's examples run: every ```js block that uses the kernel entry, in one module, against
// the built package (the model-file block needs files of its own and is left to docs/model.md's tests).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const t = suite('README examples');
t('every kernel example runs', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => !b.includes("'sparq/model'"));
  assert.ok(blocks.length >= 4, `${blocks.length} examples`);
  const body = blocks.map((b) => `{\n${b.replace(/^import .*$/gm, '').replace(/^const sq = await init\(\);$/m, '')}\n}`).join('\n');
  mkdirSync(`${ROOT}build`, { recursive: true });
  const file = `${ROOT}build/readme-examples.mjs`;
  writeFileSync(file, `import { init, sparsitySchedule } from 'sparq';\nconst sq = await init();\nconsole.log = () => {};\n${body}\nprocess.stdout.write('ok');\n`);
  assert.is(execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' }), 'ok');
});
t.run();
