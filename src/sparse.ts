/**
 * Sparse matrices and products: CSR as scipy lays it out (validated before any kernel reads it),
 * resident packed matrices (CSR with 16-bit column indices, N:M, BSR, sparse int8) and the
 * products spmv, spmm and sparseLinear. Accumulation orders are documented in the kernels'
 * modules (assembly/sparse/) and docs/semantics.md; the SIMD and scalar builds agree to the bit.
 * @module
 */
import { checkCount, checkIntIn, checkObject } from './runtime/check.js';
import { Resident } from './runtime/resident.js';
import { type Runtime, type Slot, WasmArray, typeName } from './runtime/runtime.js';
import { roundHalfEven } from './quant.js';
import { SPARSE_IDX_I32, SPARSE_IDX_OFF16, SPARSE_IDX_U16, SPARSE_OFF16_MAX_COLS } from './runtime/consts.js';

/** A CSR matrix as scipy.sparse.csr_matrix lays it out. */
export interface Csr {
  rows: number;
  cols: number;
  /** rows + 1 offsets into indices / data; starts at 0, never decreases, ends at nnz. */
  indptr: Int32Array;
  /** Column of each stored value, in [0, cols), strictly increasing within a row. */
  indices: Int32Array;
  data: Float32Array;
}

/** A CSR with int8 values and one f32 scale per row: row i's value = data[p] * scale[i]. */
export interface CsrInt8 {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Int8Array;
  /** rows finite scales. */
  scale: Float32Array;
}

/** Options of `nmMatrix`: keep at most n of every m consecutive weights of a row. */
export interface NmOptions {
  n: number;
  m: number;
}

/** Options of `bsrMatrix`: block [height, width]. */
export interface BsrOptions {
  block: readonly [number, number];
}

/** Layout of a resident matrix. */
export type SparseFormat = 'csr' | 'csr-int8' | 'nm' | 'bsr';

/** A dense f32 input: a typed array (copied in) or a Wasm-resident array (used in place). */
type F32Like = Float32Array | WasmArray<'f32'>;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

function checkTyped<T>(name: string, v: unknown, ctor: { new (n: number): T; name: string }): T {
  if (!(v instanceof (ctor as unknown as Function)) || !ArrayBuffer.isView(v)) throw new TypeError(`${name}: expected ${ctor.name}, got ${typeName(v)}`);
  return v as T;
}

/**
 * Validate a CSR from outside (the data array's class is `dataCtor`). Every failure is a
 * TypeError (wrong kind) or RangeError (wrong value) naming the field; nothing reaches a kernel.
 * The arrays are read once, into copies that are validated and returned: what the kernels use is
 * what was checked, even if the caller's arrays change (a SharedArrayBuffer written by a worker).
 */
export function checkCsr<D extends Float32Array | Int8Array>(name: string, a: unknown, dataCtor: { new (n: number): D; name: string } = Float32Array as never):
  { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; data: D } {
  const o = checkObject<Record<string, unknown>>(name, a);
  const rows = checkCount(`${name}.rows`, o.rows);
  const cols = checkCount(`${name}.cols`, o.cols);
  const indptr = checkTyped(`${name}.indptr`, o.indptr, Int32Array).slice();
  const indices = checkTyped(`${name}.indices`, o.indices, Int32Array).slice();
  const data = (checkTyped(`${name}.data`, o.data, dataCtor) as Float32Array | Int8Array).slice() as D;
  if (indptr.length !== rows + 1) throw new RangeError(`${name}.indptr: expected rows + 1 = ${rows + 1} entries, got ${indptr.length}`);
  const nnz = indices.length;
  if (data.length !== nnz) throw new RangeError(`${name}.data: expected ${nnz} values (one per index), got ${data.length}`);
  if (indptr[0] !== 0) throw new RangeError(`${name}.indptr: must start at 0, starts at ${indptr[0]}`);
  if (indptr[rows] !== nnz) throw new RangeError(`${name}.indptr: must end at nnz = ${nnz} (the length of indices), ends at ${indptr[rows]}`);
  for (let i = 0; i < rows; i++) {
    if (indptr[i + 1] < indptr[i]) throw new RangeError(`${name}.indptr: decreases at row ${i} (${indptr[i]} then ${indptr[i + 1]})`);
  }
  for (let i = 0; i < rows; i++) {
    const p0 = indptr[i], p1 = indptr[i + 1];
    let prev = -1;
    for (let p = p0; p < p1; p++) {
      const c = indices[p];
      if (c < 0 || c >= cols) throw new RangeError(`${name}.indices: index ${p} = ${c} (row ${i}) is outside [0, ${cols})`);
      if (c <= prev) throw new RangeError(`${name}.indices: not strictly increasing in row ${i} (index ${p} = ${c} after ${prev})`);
      prev = c;
    }
  }
  return { rows, cols, indptr, indices, data };
}

