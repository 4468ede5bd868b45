// Headless Chromium via playwright-core (a system Chromium, or the one from the npm package
// @sparticuz/chromium: see browser/chromium.mjs and SPARQ_CHROMIUM): the package from a plain
// <script type="module"> page with an import map, and from an esbuild bundle served under a strict
// content-security policy. Both builds must give every committed golden hash; the portable uvu
// suites run in the page too.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { serve } from './server.mjs';
import { launchChromium } from './browser/chromium.mjs';
import { batteryDiff, guardedSetup, reportRow } from './report.js';
import expected from '../golden/hashes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src data:";

const t = suite('Chromium');
let browser, server, plain, source;

const checkSetup = guardedSetup(t, setup);
async function setup() {
  await build({
    entryPoints: [`${ROOT}/test/runtimes/browser/bundle-entry.js`],
    outfile: `${ROOT}/build/runtimes/bundle.js`,
    bundle: true, format: 'esm', platform: 'browser', minify: true, logLevel: 'error',
  });
  // sparq/model depends on protobufjs (CommonJS): the page's import map points at a bundle of it
  await build({ entryPoints: [`${ROOT}/dist/model/index.js`], outfile: `${ROOT}/build/runtimes/sparq-model.js`, bundle: true, format: 'esm', platform: 'browser', logLevel: 'error' });
  server = await serve(ROOT, { csp: { '/test/runtimes/browser/bundle.html': CSP } });
  // the same files without COOP / COEP: no SharedArrayBuffer, so threads fall back to one
  plain = await serve(ROOT, { isolate: false });
  const launched = await launchChromium();
  ({ browser, source } = launched);
  const unpacked = launched.unpackMs === undefined ? '' : launched.unpackMs ? `, unpacked in ${(launched.unpackMs / 1000).toFixed(1)} s` : ', unpacked copy reused';
  console.log(`# Chromium ${browser.version()} (${source}${unpacked})`);
}
t.after(async () => {
  await browser?.close();
  await server?.close();
  await plain?.close();
});

async function load(path, base, allowed) {
  checkSetup();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !allowed?.test(m.text())) errors.push(m.text()); });
  await page.goto(`${base ?? server.url}${path}`);
  try {
    await page.waitForFunction(() => window.__sparq && window.__sparq.done, null, { timeout: 120000 });
  } catch (e) {
    throw new Error(`${path} did not finish: ${e.message}\n${errors.join('\n')}`);
  }
  const r = await page.evaluate(() => window.__sparq);
  await page.close();
  assert.is(r.error, undefined, `page error: ${r.error}`);
  assert.equal(errors, [], 'uncaught page errors');
  return r;
}

// Every suite in test/ that needs no Node API (itself or through a local helper ./_*.js) runs in the page too.
const usesNode = (f) => {
  const src = readFileSync(`${ROOT}/test/${f}`, 'utf8');
  return /from 'node:/.test(src) || [...src.matchAll(/from '\.\/(_[\w-]+\.js)'/g)].some((m) => usesNode(m[1]));
};
const PORTABLE = readdirSync(`${ROOT}/test`).filter((f) => f.endsWith('.test.js') && !usesNode(f)).sort();

t('plain <script type="module"> page: golden battery (both builds) and the uvu suites', async () => {
  assert.ok(PORTABLE.length >= 3, `portable suites: ${PORTABLE}`);
  const r = await load(`/test/runtimes/browser/page.html?tests=${PORTABLE.join(',')}`);
  assert.is(r.simd, true, 'Chromium gets the SIMD build');
  assert.is(r.build, 'relaxed', 'Chromium runs relaxed SIMD: init() picks the relaxed build');
  assert.equal(batteryDiff(r.simdHashes, expected), [], 'SIMD build hashes');
  assert.equal(batteryDiff(r.scalarHashes, expected), [], 'scalar build hashes');
  assert.equal(batteryDiff(r.relaxedHashes, expected), [], 'relaxed build hashes');
  const log = r.log.join('\n');
  const total = Number(/Total:\s+(\d+)/.exec(log)?.[1]);
  const passed = Number(/Passed:\s+(\d+)/.exec(log)?.[1]);
  assert.ok(total > 0, `in-page uvu ran no test:\n${log}`);
  assert.is(passed, total, `in-page uvu failures:\n${log}`);
  reportRow('chromium', { runtime: 'Chromium (headless)', version: browser.version(), source, loads: '`<script type="module">` + import map, embedded bytes', simd: r.simd, build: r.build, identical: true, tests: `${passed}/${total} tests (${PORTABLE.length} portable suites) in the page, golden battery x 3 builds` });
});

