#!/usr/bin/env node
/**
 * The `sparq` command: `sparq compress` (quantize / prune an ONNX file) and `sparq inspect`
 * (summarise an ONNX or safetensors file). Errors print one line on stderr and exit with 1.
 * @module
 */
import { readOnnx, saveOnnx, type OnnxModel, type OnnxType } from './onnx.js';
import { readSafetensors } from './safetensors.js';
import { quantizeOnnx, type QuantizeOnnxOptions } from './quantize.js';
import { pruneOnnx, type PruneOnnxOptions } from './prune.js';
import { compressionReport } from './report.js';
import { dtypeName } from './onnx-types.js';
import { errCode, nodeFs } from './node-io.js';

const HELP = `sparq: compress and inspect model files

Usage:
  sparq compress <in.onnx> -o <out.onnx> <mode> [options]
  sparq inspect <model.onnx | model.safetensors>
  sparq --help

Modes (one):
  --int8            dynamic int8 (as onnxruntime's quantize_dynamic): MatMul / Gemm -> MatMulInteger
  --int4            int4 MatMulNBits (as onnxruntime's MatMul4BitsQuantizer), MatMul only
  --weight-int8     int8 weights per output channel + DequantizeLinear (MatMul, Gemm, Conv, ...)
  (a pruning option alone is also a mode)

Options:
  --block <n>       int4 block size: 16, 32, 64, 128 (default), 256
  --symmetric       int4 symmetric blocks (no zero points)
  --per-channel     int8: one scale per output column
  --prune <f>       magnitude-prune the fraction f of each weight first
  --nm <n:m>        keep the n largest of every m weights along the input dimension first
  --exclude <list>  comma-separated node names or op types to leave alone
  --external-data   store the output's weights in <out.onnx>.data beside it
  --report          print what happened to each weight and to the file size
`;

/** The part of Node's `process` the command uses (declared here: the package builds without @types/node). */
declare const process: { argv: string[]; exit(code: number): never; stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } };

class Usage extends Error {}

function fail(msg: string): never {
  throw new Usage(msg);
}

const log = (s: string) => process.stderr.write(`${s}\n`);

async function compress(args: string[]): Promise<void> {
  let input: string | undefined, output: string | undefined, mode: QuantizeOnnxOptions['mode'] | undefined;
  let block: number | undefined, symmetric = false, perChannel = false, report = false, external = false;
  let prune: PruneOnnxOptions | undefined;
  const exclude: string[] = [];
  const setMode = (m: QuantizeOnnxOptions['mode'], flag: string) => {
    if (mode) fail(`${flag}: only one of --int8, --int4, --weight-int8`);
    mode = m;
  };
  const value = (i: number, flag: string) => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag}: needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '-o': case '--output': output = value(i++, a); break;
      case '--int8': setMode('dynamic-int8', a); break;
      case '--int4': setMode('int4', a); break;
      case '--weight-int8': setMode('weight-int8', a); break;
      case '--block': {
        const v = value(i++, a);
        block = Number(v);
        if (![16, 32, 64, 128, 256].includes(block)) fail(`--block: expected 16, 32, 64, 128 or 256, got '${v}'`);
        break;
      }
      case '--symmetric': symmetric = true; break;
      case '--per-channel': perChannel = true; break;
      case '--report': report = true; break;
      case '--external-data': external = true; break;
      case '--exclude': exclude.push(...value(i++, a).split(',').filter(Boolean)); break;
      case '--prune': {
        const v = value(i++, a);
        const amount = Number(v);
        if (!(amount >= 0 && amount <= 1)) fail(`--prune: expected a fraction in [0, 1], got '${v}'`);
        if (prune) fail('--prune: only one of --prune, --nm');
        prune = { method: 'magnitude', amount };
        break;
      }
      case '--nm': {
        const v = value(i++, a);
        const mt = /^(\d+):(\d+)$/.exec(v);
        if (!mt || Number(mt[1]) > Number(mt[2]) || Number(mt[2]) < 1) fail(`--nm: expected n:m with n <= m, like 2:4, got '${v}'`);
        if (prune) fail('--nm: only one of --prune, --nm');
        prune = { method: 'nm', n: Number(mt[1]), m: Number(mt[2]) };
        break;
      }
      default:
        if (a.startsWith('-')) fail(`unknown option '${a}' (see sparq --help)`);
        if (input) fail(`one input file only ('${input}', then '${a}')`);
        input = a;
    }
  }
  if (!input) fail('compress: missing the input file (sparq compress in.onnx -o out.onnx --int8)');
  if (!output) fail('compress: missing -o <out.onnx>');
  if (!mode && !prune) fail('compress: give a mode: --int8, --int4, --weight-int8, --prune <f> or --nm <n:m>');
  if ((block !== undefined || symmetric) && mode !== 'int4') fail(`${block !== undefined ? '--block' : '--symmetric'}: applies to --int4 only`);
  if (perChannel && mode !== 'dynamic-int8') fail('--per-channel: applies to --int8 only');
  const t0 = performance.now();
  const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  log(`reading ${input}`);
  const before = await readOnnx(input);
  let model: OnnxModel = before;
  if (prune) {
    log(`pruning (${prune.method === 'nm' ? `${prune.n}:${prune.m}` : `magnitude ${prune.amount}`}) ${since()}`);
    model = await pruneOnnx(model, { ...prune, exclude });
  }
  if (mode) {
    log(`quantizing (${mode}) ${since()}`);
    const opts: QuantizeOnnxOptions = { mode, exclude };
    if (mode === 'int4') Object.assign(opts, block !== undefined ? { blockSize: block } : {}, symmetric ? { symmetric } : {});
    if (perChannel) opts.perChannel = true;
    model = await quantizeOnnx(model, opts);
  }
  log(`writing ${output} ${since()}`);
  await saveOnnx(model, output, external ? { externalDataThreshold: 1024 } : {});
  if (report) {
    const r = await compressionReport(before, model);
    const rows = r.weights.map((w) => [w.name, w.op, `[${w.shape.join('x')}]`, `${w.dtypeBefore} -> ${w.dtypeAfter}`, `${w.bytesBefore} -> ${w.bytesAfter}`, `${(w.sparsity * 100).toFixed(1)}%`, Number.isFinite(w.sqnrDb) ? `${w.sqnrDb.toFixed(1)} dB` : 'exact']);
    const head = ['weight', 'op', 'shape', 'dtype', 'bytes', 'zeros', 'SQNR'];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (c: string[]) => c.map((s, i) => s.padEnd(width[i])).join('  ').trimEnd();
    console.log([line(head), ...rows.map(line)].join('\n'));
    const pct = (a: number, b: number) => `${((100 * b) / a).toFixed(1)}%`;
    console.log(`file: ${r.file.rawBefore} -> ${r.file.rawAfter} bytes (${pct(r.file.rawBefore, r.file.rawAfter)}), gzipped ${r.file.gzipBefore} -> ${r.file.gzipAfter} (${pct(r.file.gzipBefore, r.file.gzipAfter)})`);
  }
  log(`done ${since()}`);
}

