/**
 * Threads: the threaded build (shared memory) run by a pool of workers that `init({ threads })`
 * starts. Calls stay synchronous: the calling thread splits a large call into parts, posts all but
 * the first to the workers through a control block in shared memory (Atomics.notify), runs the
 * first part itself, then waits for the others (Atomics.wait; a spin where waiting is not allowed,
 * as on a browser's main thread). Only the calling thread allocates; workers run kernels on the
 * pointers they are given. Every part writes its own rows / elements, each computed exactly as the
 * one-thread call computes it, so the results have the same bits for every thread count.
 * @module
 */
import { Runtime } from './runtime.js';
import type { InitOptions } from './types.js';
import type { WasmSource } from './load.js';

/**
 * The control block (one SharedArrayBuffer per pool). A call is a job of parts; every thread,
 * the caller included, claims the next part with a compare-exchange on NEXT (the job number's low
 * 24 bits above the part index's 8: a stale claim would need 2^24 jobs to pass between a worker's
 * load and its compare-exchange), runs it and counts it in DONE. Whoever claims a part
 * runs it, so a worker the OS has not scheduled yet only leaves more parts to the caller.
 */
const C_GEN = 0, C_NEXT = 1, C_NPARTS = 2, C_DONE = 3, C_FN = 4, C_NARGS = 5, C_BYWORKERS = 6;
const MAX_PARTS = 64, MAX_ARGS = 16, MSG_CHARS = 256; // MAX_PARTS < 255: NEXT holds the part index in 8 bits, 0xff closed
const ST_AT = 64, ML_AT = ST_AT + 4 * MAX_PARTS, MSG_AT = ML_AT + 4 * MAX_PARTS;
const ARG_AT = MSG_AT + 2 * MAX_PARTS * MSG_CHARS, CTRL_BYTES = ARG_AT + 8 * MAX_PARTS * MAX_ARGS;
/** Error classes a kernel can throw, by status code (the worker reports the code and the message). */
const ERRORS: Record<number, new (m: string) => Error> = { 1: Error, 2: RangeError, 3: TypeError, 4: WebAssembly.RuntimeError };

/**
 * The worker: instantiates the module on the shared memory, moves its static scratch into a block
 * of its own, reports ready, then on every new job claims and runs parts until none is left; a job
 * with fn < 0 ends it. It finds its parent port through node:worker_threads (Node, Deno, Bun) or
 * `self` (Web Workers).
 */
const WORKER_SOURCE = `
const nodeLike = typeof globalThis.process?.versions?.node === 'string' || globalThis.Deno !== undefined || globalThis.Bun !== undefined;
// a Web Worker listens before its first await: a message that arrives during one would be lost
let first;
const early = nodeLike ? undefined : new Promise((r) => { self.onmessage = (e) => { self.onmessage = null; r(e.data); }; });
let post;
if (nodeLike) {
  const p = (await import('node:worker_threads')).parentPort;
  post = (m) => p.postMessage(m);
  first = new Promise((r) => p.once('message', r));
} else {
  post = (m) => self.postMessage(m);
  first = early;
}
first.then((d) => {
  let ex;
  try {
    const mod = d.module instanceof WebAssembly.Module ? d.module : new WebAssembly.Module(d.bytes);
    ex = new WebAssembly.Instance(mod, { env: { memory: d.memory } }).exports;
    ex.thread_set_scratch(d.scratch);
  } catch (e) { post({ error: String((e && e.message) || e) }); return; }
  const fns = d.names.map((n) => ex[n]);
  const C = new Int32Array(d.ctrl, 0, 16);
  const ST = new Int32Array(d.ctrl, ${ST_AT}, ${MAX_PARTS});
  const ML = new Int32Array(d.ctrl, ${ML_AT}, ${MAX_PARTS});
  const MSG = new Uint16Array(d.ctrl, ${MSG_AT}, ${MAX_PARTS * MSG_CHARS});
  const ARG = new Float64Array(d.ctrl, ${ARG_AT}, ${MAX_PARTS * MAX_ARGS});
  post({ ready: true });
  let gen = Atomics.load(C, ${C_GEN});
  for (;;) {
    Atomics.wait(C, ${C_GEN}, gen);
    const g = Atomics.load(C, ${C_GEN});
    if (g === gen) continue;
    gen = g;
    if (C[${C_FN}] < 0) break;
    for (;;) {
      const v = Atomics.load(C, ${C_NEXT});
      if ((v >>> 8) !== (g & 0xffffff) || (v & 0xff) >= C[${C_NPARTS}]) break;
      if (Atomics.compareExchange(C, ${C_NEXT}, v, v + 1) !== v) continue;
      const i = v & 0xff;
      try {
        const a = [];
        for (let j = 0, n = C[${C_NARGS}]; j < n; j++) a.push(ARG[i * ${MAX_ARGS} + j]);
        fns[C[${C_FN}]](...a);
      } catch (e) {
        ST[i] = e instanceof RangeError ? 2 : e instanceof TypeError ? 3 : e instanceof WebAssembly.RuntimeError ? 4 : 1;
        const m = String((e && e.message) || e).slice(0, ${MSG_CHARS});
        for (let j = 0; j < m.length; j++) MSG[i * ${MSG_CHARS} + j] = m.charCodeAt(j);
        ML[i] = m.length;
      }
      Atomics.add(C, ${C_BYWORKERS}, 1);
      Atomics.add(C, ${C_DONE}, 1);
      Atomics.notify(C, ${C_DONE});
    }
  }
});
`;

