// The `sparq` command (dist/model/cli.js), spawned: compress in each mode, inspect ONNX and
// safetensors files, --help, and one clear message with exit code 1 for bad files and options,
// leaving no output file behind. Node only (it spawns Node).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOnnx, writeSafetensors } from 'sparq/model';

const t = suite('model: sparq command');
const CLI = fileURLToPath(new URL('../../dist/model/cli.js', import.meta.url));
const MODELS = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sparq-cli-'));
const sparq = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

t('compress: each mode writes a model that reads back; --report prints each weight', () => {
  for (const [flags, op] of [[['--int8'], 'MatMulInteger'], [['--int4', '--block', '32'], 'MatMulNBits'], [['--weight-int8', '--prune', '0.5'], 'DequantizeLinear'], [['--int4', '--nm', '2:4', '--exclude', 'x'], 'MatMulNBits']]) {
    const out = join(dir, 'out.onnx');
    const r = sparq('compress', join(MODELS, 'encoder.onnx'), '-o', out, ...flags, '--report');
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /reading .*encoder.onnx/);
    assert.match(r.stdout, /file: 206679 -> \d+ bytes/);
    assert.ok(readOnnx(readFileSync(out)).graph.node.some((n) => n.opType === op), flags.join(' '));
  }
  const ext = sparq('compress', join(MODELS, 'mlp.onnx'), '-o', join(dir, 'ext.onnx'), '--int8', '--external-data');
  assert.is(ext.status, 0, ext.stderr);
  assert.ok(readdirSync(dir).includes('ext.onnx.data'));
});

t('inspect: ONNX and safetensors', () => {
  const r = sparq('inspect', join(MODELS, 'mlp.onnx'));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /ONNX, ir_version 8, opsets ai.onnx 17/);
  assert.match(r.stdout, /x {2}FLOAT\[batch, 64\]/);
  assert.match(r.stdout, /nodes: 5 \(Gemm 3, Relu 2\)/);
  assert.match(r.stdout, /fc2.weight {2}FLOAT\[128, 128\] {2}65536 bytes/);
  const st = join(dir, 'w.safetensors');
  writeFileSync(st, writeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }, { a: 'b' }));
  const s = sparq('inspect', st);
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout, /safetensors, 1 tensors, 24 bytes/);
  assert.match(s.stdout, /w {2}F32\[2, 3\] {2}24 bytes/);
  const h = sparq('--help');
  assert.is(h.status, 0);
  assert.match(h.stdout, /sparq compress <in.onnx> -o <out.onnx> <mode>/);
});

t('bad files and options: exit 1, one line on stderr, no output left behind', () => {
  const trunc = join(dir, 'trunc.onnx');
  writeFileSync(trunc, readFileSync(join(MODELS, 'mlp.onnx')).subarray(0, 1000));
  const lying = join(dir, 'lying.safetensors');
  const b = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
  b[new TextDecoder().decode(b).indexOf('[0,16]') + 4] = 0x39; // the header now says [0, 19]
  writeFileSync(lying, b);
  const out = join(dir, 'never.onnx');
  for (const [args, re] of [
    [['compress', join(dir, 'missing.onnx'), '-o', out, '--int8'], /^sparq: source: cannot read '.*missing.onnx' \(ENOENT\)$/],
    [['compress', trunc, '-o', out, '--int8'], /^sparq: bytes: not a valid ONNX model, the protobuf data is truncated or corrupt/],
    [['compress', join(MODELS, 'mlp.onnx'), '-o', out, '--int4', '--per-channel'], /^sparq: --per-channel: applies to --int8 only$/],
    [['compress', join(MODELS, 'mlp.onnx'), '-o', out, '--int4', '--block', '48'], /^sparq: --block: expected 16, 32, 64, 128 or 256, got '48'$/],
    [['compress', join(MODELS, 'mlp.onnx'), '-o', out], /^sparq: compress: give a mode/],
    [['compress', join(MODELS, 'mlp.onnx'), '--int8'], /^sparq: compress: missing -o/],
    [['compress', join(MODELS, 'mlp.onnx'), '-o', out, '--int8', '--frobnicate'], /^sparq: unknown option '--frobnicate'/],
    [['inspect', lying], /^sparq: tensor 'w'/],
    [['explode'], /^sparq: unknown command 'explode'/],
  ]) {
    const r = sparq(...args);
    assert.is(r.status, 1, args.join(' '));
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('sparq:'));
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0], re);
  }
  assert.not.ok(readdirSync(dir).some((f) => f.startsWith('never.onnx')), 'no output or temporary file');
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
