// demo/out/report.svg: two plain SVG charts side by side, written as text (no library).
// Left: validation accuracy against stored bytes for every candidate the searches evaluated, the
// Pareto front of all of them, the teacher and the final student. Right: best-so-far validation
// accuracy against trial for random and Bayesian search (mean over seeds).

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const f = (v) => +v.toFixed(2);

function axes(x0, y0, w, h, xs, ys, xlabel, ylabel, xfmt, yfmt) {
  const out = [];
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#fff" stroke="#999"/>`);
  for (const v of xs.ticks) {
    const x = f(xs.map(v));
    out.push(`<line x1="${x}" y1="${y0 + h}" x2="${x}" y2="${y0 + h + 4}" stroke="#999"/><text x="${x}" y="${y0 + h + 16}" text-anchor="middle">${esc(xfmt(v))}</text>`);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + h}" stroke="#eee"/>`);
  }
  for (const v of ys.ticks) {
    const y = f(ys.map(v));
    out.push(`<line x1="${x0 - 4}" y1="${y}" x2="${x0}" y2="${y}" stroke="#999"/><text x="${x0 - 7}" y="${y + 4}" text-anchor="end">${esc(yfmt(v))}</text>`);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + w}" y2="${y}" stroke="#eee"/>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">${esc(xlabel)}</text>`);
  out.push(`<text transform="translate(${x0 - 44} ${y0 + h / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`);
  return out.join('\n');
}

