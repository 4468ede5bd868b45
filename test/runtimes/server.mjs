// A static file server on 127.0.0.1 for the browser tests: serves the package root with the right
// content types (.wasm as application/wasm for compileStreaming) and cross-origin isolation
// headers. Stays inside the root; stopped by the test that started it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
};

/**
 * Start serving `root`; `csp` maps page paths to a Content-Security-Policy; `isolate: false` leaves
 * out the cross-origin isolation headers (a page without SharedArrayBuffer). Resolves to { url, close }.
 */
export function serve(root, { csp = {}, isolate = true } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep) && file !== root) throw Object.assign(new Error('outside root'), { code: 'ENOENT' });
      const body = await readFile(file);
      const headers = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      if (csp[path]) headers['Content-Security-Policy'] = csp[path];
      res.writeHead(200, headers);
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, { 'Content-Type': 'text/plain' });
      res.end(String(e.message));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