t("esbuild bundle under a strict CSP (script-src 'self' 'wasm-unsafe-eval'): golden battery", async () => {
  // the CSP blocks the blob: workers that init({ threads: 2 }) tries (Chromium logs that)
  const r = await load('/test/runtimes/browser/bundle.html', undefined, /Creating a worker from 'blob:.*violates the following Content Security Policy/);
  assert.is(r.simd, true);
  assert.is(r.build, 'relaxed');
  assert.equal(batteryDiff(r.simdHashes, expected), [], 'SIMD build hashes');
  assert.equal(batteryDiff(r.scalarHashes, expected), [], 'scalar build hashes');
  assert.equal(batteryDiff(r.relaxedHashes, expected), [], 'relaxed build hashes');
  // a strict CSP without worker-src blob: blocks the workers: one thread, and the reason
  assert.is(r.threads, 1);
  assert.type(r.threadsUnavailable, 'string');
  reportRow('chromium-bundle', { runtime: 'Chromium (esbuild bundle, strict CSP)', version: browser.version(), source, loads: 'esbuild bundle, embedded bytes', simd: r.simd, build: r.build, threads: 'no under this CSP (workers need worker-src blob:): one thread, no error', identical: true, tests: `golden battery (${Object.keys(expected).length} cases x 3 builds)` });
});

t('threads: a cross-origin-isolated page runs 2 and 3 threads with the one-thread hashes; the esbuild bundle starts its workers', async () => {
  const r = await load('/test/runtimes/browser/threads.html');
  assert.is(r.crossOriginIsolated, true);
  assert.equal(r.threads, { 1: 1, 2: 2, 3: 3 });
  assert.equal(r.unavailable, { 1: null, 2: null, 3: null });
  for (const n of [1, 2, 3]) assert.equal(batteryDiff(r.hashes[n], expected), [], `${n} threads`);
  assert.ok(r.partsRun[2] > 100 && r.partsRun[3] > 100, `parts run: ${JSON.stringify(r.partsRun)}`);
  assert.equal(r.partsDone, r.partsRun, 'every posted part ran exactly once');
  const b = await load('/test/runtimes/browser/bundle-threads.html');
  assert.is(b.threads, 2, `bundle: ${b.threadsUnavailable}`);
  assert.is(b.threadsSame, true);
  reportRow('chromium-threads', { runtime: 'Chromium (COOP / COEP page)', version: browser.version(), source, loads: '`<script type="module">` + import map; esbuild bundle', simd: true, build: 'threads', threads: '1 / 2 / 3, same hashes (main thread spins)', identical: true, tests: `golden battery (${Object.keys(expected).length} cases) x 3 thread counts; bundle at 2 threads` });
});

t('threads: a page without COOP / COEP gets one thread and the reason, with the same hashes', async () => {
  const r = await load('/test/runtimes/browser/threads.html', plain.url);
  assert.is(r.crossOriginIsolated, false);
  assert.equal(r.threads, { 1: 1, 2: 1, 3: 1 });
  assert.is(r.unavailable[1], null);
  assert.match(r.unavailable[2], /not cross-origin isolated/);
  for (const n of [1, 2, 3]) assert.equal(batteryDiff(r.hashes[n], expected), [], `${n} threads asked for`);
  reportRow('chromium-no-coop', { runtime: 'Chromium (page without COOP / COEP)', version: browser.version(), source, loads: '`<script type="module">` + import map, embedded bytes', simd: true, build: 'relaxed', threads: 'no (not cross-origin isolated): one thread, no error', identical: true, tests: `golden battery (${Object.keys(expected).length} cases) with threads 1 / 2 / 3 asked for` });
});

t.run();
