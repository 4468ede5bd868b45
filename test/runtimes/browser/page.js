// Runs in the page: the golden battery on both builds (from a plain <script type="module"> with
// an import map, no bundler), then the portable uvu suites. Results land on window.__sparq.
import { init } from 'sparq';
import { batteryReport } from './battery.js';

const report = { log: [] };
window.__sparq = report;
try {
  await batteryReport(init, report);
  const files = new URL(location.href).searchParams.get('tests');
  if (files) {
    globalThis.UVU_DEFER = 1;
    const log = console.log; // uvu keeps a reference to console.log when it loads: wrap it first
    console.log = (...a) => { report.log.push(a.join(' ')); log(...a); };
    const uvu = await import('uvu');
    let i = 0;
    for (const f of files.split(',')) {
      globalThis.UVU_INDEX = i++;
      globalThis.UVU_QUEUE.push([f]);
      await import(`../../${f}`);
    }
    await uvu.exec();
    console.log = log;
  }
} catch (e) {
  report.error = String(e && e.stack || e);
}
report.done = true;