const linear = (lo, hi, a, b, ticks) => ({ map: (v) => a + ((v - lo) / (hi - lo)) * (b - a), ticks });
const logScale = (lo, hi, a, b, ticks) => ({ map: (v) => a + ((Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (b - a), ticks });

/** The SVG text of the report. */
export function reportSvg(r) {
  const W = 980, H = 420;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="#fafafa"/>`];
  // left chart: accuracy against size
  const x0 = 70, y0 = 40, w = 380, h = 300;
  const pts = r.candidates;
  const accLo = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.accuracy), r.student.accuracy, r.teacher.accuracy) * 20) / 20);
  const bLo = Math.min(...pts.map((p) => p.bytes), r.student.bytes) * 0.8, bHi = r.teacher.bytes * 1.25;
  const kb = [5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5].filter((v) => v >= bLo && v <= bHi);
  const xs = logScale(bLo, bHi, x0, x0 + w, kb);
  const accTicks = [];
  for (let v = accLo; v <= 1.0001; v += (1 - accLo) / 5) accTicks.push(v);
  const ys = linear(accLo, 1, y0 + h, y0, accTicks);
  parts.push(`<text x="${x0}" y="${y0 - 14}" font-size="13" font-weight="bold">Validation accuracy against stored size (every candidate, ${pts.length})</text>`);
  parts.push(axes(x0, y0, w, h, xs, ys, 'stored bytes (log scale)', 'accuracy', (v) => (v >= 1e3 ? `${v / 1e3} kB` : `${v} B`), (v) => `${(100 * v).toFixed(0)}%`));
  parts.push(`<line x1="${f(xs.map(r.budgetBytes))}" y1="${y0}" x2="${f(xs.map(r.budgetBytes))}" y2="${y0 + h}" stroke="#c33" stroke-dasharray="4 3"/><text x="${f(xs.map(r.budgetBytes)) + 4}" y="${y0 + 12}" fill="#c33">budget</text>`);
  for (const p of pts) parts.push(`<circle cx="${f(xs.map(p.bytes))}" cy="${f(ys.map(p.accuracy))}" r="2.6" fill="${p.strategy === 'bayes' ? '#1f77b4' : '#ff7f0e'}" fill-opacity="0.45"/>`);
  const front = r.pareto.map((p) => `${f(xs.map(p.bytes))},${f(ys.map(p.accuracy))}`).join(' ');
  parts.push(`<polyline points="${front}" fill="none" stroke="#222" stroke-width="1.5"/>`);
  for (const p of r.pareto) parts.push(`<circle cx="${f(xs.map(p.bytes))}" cy="${f(ys.map(p.accuracy))}" r="3.5" fill="none" stroke="#222"/>`);
  const mark = (p, label, color, dx, anchor) => parts.push(`<rect x="${f(xs.map(p.bytes)) - 4}" y="${f(ys.map(p.accuracy)) - 4}" width="8" height="8" fill="${color}"/><text x="${f(xs.map(p.bytes)) + dx}" y="${f(ys.map(p.accuracy)) + 16}" text-anchor="${anchor}" fill="${color}">${esc(label)}</text>`);
  mark({ bytes: r.teacher.bytes, accuracy: r.teacher.valAccuracy }, 'teacher f32', '#2ca02c', 4, 'end');
  mark({ bytes: r.student.bytes, accuracy: r.student.valAccuracy }, 'distilled student, 90% sparse int8', '#9467bd', 10, 'start');
  const lg = (y, color, text, circle = true) => parts.push(`${circle ? `<circle cx="${x0 + 12}" cy="${y}" r="3" fill="${color}"/>` : `<line x1="${x0 + 6}" y1="${y}" x2="${x0 + 18}" y2="${y}" stroke="${color}" stroke-width="1.5"/>`}<text x="${x0 + 24}" y="${y + 4}">${esc(text)}</text>`);
  lg(y0 + h - 44, '#ff7f0e', 'random search');
  lg(y0 + h - 30, '#1f77b4', 'Bayesian search');
  lg(y0 + h - 16, '#222', 'Pareto front', false);
  // right chart: best so far against trial
  const X0 = 560, Y0 = 40, Wd = 380;
  const n = r.meanRandom.length;
  const all = [...r.meanRandom, ...r.meanBayes];
  const lo = Math.floor(Math.min(...all) * 100) / 100, hi = Math.ceil(Math.max(...all) * 100 + 0.5) / 100;
  const tt = [1, ...Array.from({ length: 6 }, (_, i) => Math.round(((i + 1) * n) / 6))];
  const xs2 = linear(1, n, X0, X0 + Wd, tt);
  const yt = [];
  for (let k = 0; k <= 5; k++) yt.push(lo + (k * (hi - lo)) / 5);
  const ys2 = linear(lo, hi, Y0 + h, Y0, yt);
  parts.push(`<text x="${X0}" y="${Y0 - 14}" font-size="13" font-weight="bold">Best validation accuracy so far (mean over ${r.seeds} seeds)</text>`);
  parts.push(axes(X0, Y0, Wd, h, xs2, ys2, 'trial', 'best accuracy so far', (v) => `${v}`, (v) => `${(100 * v).toFixed(1)}%`));
  const line = (c, color) => parts.push(`<polyline points="${c.map((v, i) => `${f(xs2.map(i + 1))},${f(ys2.map(v))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
  line(r.meanRandom, '#ff7f0e');
  line(r.meanBayes, '#1f77b4');
  const target = r.meanRandom[n - 1];
  parts.push(`<line x1="${X0}" y1="${f(ys2.map(target))}" x2="${X0 + Wd}" y2="${f(ys2.map(target))}" stroke="#ff7f0e" stroke-dasharray="3 3"/>`);
  if (r.reach > 0) parts.push(`<line x1="${f(xs2.map(r.reach))}" y1="${Y0}" x2="${f(xs2.map(r.reach))}" y2="${Y0 + h}" stroke="#1f77b4" stroke-dasharray="3 3"/><text x="${f(xs2.map(r.reach)) + 4}" y="${Y0 + h - 8}" fill="#1f77b4">trial ${r.reach}</text>`);
  parts.push(`<line x1="${X0 + Wd - 150}" y1="${Y0 + h - 40}" x2="${X0 + Wd - 132}" y2="${Y0 + h - 40}" stroke="#ff7f0e" stroke-width="2"/><text x="${X0 + Wd - 126}" y="${Y0 + h - 36}">random search</text>`);
  parts.push(`<line x1="${X0 + Wd - 150}" y1="${Y0 + h - 24}" x2="${X0 + Wd - 132}" y2="${Y0 + h - 24}" stroke="#1f77b4" stroke-width="2"/><text x="${X0 + Wd - 126}" y="${Y0 + h - 20}">Bayesian search</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
