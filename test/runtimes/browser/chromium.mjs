// Node side of the browser tests: which Chromium runs them, and how it starts.
//   SPARQ_CHROMIUM=<path or command>  that binary
//   SPARQ_CHROMIUM=npm                the Chromium shipped in the npm package @sparticuz/chromium
//   unset                             a system Chromium (/usr/bin/chromium, or chromium,
//                                     chromium-browser, google-chrome on PATH), else the npm one
// The npm binary is unpacked once per package version into the temp dir and reused after that.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

// Our own flags, not @sparticuz/chromium's `args`: those add --single-process,
// --disable-web-security and --enable-features=SharedArrayBuffer, which would make the page
// cross-origin-isolation checks pass without COOP/COEP. The networking flags keep Chromium from
// calling outside hosts. Playwright gives each launch a fresh temporary user-data dir.
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const SYSTEM = ['chromium', 'chromium-browser', 'google-chrome'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Unpack @sparticuz/chromium's binary into `<tmp>/sparq-chromium-<version>-<uid>`, or reuse that dir.
 * The package unpacks into os.tmpdir() and trusts any file already there, so a run that was cut
 * short would leave a broken binary behind: it unpacks into a fresh staging dir instead (TMPDIR
 * points there for the call) and the finished dir is renamed into place in one step.
 */
async function npmChromium() {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const pkgDir = resolve(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const dir = join(tmpdir(), `sparq-chromium-${version}-${process.getuid?.() ?? 0}`);
  const found = { path: join(dir, 'chromium'), libs: join(dir, 'al2023', 'lib'), source: `@sparticuz/chromium ${version} from npm` };
  if (existsSync(found.path)) return { ...found, unpackMs: 0 };

  const t0 = Date.now();
  const staging = mkdtempSync(`${dir}.partial-`);
  const saved = process.env.TMPDIR;
  try {
    process.env.TMPDIR = staging;
    const { default: Chromium, inflate } = await import('@sparticuz/chromium');
    await Chromium.executablePath();
    // NSS and NSPR, built for Amazon Linux: found through LD_LIBRARY_PATH, so the binary needs
    // nothing from the system beyond glibc.
    await inflate(join(pkgDir, 'bin', 'al2023.tar.br'));
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(staging, dir);
  } catch (e) {
    // another run finished first: use its copy
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(found.path)) throw e;
  }
  return { ...found, unpackMs: Date.now() - t0 };
}

/** Resolve which Chromium to run: { path, source, libs?, unpackMs? }. */
export async function findChromium(want = process.env.SPARQ_CHROMIUM) {
  if (want === 'npm') return npmChromium();
  if (want) {
    const path = want.includes('/') ? resolve(want) : onPath(want);
    if (!path || !executable(path)) throw new Error(`SPARQ_CHROMIUM=${want}: no executable Chromium there (use a path, or SPARQ_CHROMIUM=npm)`);
    return { path, source: `SPARQ_CHROMIUM ${path}` };
  }
  for (const path of ['/usr/bin/chromium', ...SYSTEM.map(onPath)]) {
    if (path && isAbsolute(path) && executable(path)) return { path, source: `system ${path}` };
  }
  return npmChromium();
}

/**
 * Find and launch Chromium with ARGS. Resolves to { browser, source, unpackMs }; a launch failure
 * becomes one Error naming the binary, the first line of Playwright's reason, how the process
 * exited and any shared library it could not load.
 */
export async function launchChromium() {
  const found = await findChromium();
  const env = { ...process.env };
  if (found.libs) env.LD_LIBRARY_PATH = [found.libs, env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter);
  try {
    const browser = await chromium.launch({ executablePath: found.path, args: ARGS, headless: true, env, timeout: 60000 });
    return { browser, source: found.source, unpackMs: found.unpackMs };
  } catch (e) {
    const text = String(e?.message ?? e).replace(/\x1b\[[0-9;]*m/g, '');
    const details = text.match(/error while loading shared libraries: [^\n]+|process did exit: [^>\n]+/g) ?? [];
    const reason = [...new Set([text.split('\n')[0], ...details])].join('; ');
    throw new Error(`Chromium (${found.source}) at ${found.path} did not start: ${reason}. ` +
      'Set SPARQ_CHROMIUM to another Chromium binary, or SPARQ_CHROMIUM=npm for the one from npm.', { cause: e });
  }
}