/** What a worker looks like to the pool, whatever kind of worker it is. */
interface WorkerHandle {
  post(m: unknown): void;
  on(ev: 'message' | 'exit', f: (v: unknown) => void): void;
  off(): void;
  unref(): void;
  terminate(): Promise<unknown> | void;
}

type Fn = (...a: number[]) => unknown;

/**
 * A split call: the argument lists of its parts, and for a reduction the step that combines the
 * parts' own outputs into the call's (in part order) once all have run; `scratch` is freed after.
 */
interface Plan {
  parts: number[][];
  /** The export the parts call, when it is not the split one (a column-range variant). */
  fn?: string;
  after?: () => void;
  scratch?: number[];
}

/** The calling thread's allocator and memory, for splitters that need scratch. */
interface Ctx {
  alloc(bytes: number): number;
  free(ptr: number): void;
  heap(): ArrayBufferLike;
  /** A view of memory as i32, replaced only when a read falls past its end (see `stored`). */
  i32: Int32Array;
}

/** A splitter: the parts of one call (argument lists, or a plan), or undefined to run it whole on the caller. */
type Split = (args: number[], pool: Pool, ctx: Ctx) => number[][] | Plan | undefined;

/**
 * Thresholds: the work (in the unit each family counts) below which a call stays on the calling
 * thread, measured on a 2-core machine (see docs/semantics.md, Threads).
 */
export const THRESHOLDS = {
  /** f32 products: multiply-adds (m k n). */
  gemm: 1 << 20,
  /** int8 products: multiply-adds (m k n). */
  int: 1 << 21,
  /** sparse products: stored nonzeros times the dense columns. */
  sparse: 1 << 18,
  /** element-wise quantize / dequantize: elements. */
  quant: 1 << 17,
};
type Family = keyof typeof THRESHOLDS;

/** Boundaries 0 = b0 < b1 < ... = units splitting units into at most `parts` runs of multiples of `align`. */
function bounds(units: number, parts: number, align: number): number[] {
  const per = Math.ceil(units / parts / align) * align;
  const b = [0];
  while (b[b.length - 1] < units) b.push(Math.min(units, b[b.length - 1] + per));
  return b;
}