function typeString(t?: OnnxType): string {
  if (!t) return '?';
  if (t.tensorType) {
    const dims = t.tensorType.shape?.dim?.map((d) => (d.dimParam ?? (d.dimValue !== undefined ? String(d.dimValue) : '?'))) ?? [];
    return `${dtypeName(t.tensorType.elemType ?? 0)}[${dims.join(', ')}]`;
  }
  if (t.sequenceType) return `sequence<${typeString(t.sequenceType.elemType)}>`;
  if (t.mapType) return `map<${dtypeName(t.mapType.keyType ?? 0)}, ${typeString(t.mapType.valueType)}>`;
  if (t.optionalType) return `optional<${typeString(t.optionalType.elemType)}>`;
  return '?';
}

async function inspect(args: string[]): Promise<void> {
  if (args.length !== 1 || args[0].startsWith('-')) fail('inspect: expected one file (sparq inspect model.onnx)');
  const file = args[0];
  const fs = await nodeFs();
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    fail(`cannot read '${file}' (${errCode(e)})`);
  }
  const isSafetensors = /\.safetensors$/i.test(file) || (bytes.length > 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0);
  if (isSafetensors) {
    const st = readSafetensors(bytes);
    const names = Object.keys(st.tensors);
    let total = 0;
    for (const n of names) total += st.tensors[n].data.byteLength;
    console.log(`${file}: safetensors, ${names.length} tensors, ${total} bytes of data`);
    for (const [k, v] of Object.entries(st.metadata)) console.log(`metadata ${k}: ${v}`);
    for (const n of names) {
      const t = st.tensors[n];
      console.log(`  ${n}  ${t.dtype}[${t.shape.join(', ')}]  ${t.data.byteLength} bytes`);
    }
    return;
  }
  const m = await readOnnx(file);
  const g = m.graph;
  console.log(`${file}: ONNX, ir_version ${m.irVersion ?? '?'}, opsets ${m.opsetImport.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}${m.producerName ? `, producer ${m.producerName} ${m.producerVersion ?? ''}`.trimEnd() : ''}`);
  const initNames = new Set(g.initializer.map((t) => t.name));
  console.log('inputs:');
  for (const v of g.input.filter((x) => !initNames.has(x.name))) console.log(`  ${v.name}  ${typeString(v.type)}`);
  console.log('outputs:');
  for (const v of g.output) console.log(`  ${v.name}  ${typeString(v.type)}`);
  const ops = new Map<string, number>();
  for (const n of g.node) {
    const k = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    ops.set(k, (ops.get(k) ?? 0) + 1);
  }
  console.log(`nodes: ${g.node.length} (${[...ops].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  let total = 0;
  for (const t of g.initializer) total += Array.isArray(t.data) ? 0 : t.data.byteLength;
  console.log(`weights: ${g.initializer.length} initializers, ${total} bytes`);
  const big = g.initializer.slice().sort((a, b) => (Array.isArray(b.data) ? 0 : b.data.byteLength) - (Array.isArray(a.data) ? 0 : a.data.byteLength));
  for (const t of big.slice(0, 20)) console.log(`  ${t.name}  ${dtypeName(t.dataType)}[${t.dims.join(', ')}]  ${Array.isArray(t.data) ? '-' : t.data.byteLength} bytes`);
  if (big.length > 20) console.log(`  ... and ${big.length - 20} more`);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help' || rest.includes('--help')) {
    process.stdout.write(HELP);
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === 'compress') await compress(rest);
  else if (cmd === 'inspect') await inspect(rest);
  else fail(`unknown command '${cmd}' (commands: compress, inspect; see sparq --help)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sparq: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