/** A dense [rows x cols] f32 matrix argument: its values (a view; read before any allocation). */
function denseValues(rt: Runtime | undefined, name: string, w: unknown, rows: number, cols: number): Float32Array {
  let v: Float32Array;
  if (w instanceof WasmArray) {
    if (rt) w._check(name, rt);
    if (w.dtype !== 'f32') throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>, got WasmArray<${w.dtype}>`);
    v = w.view as Float32Array;
  } else if (w instanceof Float32Array) v = w;
  else throw new TypeError(`${name}: expected Float32Array or WasmArray<f32>, got ${typeName(w)}`);
  if (v.length !== rows * cols) throw new RangeError(`${name}: expected rows x cols = ${rows * cols} elements, got ${v.length}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// CSR conversions (plain JS: they run once per matrix)
// ---------------------------------------------------------------------------------------------

/** Validate a CSR that comes from outside; returns a validated copy. */
export function csr(a: unknown): Csr {
  const c = checkCsr<Float32Array>('a', a);
  return { rows: c.rows, cols: c.cols, indptr: c.indptr, indices: c.indices, data: c.data };
}

/** Shared by the instance and the reference: the CSR of a dense matrix (w != 0, or mask != 0). */
export function csrFromDenseValues(w: ArrayLike<number>, rows: number, cols: number, mask?: ArrayLike<number>): Csr {
  let nnz = 0;
  const keep = (e: number) => (mask ? mask[e] !== 0 : w[e] !== 0); // NaN != 0: kept; -0 == 0: dropped
  for (let e = 0; e < rows * cols; e++) if (keep(e)) nnz++;
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let p = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0, e = i * cols; j < cols; j++, e++) {
      if (keep(e)) {
        indices[p] = j;
        data[p] = w[e];
        p++;
      }
    }
    indptr[i + 1] = p;
  }
  return { rows, cols, indptr, indices, data };
}

export function checkMask(mask: unknown, n: number, rt?: Runtime): Uint8Array | undefined {
  if (mask === undefined) return undefined;
  let m: Uint8Array;
  if (mask instanceof WasmArray) {
    if (rt) mask._check('mask', rt);
    if (mask.dtype !== 'u8') throw new TypeError(`mask: expected Uint8Array or WasmArray<u8>, got WasmArray<${mask.dtype}>`);
    m = mask.view as Uint8Array;
  } else if (mask instanceof Uint8Array) m = mask;
  else throw new TypeError(`mask: expected Uint8Array or WasmArray<u8>, got ${typeName(mask)}`);
  if (m.length !== n) throw new RangeError(`mask: expected ${n} elements (rows x cols), got ${m.length}`);
  return m;
}

/** CSR of a dense row-major matrix: the entries where w != 0, or where mask != 0 (explicit zeros kept). */
export function csrFromDense(rt: Runtime | undefined, w: unknown, rows: unknown, cols: unknown, mask?: unknown): Csr {
  const r = checkCount('rows', rows);
  const c = checkCount('cols', cols);
  const v = denseValues(rt, 'w', w, r, c);
  return csrFromDenseValues(v, r, c, checkMask(mask, r * c, rt));
}

