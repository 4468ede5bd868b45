// sparq/model in headless Chromium (an esbuild bundle, bytes in and bytes out through the API):
// every compression of the test models gives the same bytes as in Node.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as model from 'sparq/model';
import { serve } from './server.mjs';
import { launchChromium } from './browser/chromium.mjs';
import { compressAll } from './browser/model-cases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const t = suite('model: Chromium');
let browser, server;
t.after(async () => {
  await browser?.close();
  await server?.close();
});

t('quantizeOnnx / pruneOnnx / writeOnnx in Chromium give the bytes Node gives', async () => {
  await build({ entryPoints: [`${ROOT}/test/runtimes/browser/model-page.js`], outfile: `${ROOT}/build/runtimes/model-page.js`, bundle: true, format: 'esm', platform: 'browser', logLevel: 'error' });
  server = await serve(ROOT);
  ({ browser } = await launchChromium());
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/test/runtimes/browser/model.html`);
  await page.waitForFunction(() => window.__model && window.__model.done, null, { timeout: 120000 });
  const r = await page.evaluate(() => window.__model);
  assert.is(r.error, undefined, r.error);
  assert.equal(errors, []);
  for (const name of ['mlp', 'convnet', 'encoder']) {
    const bytes = new Uint8Array(readFileSync(`${ROOT}/test/fixtures/models/${name}.onnx`));
    const node = await compressAll(model, bytes);
    assert.is(Object.keys(node).length, 7);
    assert.equal(r.hashes[name], node, name);
  }
});

t.run();
