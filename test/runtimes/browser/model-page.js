// Runs in the page (bundled by esbuild): the model entry compresses the test models from bytes
// fetched over HTTP; results land on window.__model.
import * as model from 'sparq/model';
import { compressAll } from './model-cases.js';

const report = {};
window.__model = report;
try {
  report.hashes = {};
  for (const name of ['mlp', 'convnet', 'encoder']) {
    const bytes = new Uint8Array(await (await fetch(`/test/fixtures/models/${name}.onnx`)).arrayBuffer());
    report.hashes[name] = await compressAll(model, bytes);
  }
} catch (e) {
  report.error = String((e && e.stack) || e);
}
report.done = true;