/** The pool of one threaded instance. */
export class Pool {
  /** Threads in use, the calling thread included (1 once closed). */
  size: number;
  /** @internal Multiplies every threshold (tests set 0 so that every call with two parts splits). */
  thresholdScale = 1;
  /** Why the pool cannot run calls any more (a worker died), or undefined. */
  dead: string | undefined;
  /** @internal Parts of split calls so far (tests check that calls were split). */
  partsRun = 0;
  /** @internal Parts the calling thread ran itself (with workerParts, each part exactly once: partsRun). */
  callerParts = 0;
  /**
   * @internal Tests: run every part on the calling thread, one after another, in this order. A part
   * that writes outside its own range (or reads another part's output) then changes the bits
   * deterministically in one of the two orders, where the threads would only race.
   */
  sequential: 'forward' | 'reverse' | undefined;
  private readonly C: Int32Array;
  private readonly ST: Int32Array;
  private readonly ML: Int32Array;
  private readonly MSG: Uint16Array;
  private readonly ARG: Float64Array;
  private gen = 0;
  private readonly canWait: boolean;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly workers: WorkerHandle[],
    ctrl: SharedArrayBuffer,
    private readonly fns: Fn[],
    private readonly scratch: number[],
    private readonly free: (p: number) => void,
  ) {
    this.size = workers.length + 1;
    this.C = new Int32Array(ctrl, 0, 16);
    this.ST = new Int32Array(ctrl, ST_AT, MAX_PARTS);
    this.ML = new Int32Array(ctrl, ML_AT, MAX_PARTS);
    this.MSG = new Uint16Array(ctrl, MSG_AT, MAX_PARTS * MSG_CHARS);
    this.ARG = new Float64Array(ctrl, ARG_AT, MAX_PARTS * MAX_ARGS);
    this.canWait = waitAllowed();
    workers.forEach((w, i) => {
      w.on('exit', (code) => {
        if (this.closing === undefined) this.dead ??= `worker ${i + 1} of ${workers.length} exited (${String(code)})`;
      });
    });
  }

  /** @internal Parts that workers (not the caller) have run so far. */
  get workerParts(): number {
    return Atomics.load(this.C, C_BYWORKERS);
  }

  /** How many parts a call is split into: one per thread. */
  get parts(): number {
    return Math.min(this.size, MAX_PARTS);
  }

  /** Whether a call of `work` units of `family` is split. */
  big(family: Family, work: number): boolean {
    return this.size > 1 && work >= THRESHOLDS[family] * this.thresholdScale;
  }

  /** Throw if a worker died: the instance cannot run a threaded call any more. */
  check(): void {
    if (this.dead !== undefined) {
      throw new Error(`sparq: a worker thread of this instance stopped (${this.dead}); its calls cannot run any more. close() it and init() a new instance`);
    }
  }

  /**
   * Post a job. NEXT is closed first (this job's number, no part left): a worker still looking at
   * the last job may have read its NEXT and be about to claim with a compare-exchange against it,
   * and until NEXT changes that claim would succeed and take a part index that this job's fields,
   * written next, give a meaning (a part run twice, DONE counted once too often, memory freed under
   * a running part). Then the fields, then NEXT opened and GEN (the atomic stores publish the fields).
   */
  private post(fi: number, parts: number[][]): number {
    const C = this.C, g = (this.gen = (this.gen + 1) | 0);
    Atomics.store(C, C_NEXT, ((g & 0xffffff) << 8) | 0xff);
    Atomics.store(C, C_DONE, 0);
    C[C_FN] = fi;
    C[C_NARGS] = fi < 0 ? 0 : parts[0].length;
    C[C_NPARTS] = parts.length;
    parts.forEach((a, i) => {
      if (a.length > MAX_ARGS) throw new RangeError(`sparq: ${a.length} kernel arguments, at most ${MAX_ARGS}`);
      this.ARG.set(a, i * MAX_ARGS);
      this.ST[i] = 0;
      this.ML[i] = 0;
    });
    Atomics.store(C, C_NEXT, (g & 0xffffff) << 8);
    Atomics.store(C, C_GEN, g);
    Atomics.notify(C, C_GEN, Math.max(0, Math.min(this.workers.length, parts.length - 1)));
    return g;
  }

  /**
   * Run export `fi` on every part (at most MAX_PARTS): the caller claims parts like a worker, then
   * waits until every part is done. The error of the lowest failing part is thrown, as a
   * one-thread call would meet it first.
   */
  run(fi: number, parts: number[][]): void {
    if (this.sequential !== undefined) {
      const order = parts.map((_, i) => (this.sequential === 'reverse' ? parts.length - 1 - i : i));
      for (const i of order) this.fns[fi](...parts[i]);
      this.partsRun += parts.length;
      this.callerParts += parts.length;
      return;
    }
    const C = this.C, g = this.post(fi, parts), n = parts.length;
    let mine: { i: number; e: unknown } | undefined;
    for (;;) {
      const v = Atomics.load(C, C_NEXT);
      if ((v & 0xff) >= n) break;
      if (Atomics.compareExchange(C, C_NEXT, v, v + 1) !== v) continue;
      const i = v & 0xff;
      this.callerParts++;
      try {
        this.fns[fi](...parts[i]);
      } catch (e) {
        if (mine === undefined || i < mine.i) mine = { i, e };
      }
      Atomics.add(C, C_DONE, 1);
    }
    void g;
    // Wait for every part even after an error: the parts write memory the caller frees next.
    if (this.canWait) {
      for (let d = Atomics.load(C, C_DONE); d < n; d = Atomics.load(C, C_DONE)) Atomics.wait(C, C_DONE, d, 1000);
    } else {
      while (Atomics.load(C, C_DONE) < n) { /* spin: this thread may not block */ }
    }
    for (let i = 0; i < n; i++) {
      if (mine !== undefined && mine.i === i) throw mine.e;
      const st = this.ST[i];
      if (st !== 0) throw new (ERRORS[st] ?? Error)(String.fromCharCode(...this.MSG.subarray(i * MSG_CHARS, i * MSG_CHARS + this.ML[i])));
    }
    this.partsRun += n;
  }

  /** @internal Tests: end worker i as a crash would (the pool is not told). */
  async killWorker(i: number): Promise<void> {
    await this.workers[i].terminate();
  }

  /** End the workers (the instance then runs on the calling thread). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.size = 1;
    this.closing = (async () => {
      this.post(-1, []);
      Atomics.notify(this.C, C_GEN);
      await Promise.all(this.workers.map(async (w) => {
        w.off();
        try {
          await w.terminate();
        } catch { /* already gone */ }
      }));
      for (const p of this.scratch) this.free(p);
    })();
    return this.closing;
  }
}

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
function waitAllowed(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface ThreadInfo {
  pool?: Pool;
  unavailable?: string;
}
const info = new WeakMap<Runtime, ThreadInfo>();

/** @internal The pool of an instance (undefined for a one-thread instance). */
export function poolOf(rt: Runtime): Pool | undefined {
  return info.get(rt)?.pool;
}

/** @internal Threads in use by an instance. */
export function threadCount(rt: Runtime): number {
  return info.get(rt)?.pool?.size ?? 1;
}

/** @internal Why an instance runs on one thread although more were asked for. */
export function threadsUnavailable(rt: Runtime): string | undefined {
  return info.get(rt)?.unavailable;
}

/** @internal End an instance's workers. */
export function closeThreads(rt: Runtime): Promise<void> {
  return info.get(rt)?.pool?.close() ?? Promise.resolve();
}

/** @internal Record why a one-thread instance has no threads. */
export function noteUnavailable(rt: Runtime, reason: string): void {
  info.set(rt, { unavailable: reason });
}

type G = {
  process?: { versions?: { node?: string }; getBuiltinModule?: (m: string) => unknown };
  Deno?: unknown;
  Bun?: unknown;
  navigator?: { userAgent?: string; hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  Worker?: new (url: string | URL, o?: object) => {
    postMessage(m: unknown): void;
    terminate(): void;
    onmessage: ((e: { data: unknown }) => void) | null;
    onerror: ((e: { message?: string }) => void) | null;
  };
};
const g = globalThis as unknown as G;

/** Node, Deno and Bun run workers through node:worker_threads (they can be unref'd there). */
function nodeLike(): boolean {
  return typeof g.process?.versions?.node === 'string' || g.Deno !== undefined || g.Bun !== undefined;
}

/** Why this platform cannot run sparq's threads, or undefined. */
function platformReason(): string | undefined {
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'Cloudflare workerd has no worker threads (and no shared memory between requests)';
  const browserLike = !nodeLike();
  if (browserLike && g.crossOriginIsolated === false) return 'this page is not cross-origin isolated: SharedArrayBuffer needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available in this runtime';
  if (browserLike && typeof g.Worker !== 'function') return 'this runtime has no Worker';
  return undefined;
}

/** The platform's core count for threads: 'auto'. */
async function coreCount(): Promise<number> {
  const n = g.navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n >= 1) return n;
  try {
    const os = (await importNode('node:os')) as { availableParallelism?: () => number; cpus(): unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/** A Node built-in, without a static import that a bundler would try to resolve. */
async function importNode(name: string): Promise<unknown> {
  const get = g.process?.getBuiltinModule;
  if (typeof get === 'function') {
    const m = get(name);
    if (m) return m;
  }
  const spec = name;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
}

/** The largest thread count init accepts. */
const MAX_THREADS = 256;

/** options.threads as a count (1 when absent). */
async function threadOption(t: unknown): Promise<number> {
  if (t === undefined) return 1;
  if (t === 'auto') return Math.max(1, Math.min(MAX_THREADS, await coreCount()));
  if (typeof t !== 'number') throw new TypeError(`options.threads: expected a whole number or 'auto', got ${t === null ? 'null' : typeof t}`);
  if (!Number.isInteger(t) || t < 1 || t > MAX_THREADS) throw new RangeError(`options.threads: expected a whole number from 1 to ${MAX_THREADS} or 'auto', got ${t}`);
  return t;
}

async function startWorker(): Promise<WorkerHandle> {
  if (nodeLike()) {
    const wt = (await importNode('node:worker_threads')) as {
      Worker: new (u: URL) => {
        postMessage(m: unknown): void;
        on(e: string, f: (v: unknown) => void): void;
        removeAllListeners(): void;
        unref(): void;
        terminate(): Promise<number>;
      };
    };
    const w = new wt.Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`));
    return {
      post: (m) => w.postMessage(m),
      on: (ev, f) => w.on(ev, f),
      off: () => w.removeAllListeners(),
      unref: () => w.unref(),
      terminate: () => w.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new g.Worker!(url, { type: 'module' });
  let onExit: ((v: unknown) => void) | undefined;
  return {
    post: (m) => w.postMessage(m),
    on: (ev, f) => {
      if (ev === 'message') w.onmessage = (e) => f(e.data);
      else {
        onExit = f;
        w.onerror = (e) => onExit?.(e.message ?? 'error');
      }
    },
    off: () => {
      w.onmessage = null;
      w.onerror = null;
    },
    unref: () => URL.revokeObjectURL(url),
    // a Web Worker reports no exit: a terminate() that close() did not ask for (it calls off() first) is one
    terminate: () => {
      w.terminate();
      onExit?.('terminated');
    },
  };
}

/** Wait for a worker's first message: ready, or why it could not start. */
function ready(w: WorkerHandle, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a worker did not start within ${ms} ms`)), ms);
    w.on('message', (m) => {
      clearTimeout(timer);
      const e = (m as { error?: string }).error;
      if (e !== undefined) reject(new Error(e));
      else resolve();
    });
    w.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a worker exited while starting (${String(code)})`));
    });
  });
}

/** Compiled threaded builds, per source. */
const compiled = new WeakMap<object, Promise<WebAssembly.Module>>();

/**
 * @internal init's threads: undefined when one thread was asked for; `{ rt }` for a threaded
 * instance; `{ reason }` when threads were asked for but cannot run here (init then makes a
 * one-thread instance and records the reason).
 */
export async function threaded(source: WasmSource, options: InitOptions): Promise<{ rt: Runtime } | { reason: string } | undefined> {
  if (options === null || typeof options !== 'object') return undefined;
  const n = await threadOption(options.threads);
  if (n === 1) return undefined;
  const reason = platformReason()
    ?? (options.module !== undefined || options.bytes !== undefined ? 'a module or bytes given to init run on one thread (the threaded build is chosen by init itself)' : undefined)
    ?? (options.simd === false ? 'simd: false asks for the scalar build, which has no threaded variant' : undefined)
    ?? (options.relaxed === true ? 'relaxed: true asks for the relaxed-SIMD build, which has no threaded variant' : undefined)
    ?? (source.threads === undefined ? 'this entry of sparq has no threaded build' : undefined);
  if (reason !== undefined) return { reason };
  const workers: WorkerHandle[] = [];
  try {
    const get = source.threads!;
    let mp = compiled.get(get);
    if (!mp) {
      mp = Promise.resolve(get()).then((got) => (got instanceof WebAssembly.Module ? got : WebAssembly.compile(got)));
      compiled.set(get, mp);
      mp.catch(() => compiled.delete(get));
    }
    const mod = await mp;
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor);
    const instance = await WebAssembly.instantiate(mod, { env: { memory } });
    const raw = instance.exports as unknown as Record<string, unknown> & { alloc(n: number): number; free(p: number): void; thread_scratch_bytes(): number };
    const split = Object.keys(SPLITS).filter((k) => typeof raw[k] === 'function');
    const names = [...split, ...PART_ONLY.filter((k) => typeof raw[k] === 'function')];
    const ctrl = new SharedArrayBuffer(CTRL_BYTES);
    const scratch: number[] = [];
    for (let i = 0; i < n - 1; i++) {
      workers.push(await startWorker());
      scratch.push(raw.alloc(raw.thread_scratch_bytes()) >>> 0);
    }
    await Promise.all(workers.map((w, i) => {
      const r = ready(w, 30000);
      const msg = { memory, ctrl, scratch: scratch[i], names };
      return (async () => {
        try {
          w.post({ ...msg, module: mod });
        } catch {
          // a runtime that cannot send a compiled module to a worker: the bytes, compiled there
          const b = await get();
          w.post({ ...msg, bytes: b instanceof WebAssembly.Module ? undefined : b });
        }
        return r;
      })();
    }));
    for (const w of workers) {
      w.off();
      w.unref();
    }
    const fns = names.map((k) => raw[k] as Fn);
    const pool = new Pool(workers, ctrl, fns, scratch, (p) => raw.free(p));
    const wrapped: Record<string, unknown> = { ...raw };
    const ctx: Ctx = { alloc: (b) => raw.alloc(b) >>> 0, free: (p) => raw.free(p), heap: () => memory.buffer, i32: new Int32Array(memory.buffer) };
    split.forEach((k, fi) => {
      const orig = raw[k] as Fn, splitter = SPLITS[k], [family, work] = WORK[k];
      // a plain function over `arguments`: a call below its threshold pays two tests and no array
      const f = function (): unknown {
        if (pool.dead !== undefined) pool.check();
        if (pool.size > 1 && work(arguments as unknown as ArrayLike<number>, ctx) >= THRESHOLDS[family] * pool.thresholdScale) {
          const args = Array.prototype.slice.call(arguments) as number[];
          const got = splitter(args, pool, ctx);
          const plan = Array.isArray(got) ? { parts: got } : got;
          if (plan !== undefined) {
            try {
              if (plan.parts.length > 1) {
                pool.run(plan.fn === undefined ? fi : names.indexOf(plan.fn), plan.parts);
                plan.after?.();
                return undefined;
              }
            } finally {
              for (const p of plan.scratch ?? []) raw.free(p);
            }
          }
        }
        return orig.apply(undefined, arguments as unknown as number[]);
      };
      Object.defineProperty(f, 'length', { value: orig.length });
      wrapped[k] = f;
    });
    const rt = new Runtime({ exports: wrapped } as unknown as WebAssembly.Instance, true);
    heaps.set(pool, memory);
    info.set(rt, { pool });
    finalizer?.register(rt, pool);
    return { rt };
  } catch (e) {
    for (const w of workers) {
      w.off();
      try {
        await w.terminate();
      } catch { /* gone */ }
    }
    return { reason: `worker threads could not start here (${(e as Error).message ?? String(e)})` };
  }
}

/** A forgotten threaded instance ends its workers once it is garbage-collected. */
const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Pool>((p) => void p.close()) : undefined;

// ---- splitters: which exports run in parts, and how ------------------------------------------

/** Rows of a row-major product: part i gets rows [b[i], b[i + 1]). */
function rowParts(rows: number, parts: number, align: number, make: (r0: number, r1: number) => number[]): number[][] {
  const b = bounds(rows, parts, align);
  const out: number[][] = [];
  for (let i = 0; i + 1 < b.length; i++) out.push(make(b[i], b[i + 1]));
  return out;
}

/** Row boundaries of a CSR with about the same number of nonzeros per part. */
function nnzParts(ptr: Int32Array, rows: number, parts: number): number[] {
  const base = ptr[0], nnz = ptr[rows] - base;
  const b = [0];
  for (let t = 1; t < parts; t++) {
    const target = base + (nnz * t) / parts;
    let lo = b[b.length - 1], hi = rows;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ptr[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo > b[b.length - 1] && lo < rows) b.push(lo);
  }
  b.push(rows);
  return b;
}

/** Exports that only parts call (column-range variants of split exports). */
const PART_ONLY = ['gemm_f32_cols', 'int_s16_i32_cols'];

/**
 * Stored entries between two row pointers (CSR nonzeros, BSR blocks). A buffer of shared memory
 * is never detached (growth makes a longer one), so the cached view is only replaced when the
 * pointers lie past its end: below-threshold calls skip the slower `buffer` getter of a shared memory.
 */
function stored(ctx: Ctx, ptr: number, rows: number): number {
  const at = ptr >>> 2;
  let v = ctx.i32;
  if (at + rows >= v.length) v = ctx.i32 = new Int32Array(ctx.heap());
  return v[at + rows] - v[at];
}

/** Each split export's family and its work, read from the raw arguments before anything is built. */
const WORK: Record<string, [Family, (a: ArrayLike<number>, ctx: Ctx) => number]> = {
  gemm_f32: ['gemm', (a) => a[3] * a[4] * a[5]],
  int_s16_i32: ['int', (a) => a[2] * a[3] * 2 * a[5]],
  int_dynq_rows: ['quant', (a) => a[1] * a[2]],
  int_dequant: ['quant', (a) => a[1] * a[2]],
  sparse_csr_spmm_f32: ['sparse', (a, c) => (a[0] > 1 ? stored(c, a[1], a[0]) * a[6] : 0)],
  sparse_csrq8_spmm_f32: ['sparse', (a, c) => (a[0] > 1 ? stored(c, a[1], a[0]) * a[7] : 0)],
  sparse_bsr_spmm_f32: ['sparse', (a, c) => (a[0] > 1 ? stored(c, a[3], a[0]) * a[1] * a[2] * a[8] : 0)],
  quant_quantize_f32_q8: ['quant', (a) => a[2] * a[3] * a[4]],
  quant_dequantize_q8_f32: ['quant', (a) => a[2] * a[3] * a[4]],
  quant_minmax_f32: ['quant', (a) => a[1]],
  prune_mask_range: ['quant', (a) => a[1]],
  prune_hist_hi: ['quant', (a) => a[1]],
  prune_mask_hi: ['quant', (a) => a[1]],
};

/**
 * The exports that run in parts. Each splitter returns undefined for a call below its family's
 * threshold (or too small to split), else the argument lists of its parts, in order.
 */
const SPLITS: Record<string, Split> = {
  // gemm_f32(a, b, c, m, k, n): a wide product (n >= m) in columns, multiples of B's 64-column
  // copies (gemm_f32_cols: each thread copies only its columns of B); else rows of A and C in
  // multiples of the 4-row tile.
  gemm_f32: ([a, b, c, m, k, n], p) => {
    if (n >= m && n >= 128 && m >= 4 && k >= 1) {
      return { fn: 'gemm_f32_cols', parts: rowParts(n, p.parts, 64, (j0, j1) => [a, b, c, m, k, n, j0, j1]) };
    }
    if (m < 8) return undefined;
    return rowParts(m, p.parts, 4, (r0, r1) => [a + r0 * k * 4, b, c + r0 * n * 4, r1 - r0, k, n]);
  },
  // int_s16_i32(a16, m, mPad, KP, bp, n, c): a wide product (n >= m) in panels of 8 columns of the
  // packed B (int_s16_i32_cols: each thread reads only its panels); else 4-row tiles of A16 (mPad
  // rows) and the rows of C below m.
  int_s16_i32: ([a16, m, mPad, KP, bp, n, c], p) => {
    const NP = (n + 7) >> 3;
    if (n >= m && NP >= 2) {
      return { fn: 'int_s16_i32_cols', parts: rowParts(NP, p.parts, 1, (p0, p1) => [a16, m, mPad, KP, bp, n, c, p0, p1]) };
    }
    if (mPad < 8) return undefined;
    return rowParts(mPad, p.parts, 4, (r0, r1) => [a16 + r0 * KP * 4, Math.max(0, Math.min(m, r1) - r0), r1 - r0, KP, bp, n, c + r0 * n * 4]);
  },
  // int_dynq_rows(x, m, k, mPad, a16, scales, zps, tmp): quantizedLinear's rows of x, each with its
  // own range; the padding rows past m too. Every part gets its own row buffer (tmp: 16 + k bytes).
  int_dynq_rows: ([x, m, k, mPad, a16, scales, zps, tmp], p, ctx) => {
    if (mPad < 8) return undefined;
    const kp2 = (k + 1) & ~1;
    const b = bounds(mPad, p.parts, 4);
    const own = b.slice(1, -1).map(() => ctx.alloc(32 + k));
    const parts = b.slice(0, -1).map((r0, i) => [x + r0 * k * 4, Math.max(0, Math.min(m, b[i + 1]) - r0), k, b[i + 1] - r0,
      a16 + r0 * kp2 * 2, scales + r0 * 4, zps + r0 * 4, i === 0 ? tmp : own[i - 1]]);
    return { parts, scratch: own };
  },
  // int_dequant(c, m, n, sx, sw, swStride, bias, out): rows of the product, scaled.
  int_dequant: ([c, m, n, sx, sw, swStride, bias, out], p) => {
    if (m < 2) return undefined;
    return rowParts(m, p.parts, 1, (r0, r1) => [c + r0 * n * 4, r1 - r0, n, sx + r0 * 4, sw, swStride, bias, out + r0 * n * 4]);
  },
  // sparse_csr_spmm_f32(rows, indptr, indices, idx16, values, x, n, y): rows, balanced by nonzeros.
  sparse_csr_spmm_f32: (args, p) => csrParts(args, p, -1),
  // sparse_csrq8_spmm_f32(rows, indptr, indices, idx16, values, scale, x, n, y): the same, with the row scales.
  sparse_csrq8_spmm_f32: (args, p) => csrParts(args, p, 5),
  // sparse_bsr_spmm_f32(BR, bh, bw, bptr, bcol, idx16, values, x, n, y): block rows, balanced by blocks.
  sparse_bsr_spmm_f32: (args, p, ctx) => {
    const [BR, bh, bw, bptr, , , , , n, y] = args;
    if (BR < 2) return undefined;
    const ptr = new Int32Array(ctx.heap(), bptr, BR + 1);
    const b = nnzParts(ptr, BR, p.parts);
    return b.slice(0, -1).map((r0, i) => {
      const a = args.slice();
      a[0] = b[i + 1] - r0;
      a[3] = bptr + r0 * 4;
      a[9] = y + r0 * bh * n * 4;
      return a;
    });
  },
  // quant_quantize_f32_q8(x, out, outer, D, inner, B, s, z, sO, sJ, sI, flags): f32 in, bytes out.
  quant_quantize_f32_q8: (args, p) => quantParts(args, p, 4, 1),
  // quant_dequantize_q8_f32(q, out, ...the same layout): bytes in, f32 out.
  quant_dequantize_q8_f32: (args, p) => quantParts(args, p, 1, 4),
  // quant_minmax_f32(x, n, out): the range pass of dynamicQuantize and the observers.
  quant_minmax_f32: minmaxParts,
  // prune_mask_range(w, n, lo, hi, out, cand, cap, io, wbuf): magnitudeMask's sampled select pass.
  prune_mask_range: maskRangeParts,
  // prune_hist_hi(w, n, prior, hist): magnitudeMask's histogram of the top key bits.
  prune_hist_hi: histParts,
  // prune_mask_hi(w, n, prior, b, out, cand, io): the mask outside bucket b, gathering bucket b.
  prune_mask_hi: maskHiParts,
};

/** Runs of elements (multiples of 64) of an n-element pass, for `parts` threads. */
function runs(n: number, p: Pool): number[] {
  return bounds(n, p.parts, 64);
}

/**
 * quant_minmax_f32 in parts: each part's (lo, hi) into its own 8 bytes, then combined as the
 * kernel combines lanes: the unsigned maximum of the lo patterns, the signed maximum of the hi
 * patterns, NaN (the kernel's own NaN bits) for both when any part saw one. The same bits.
 */
function minmaxParts([x, n, out]: number[], p: Pool, ctx: Ctx): Plan | undefined {
  const b = runs(n, p), k = b.length - 1;
  const r = ctx.alloc(8 * k);
  const parts = b.slice(0, -1).map((e0, i) => [x + e0 * 4, b[i + 1] - e0, r + 8 * i]);
  return {
    parts,
    scratch: [r],
    after: () => {
      const h = ctx.heap(), f = new Float32Array(h, r, 2 * k), u = new Uint32Array(h, r, 2 * k), i32 = new Int32Array(h, r, 2 * k);
      const o = new Uint32Array(h, out, 2);
      let nan = -1, lo = 0, hi = 0;
      for (let i = 0; i < k; i++) {
        if (Number.isNaN(f[2 * i]) || Number.isNaN(f[2 * i + 1])) {
          if (nan < 0) nan = i;
          continue;
        }
        lo = Math.max(lo, u[2 * i]);
        hi = Math.max(hi, i32[2 * i + 1]);
      }
      if (nan >= 0) {
        o[0] = u[2 * nan];
        o[1] = u[2 * nan + 1];
      } else {
        o[0] = lo >= 0x80000000 ? lo : 0;
        o[1] = hi > 0 ? hi : 0;
      }
    },
  };
}

/** Append each later part's gathered (key, address) pairs after the first part's, up to cap. */
function appendCand(ctx: Ctx, cand: number, c0: number, cap: number, parts: { cand: number; c: number }[]): number {
  const heap = new Uint8Array(ctx.heap());
  let c = c0;
  for (const q of parts) {
    const fit = Math.max(0, Math.min(q.c, cap - c));
    if (fit > 0) heap.copyWithin(cand + 8 * c, q.cand, q.cand + 8 * fit);
    c += q.c;
  }
  return c;
}

/**
 * prune_mask_range in parts: each run writes its mask bytes and gathers its candidates (their
 * addresses are absolute) into its own list; the lists are joined in run order, so the gathered
 * list, its count and the count of keys >= lo are those of one pass.
 */
function maskRangeParts([w, n, lo, hi, out, cand, cap, io, wbuf]: number[], p: Pool, ctx: Ctx): Plan | undefined {
  const b = runs(n, p), k = b.length - 1;
  const scratch: number[] = [];
  const own = b.slice(1, -1).map(() => {
    const q = { cand: ctx.alloc(Math.max(16, cap * 8)), io: ctx.alloc(16), wbuf: ctx.alloc(1024) };
    scratch.push(q.cand, q.io, q.wbuf);
    return q;
  });
  const parts = b.slice(0, -1).map((e0, i) => {
    const q = i === 0 ? { cand, io, wbuf } : own[i - 1];
    return [w + e0 * 4, b[i + 1] - e0, lo, hi, out + e0, q.cand, cap, q.io, q.wbuf];
  });
  void k;
  return {
    parts,
    scratch,
    after: () => {
      const at = (ptr: number) => new Int32Array(ctx.heap(), ptr, 2);
      const first = at(io);
      let ge = first[1];
      const later = own.map((q) => {
        const v = at(q.io);
        ge += v[1];
        return { cand: q.cand, c: v[0] };
      });
      const c = appendCand(ctx, cand, first[0], cap, later);
      const o = at(io);
      o[0] = c;
      o[1] = ge;
    },
  };
}

/** prune_hist_hi in parts: the first run counts into hist, the others into zeroed histograms added to it. */
function histParts([w, n, prior, hist]: number[], p: Pool, ctx: Ctx): Plan | undefined {
  const b = runs(n, p);
  const own = b.slice(1, -1).map(() => {
    const h = ctx.alloc(32768 * 4);
    new Uint32Array(ctx.heap(), h, 32768).fill(0);
    return h;
  });
  const parts = b.slice(0, -1).map((e0, i) => [w + e0 * 4, b[i + 1] - e0, prior === 0 ? 0 : prior + e0, i === 0 ? hist : own[i - 1]]);
  return {
    parts,
    scratch: own,
    after: () => {
      const H = new Uint32Array(ctx.heap(), hist, 32768);
      for (const h of own) {
        const v = new Uint32Array(ctx.heap(), h, 32768);
        for (let j = 0; j < 32768; j++) H[j] += v[j];
      }
    },
  };
}

/**
 * prune_mask_hi in parts: the first run continues the caller's count in io; the others gather into
 * lists of their own (each at most the bucket's whole count, which the caller sized cand for) that
 * are appended in run order, as one pass gathers them.
 */
function maskHiParts([w, n, prior, bucket, out, cand, io]: number[], p: Pool, ctx: Ctx): Plan | undefined {
  if (cand === 0) return undefined;
  const b = runs(n, p);
  const c0 = new Int32Array(ctx.heap(), io, 1)[0];
  // the caller allocated cand for the bucket's count; a later run gathers at most that many
  const capBytes = blockBytes(ctx, cand);
  if (!(capBytes >= 8 && cand + capBytes <= ctx.heap().byteLength)) return undefined;
  const scratch: number[] = [];
  const own = b.slice(1, -1).map(() => {
    const q = { cand: ctx.alloc(capBytes), io: ctx.alloc(16) };
    new Int32Array(ctx.heap(), q.io, 1)[0] = 0;
    scratch.push(q.cand, q.io);
    return q;
  });
  const parts = b.slice(0, -1).map((e0, i) => {
    const q = i === 0 ? { cand, io } : own[i - 1];
    return [w + e0 * 4, b[i + 1] - e0, prior === 0 ? 0 : prior + e0, bucket, out + e0, q.cand, q.io];
  });
  void c0;
  return {
    parts,
    scratch,
    after: () => {
      const first = new Int32Array(ctx.heap(), io, 1)[0];
      const later = own.map((q) => ({ cand: q.cand, c: new Int32Array(ctx.heap(), q.io, 1)[0] }));
      new Int32Array(ctx.heap(), io, 1)[0] = appendCand(ctx, cand, first, Infinity, later);
    },
  };
}

/**
 * The usable size of a block from the allocator: TLSF keeps it in the word before the block (the
 * low two bits are flags). A later run of prune_mask_hi needs as much room as the caller's list.
 */
function blockBytes(ctx: Ctx, ptr: number): number {
  return new Uint32Array(ctx.heap(), ptr - 4, 1)[0] & ~3;
}

function csrParts(args: number[], p: Pool, scaleAt: number): number[][] | undefined {
  const q8 = scaleAt >= 0;
  const [rows, indptr] = args;
  const n = args[q8 ? 7 : 6], y = args[q8 ? 8 : 7];
  if (rows < 2) return undefined;
  const ptr = new Int32Array(heapOf(p), indptr, rows + 1);
  // four parts per thread: rows cost more than their nonzeros say (each writes n outputs), and a
  // thread that finishes early takes another part
  const b = nnzParts(ptr, rows, Math.min(MAX_PARTS, 4 * p.parts));
  const out: number[][] = [];
  for (let i = 0; i + 1 < b.length; i++) {
    const r0 = b[i], a = args.slice();
    a[0] = b[i + 1] - r0;
    a[1] = indptr + r0 * 4;
    if (q8) a[5] = args[5] + r0 * 4;
    a[q8 ? 8 : 7] = y + r0 * n * 4;
    out.push(a);
  }
  return out;
}

function quantParts(args: number[], p: Pool, ein: number, eout: number): number[][] | undefined {
  const [x, o, outer, D, inner, B, s, z, sO, sJ, sI, flags] = args;
  const total = outer * D * inner;
  if (sO === 0 && sJ === 0 && sI === 0) {
    // one scale and zero point: any run of elements, here multiples of 64; four runs per thread
    // (at least 32 K elements each), so a thread that the OS holds back leaves runs to the others
    const runsN = Math.max(p.parts, Math.min(MAX_PARTS, 4 * p.parts, Math.floor(total / 32768)));
    return rowParts(total, runsN, 64, (e0, e1) => [x + e0 * ein, o + e0 * eout, 1, e1 - e0, 1, e1 - e0, s, z, 0, 0, 0, flags]);
  }
  const rowLen = D * inner;
  if (outer > 1) {
    return rowParts(outer, p.parts, 1, (r0, r1) => [x + r0 * rowLen * ein, o + r0 * rowLen * eout, r1 - r0, D, inner, B, s + r0 * sO * 4, z + r0 * sO * 4, sO, sJ, sI, flags]);
  }
  // outer == 1: whole parameter blocks of B along the axis
  const blocks = Math.ceil(D / B);
  if (blocks < 2) return undefined;
  return rowParts(blocks, p.parts, 1, (u0, u1) => {
    const j0 = u0 * B, j1 = Math.min(D, u1 * B);
    return [x + j0 * inner * ein, o + j0 * inner * eout, 1, j1 - j0, inner, B, s + u0 * sJ * 4, z + u0 * sJ * 4, sO, sJ, sI, flags];
  });
}

/** The pool's memory buffer now (set when the pool is made). */
const heaps = new WeakMap<Pool, WebAssembly.Memory>();
function heapOf(p: Pool): ArrayBufferLike {
  return heaps.get(p)!.buffer;
}