/** Dense row-major [rows x cols] f32 of a CSR. */
export function csrToDense(a: unknown): Float32Array {
  const c = checkCsr('a', a);
  const out = new Float32Array(c.rows * c.cols);
  for (let i = 0; i < c.rows; i++) {
    for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) out[i * c.cols + c.indices[p]] = c.data[p];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shared packing rules (the reference uses the same rules on plain arrays)
// ---------------------------------------------------------------------------------------------

/** Per-row symmetric int8 of a CSR: scale = max|v| / 127 (1 for an all-zero row), q = round_half_even(v / scale). */
export function quantizeCsrRows(a: Csr): CsrInt8 {
  const q = new Int8Array(a.data.length);
  const scale = new Float32Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let amax = 0;
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      const v = a.data[p];
      if (!Number.isFinite(v)) throw new RangeError(`a.data: sparseInt8Matrix needs finite values, found ${v} at index ${p}`);
      amax = Math.max(amax, Math.abs(v));
    }
    const s = amax > 0 ? Math.fround(amax / 127) : 1;
    scale[i] = s;
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      q[p] = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(a.data[p] / s))));
    }
  }
  return { rows: a.rows, cols: a.cols, indptr: a.indptr, indices: a.indices, data: q, scale };
}

/** Index width of an N:M index: 2 bits for m <= 4, 4 for m <= 16, 8 up to 256. */
export function nmBits(m: number): number {
  return m <= 4 ? 2 : m <= 16 ? 4 : 8;
}

/** Check N:M options and shape. */
export function checkNm(w: ArrayLike<number>, rows: number, cols: number, opts: unknown): { n: number; m: number } {
  const o = checkObject<NmOptions>('opts', opts);
  const m = checkIntIn('opts.m', o.m, 1, 256);
  const n = checkIntIn('opts.n', o.n, 1, m);
  if (cols % m !== 0) throw new RangeError(`cols: ${cols} is not a multiple of opts.m = ${m}`);
  for (let i = 0; i < rows; i++) {
    for (let g = 0; g < cols / m; g++) {
      let k = 0;
      for (let t = 0; t < m; t++) if (w[i * cols + g * m + t] !== 0) k++;
      if (k > n) throw new RangeError(`w: not ${n}:${m} sparse: row ${i}, columns ${g * m}..${g * m + m - 1} hold ${k} nonzeros`);
    }
  }
  return { n, m };
}

/**
 * The kept positions of one N:M group: its nonzero positions plus, if fewer than n, the lowest
 * zero positions, in increasing order (so every group stores exactly n values).
 */
export function nmPositions(w: ArrayLike<number>, base: number, n: number, m: number): number[] {
  let zeros = n;
  for (let t = 0; t < m; t++) if (w[base + t] !== 0) zeros--;
  const pos: number[] = [];
  for (let t = 0; t < m; t++) {
    if (w[base + t] !== 0) pos.push(t);
    else if (zeros > 0) { pos.push(t); zeros--; }
  }
  return pos;
}

/** Check a BSR block option against the shape. */
export function checkBsr(rows: number, cols: number, opts: unknown): [number, number] {
  const o = checkObject<BsrOptions>('opts', opts);
  if (!Array.isArray(o.block) || o.block.length !== 2) throw new TypeError(`opts.block: expected [height, width], got ${typeName(o.block)}`);
  const bh = checkIntIn('opts.block[0]', o.block[0], 1, 1024);
  const bw = checkIntIn('opts.block[1]', o.block[1], 1, 1024);
  if (rows % bh !== 0 || cols % bw !== 0) throw new RangeError(`opts.block: [${bh}, ${bw}] does not divide a ${rows} x ${cols} matrix`);
  return [bh, bw];
}

// ---------------------------------------------------------------------------------------------
// Resident matrices
// ---------------------------------------------------------------------------------------------

const align16 = (b: number) => (b + 15) & ~15;

/** Offsets (bytes from the block's start) and sizes of a packed layout. */
interface Layout {
  /** csr / csr-int8: indptr; bsr: block pointers. */
  ptrOff: number;
  /** Column indices (csr) / block columns (bsr) / N:M index bytes. */
  idxOff: number;
  valOff: number;
  scaleOff: number;
  idx16: boolean;
  /** csr / csr-int8 index encoding passed to the kernels: 0 i32 columns, 1 u16 columns, 2 u16 byte offsets (col * 4). */
  idxMode: number;
  /** N:M */
  n: number; m: number; G: number; bits: number; ib: number;
  /** BSR */
  bh: number; bw: number; nb: number;
}

/**
 * A matrix packed once into Wasm memory for many products. One Wasm block holds the whole
 * layout; `bytes` is its size. Free it with dispose() (or `using`); a disposed matrix is a
 * TypeError wherever it is passed.
 */
export class SparseMatrix extends Resident {
  /** The packed layout. */
  readonly format: SparseFormat;
  readonly rows: number;
  readonly cols: number;
  /** Stored values (N:M: rows * cols * n / m; BSR: blocks * bh * bw, zeros inside blocks included). */
  readonly nnz: number;
  /** @internal */ readonly _ptr: number;
  /** @internal */ readonly L: Layout;

  /** @internal Use sq.sparseMatrix / nmMatrix / bsrMatrix / sparseInt8Matrix. */
  constructor(rt: Runtime, format: SparseFormat, rows: number, cols: number, nnz: number, L: Layout, size: number) {
    super(rt);
    this.format = format;
    this.rows = rows;
    this.cols = cols;
    this.nnz = nnz;
    this.L = L;
    this._ptr = this._alloc(Math.max(size, 16));
    this._guard();
  }

  /** @internal */
  get _kind(): string {
    return 'sparse matrix';
  }
}

const emptyLayout = (): Layout => ({ ptrOff: 0, idxOff: 0, valOff: 0, scaleOff: 0, idx16: false, idxMode: 0, n: 0, m: 0, G: 0, bits: 0, ib: 0, bh: 0, bw: 0, nb: 0 });

/**
 * Pack a validated CSR (f32 or int8 values) into one block: indptr i32; indices as u16 byte offsets
 * col * 4 (cols <= 16384: spmv then gathers x with no address arithmetic), u16 columns
 * (cols <= 65536) or i32; values; scales.
 */
function packCsr(rt: Runtime, c: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; data: Float32Array | Int8Array }, scale?: Float32Array): SparseMatrix {
  const q8 = c.data instanceof Int8Array;
  const nnz = c.indices.length;
  const L = emptyLayout();
  L.idx16 = c.cols <= 65536;
  L.idxMode = c.cols <= SPARSE_OFF16_MAX_COLS ? SPARSE_IDX_OFF16 : L.idx16 ? SPARSE_IDX_U16 : SPARSE_IDX_I32;
  L.ptrOff = 0;
  L.idxOff = align16(4 * (c.rows + 1));
  L.valOff = align16(L.idxOff + nnz * (L.idx16 ? 2 : 4));
  L.scaleOff = align16(L.valOff + nnz * (q8 ? 1 : 4));
  const size = L.scaleOff + (q8 ? 4 * c.rows : 0);
  const A = new SparseMatrix(rt, q8 ? 'csr-int8' : 'csr', c.rows, c.cols, nnz, L, size);
  const base = A._ptr;
  rt.view('i32', base + L.ptrOff, c.rows + 1).set(c.indptr);
  if (L.idxMode === SPARSE_IDX_OFF16) {
    const v = rt.view('u16', base + L.idxOff, nnz);
    for (let k = 0; k < nnz; k++) v[k] = c.indices[k] << 2;
  } else if (L.idx16) rt.view('u16', base + L.idxOff, nnz).set(c.indices);
  else rt.view('i32', base + L.idxOff, nnz).set(c.indices);
  if (q8) {
    rt.view('i8', base + L.valOff, nnz).set(c.data);
    rt.view('f32', base + L.scaleOff, c.rows).set(scale!);
  } else rt.view('f32', base + L.valOff, nnz).set(c.data);
  return A;
}

/** Pack a validated CSR for many products. */
export function sparseMatrix(rt: Runtime, a: unknown): SparseMatrix {
  return packCsr(rt, checkCsr('a', a));
}

/** A CSR with int8 values and per-row scales: from an f32 Csr (quantized per row) or a CsrInt8. */
export function sparseInt8Matrix(rt: Runtime, a: unknown): SparseMatrix {
  const o = checkObject<Record<string, unknown>>('a', a);
  if (o.data instanceof Int8Array) {
    const c = checkCsr('a', a, Int8Array);
    const scale = checkTyped('a.scale', o.scale, Float32Array).slice();
    if (scale.length !== c.rows) throw new RangeError(`a.scale: expected one scale per row (${c.rows}), got ${scale.length}`);
    for (let i = 0; i < scale.length; i++) if (!Number.isFinite(scale[i])) throw new RangeError(`a.scale: scale ${i} is ${scale[i]}, expected a finite number`);
    return packCsr(rt, c, scale);
  }
  const q = quantizeCsrRows(checkCsr('a', a));
  return packCsr(rt, q, q.scale);
}

/** Compress an N:M-sparse dense matrix: values [rows x cols*n/m] plus a 2/4/8-bit index per value. */
export function nmMatrix(rt: Runtime, w: unknown, rows: unknown, cols: unknown, opts: unknown): SparseMatrix {
  const r = checkCount('rows', rows);
  const c = checkCount('cols', cols);
  const v = denseValues(rt, 'w', w, r, c).slice(); // own copy: allocation below may move a WasmArray's view
  const { n, m } = checkNm(v, r, c, opts);
  const L = emptyLayout();
  L.n = n; L.m = m; L.G = c / m; L.bits = nmBits(m);
  const per = L.G * n;
  L.ib = Math.ceil((per * L.bits) / 8);
  L.valOff = 0;
  L.idxOff = align16(4 * r * per);
  const size = L.idxOff + r * L.ib;
  const A = new SparseMatrix(rt, 'nm', r, c, r * per, L, size);
  const vals = new Float32Array(r * per);
  const idx = new Uint8Array(r * L.ib);
  for (let i = 0; i < r; i++) {
    let t = 0;
    for (let g = 0; g < L.G; g++) {
      const base = i * c + g * m;
      for (const pos of nmPositions(v, base, n, m)) {
        vals[i * per + t] = v[base + pos];
        const bit = t * L.bits;
        idx[i * L.ib + (bit >> 3)] |= pos << (bit & 7);
        t++;
      }
    }
  }
  rt.view('f32', A._ptr + L.valOff, vals.length).set(vals);
  rt.view('u8', A._ptr + L.idxOff, idx.length).set(idx);
  return A;
}

/** Block-sparse matrix from a dense one: [bh x bw] blocks that hold any nonzero are kept whole. */
export function bsrMatrix(rt: Runtime, w: unknown, rows: unknown, cols: unknown, opts: unknown): SparseMatrix {
  const r = checkCount('rows', rows);
  const c = checkCount('cols', cols);
  const v = denseValues(rt, 'w', w, r, c).slice();
  const [bh, bw] = checkBsr(r, c, opts);
  const BR = r / bh, BC = c / bw;
  const bptr = new Int32Array(BR + 1);
  const bcol: number[] = [];
  for (let R = 0; R < BR; R++) {
    for (let C = 0; C < BC; C++) {
      let any = false;
      for (let y = 0; y < bh && !any; y++) for (let x = 0; x < bw; x++) if (v[(R * bh + y) * c + C * bw + x] !== 0) { any = true; break; }
      if (any) bcol.push(C);
    }
    bptr[R + 1] = bcol.length;
  }
  const nb = bcol.length;
  const L = emptyLayout();
  L.bh = bh; L.bw = bw; L.nb = nb; L.idx16 = BC <= 65536;
  L.ptrOff = 0;
  L.idxOff = align16(4 * (BR + 1));
  L.valOff = align16(L.idxOff + nb * (L.idx16 ? 2 : 4));
  const size = L.valOff + 4 * nb * bh * bw;
  const A = new SparseMatrix(rt, 'bsr', r, c, nb * bh * bw, L, size);
  const vals = new Float32Array(nb * bh * bw);
  let q = 0;
  for (let R = 0; R < BR; R++) {
    for (let b = bptr[R]; b < bptr[R + 1]; b++, q++) {
      const C = bcol[b];
      for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) vals[(q * bh + y) * bw + x] = v[(R * bh + y) * c + C * bw + x];
    }
  }
  rt.view('i32', A._ptr + L.ptrOff, BR + 1).set(bptr);
  if (L.idx16) rt.view('u16', A._ptr + L.idxOff, nb).set(bcol);
  else rt.view('i32', A._ptr + L.idxOff, nb).set(bcol);
  rt.view('f32', A._ptr + L.valOff, vals.length).set(vals);
  return A;
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

/** A resident matrix of this instance, or a CSR packed for this call (owned: dispose after). */
function resolveMatrix(rt: Runtime, name: string, a: unknown): { A: SparseMatrix; owned: boolean } {
  if (a instanceof SparseMatrix) {
    a._check(name, rt);
    return { A: a, owned: false };
  }
  const c = checkCsr(name, a);
  return { A: packCsr(rt, c), owned: true };
}


/** Y[rows x n] = A X in the spmm order. */
function runSpmm(rt: Runtime, A: SparseMatrix, x: number, n: number, y: number): void {
  const L = A.L, b = A._ptr, e = rt.exports;
  switch (A.format) {
    case 'csr':
      e.sparse_csr_spmm_f32(A.rows, b + L.ptrOff, b + L.idxOff, L.idxMode, b + L.valOff, x, n, y);
      break;
    case 'csr-int8':
      e.sparse_csrq8_spmm_f32(A.rows, b + L.ptrOff, b + L.idxOff, L.idxMode, b + L.valOff, b + L.scaleOff, x, n, y);
      break;
    case 'nm': {
      if (L.G === 0) {
        // no columns: every product is an empty sum (the kernel writes nothing then)
        rt.view('f32', y, A.rows * n).fill(0);
        break;
      }
      const sc = rt.alloc(4 * L.G * L.n); // one row's decoded offsets; the block does not move
      try {
        e.sparse_nm_spmm_f32(A.rows, L.G, L.n, L.m, L.bits, b + L.valOff, b + L.idxOff, L.ib, x, n, y, sc);
      } finally {
        rt.free(sc);
      }
      break;
    }
    case 'bsr':
      e.sparse_bsr_spmm_f32(A.rows / L.bh, L.bh, L.bw, b + L.ptrOff, b + L.idxOff, L.idx16 ? SPARSE_IDX_U16 : SPARSE_IDX_I32, b + L.valOff, x, n, y);
      break;
  }
}

/** y = A x: CSR, sparse int8 and N:M in the 8-partial-sum spmv order; BSR as spmm with n = 1. */
export function spmv(rt: Runtime, a: unknown, x: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const { A, owned } = resolveMatrix(rt, 'a', a);
  let xs: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    xs = rt.input('x', x, ['f32'] as const);
    if (xs.length !== A.cols) throw new RangeError(`x: expected ${A.cols} elements (the matrix's cols), got ${xs.length}`);
    o = rt.output('out', out, 'f32', A.rows);
    const L = A.L, b = A._ptr, e = rt.exports;
    if (A.format === 'csr') e.sparse_csr_spmv_f32(A.rows, b + L.ptrOff, b + L.idxOff, L.idxMode, b + L.valOff, xs.ptr, o.ptr, A.cols);
    else if (A.format === 'csr-int8') e.sparse_csrq8_spmv_f32(A.rows, b + L.ptrOff, b + L.idxOff, L.idxMode, b + L.valOff, b + L.scaleOff, xs.ptr, o.ptr, A.cols);
    else if (A.format === 'nm') {
      const sc = rt.alloc(4 * L.G * L.n);
      try {
        e.sparse_nm_spmv_f32(A.rows, L.G, L.n, L.m, L.bits, b + L.valOff, b + L.idxOff, L.ib, xs.ptr, o.ptr, sc);
      } finally {
        rt.free(sc);
      }
    } else runSpmm(rt, A, xs.ptr, 1, o.ptr);
    return rt.finish('f32', o) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(xs, o);
    if (owned) A.dispose();
  }
}

/** Y[rows x n] = A X, X row-major [cols x n]. */
export function spmm(rt: Runtime, a: unknown, x: unknown, n: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const nn = checkCount('n', n, 1);
  const { A, owned } = resolveMatrix(rt, 'a', a);
  let xs: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  try {
    xs = rt.input('x', x, ['f32'] as const);
    if (xs.length !== A.cols * nn) throw new RangeError(`x: expected cols x n = ${A.cols} x ${nn} = ${A.cols * nn} elements, got ${xs.length}`);
    o = rt.output('out', out, 'f32', A.rows * nn);
    runSpmm(rt, A, xs.ptr, nn, o.ptr);
    return rt.finish('f32', o) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.release(xs, o);
    if (owned) A.dispose();
  }
}

/**
 * Y[batch x out] = X W^T + bias, X [batch x in] row-major, W [out x in] sparse. X is transposed
 * into scratch so the kernel runs the spmm order across the batch (batch-invariant results).
 */
export function sparseLinear(rt: Runtime, x: unknown, batch: unknown, w: unknown, bias?: unknown, out?: unknown): Float32Array | WasmArray<'f32'> {
  const B = checkCount('batch', batch, 1);
  const { A, owned } = resolveMatrix(rt, 'w', w);
  let xs: Slot | undefined, bs: Slot | undefined, o: ReturnType<Runtime['output']> | undefined;
  let xt = 0, yt = 0;
  try {
    xs = rt.input('x', x, ['f32'] as const);
    if (xs.length !== B * A.cols) throw new RangeError(`x: expected batch x in = ${B} x ${A.cols} = ${B * A.cols} elements, got ${xs.length}`);
    if (bias !== undefined && bias !== null) {
      bs = rt.input('bias', bias, ['f32'] as const);
      if (bs.length !== A.rows) throw new RangeError(`bias: expected ${A.rows} elements (the rows of w), got ${bs.length}`);
    }
    o = rt.output('out', out, 'f32', B * A.rows);
    const e = rt.exports;
    if (B === 1) {
      runSpmm(rt, A, xs.ptr, 1, o.ptr);
      if (bs) e.sparse_untranspose_bias_f32(o.ptr, A.rows, 1, bs.ptr, 1, o.ptr);
    } else {
      xt = rt.alloc(4 * B * A.cols);
      yt = rt.alloc(4 * B * A.rows);
      e.sparse_transpose_f32(xs.ptr, B, A.cols, xt);
      runSpmm(rt, A, xt, B, yt);
      e.sparse_untranspose_bias_f32(yt, A.rows, B, bs ? bs.ptr : 0, bs ? 1 : 0, o.ptr);
    }
    return rt.finish('f32', o) as Float32Array | WasmArray<'f32'>;
  } finally {
    rt.free(xt);
    rt.free(yt);
    rt.release(xs, bs, o);
    if (owned) A.dispose();
  }
}
