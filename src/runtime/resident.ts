/**
 * The base of every handle that owns Wasm memory (WasmArray, SparseMatrix, PackedInt8,
 * PackedInt4): tracked allocations, `bytes`, `dispose()` / `[Symbol.dispose]` (so `using` works)
 * and a FinalizationRegistry safety net that frees a leaked handle once it is garbage-collected.
 * @module
 */
import type { Runtime } from './runtime.js';

declare global {
  /** `Symbol.dispose` and `Symbol.asyncDispose`, declared here too: these declarations then compile without the esnext.disposable library. */
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

const disposeSymbol: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

/** Frees leaked handles once they are garbage-collected (a safety net; call dispose()). */
const leakGuard: FinalizationRegistry<{ rt: Runtime; ptrs: number[] }> | undefined =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry(({ rt, ptrs }) => { for (const p of ptrs) rt.free(p); })
    : undefined;

/** Base of the resident handles: Wasm allocations freed by dispose(). */
export abstract class Resident {
  /** @internal */ readonly rt: Runtime;
  /** @internal */ _ptrs: number[] = [];
  /** @internal */ _bytes = 0;
  /** @internal */ _disposed = false;

  /** @internal */
  constructor(rt: Runtime) {
    this.rt = rt;
  }

  /** @internal Allocate and track a block. */
  _alloc(bytes: number): number {
    const p = this.rt.alloc(bytes);
    if (p !== 0) this._ptrs.push(p);
    this._bytes += bytes;
    return p;
  }

  /** @internal Register with the leak guard once all blocks are allocated. */
  _guard(): void {
    if (leakGuard && this._ptrs.length) leakGuard.register(this, { rt: this.rt, ptrs: this._ptrs.slice() }, this);
  }

  /** Bytes of Wasm memory this handle holds. */
  get bytes(): number {
    return this._disposed ? 0 : this._bytes;
  }

  /** Whether dispose() was called. */
  get disposed(): boolean {
    return this._disposed;
  }

  /** Free the Wasm memory now. Calling it twice is harmless. */
  dispose(): void {
    if (this._disposed) return;
    if (leakGuard) leakGuard.unregister(this);
    for (const p of this._ptrs) this.rt.free(p);
    this._ptrs = [];
    this._disposed = true;
  }

  /** `using h = ...` frees it at the end of the scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal The handle's name in error messages (literal, so minifiers cannot rename it). */
  abstract get _kind(): string;

  /** @internal Throw unless usable by `rt`. */
  _check(name: string, rt: Runtime): void {
    if (this.rt !== rt) throw new TypeError(`${name}: this ${this._kind} belongs to another sparq instance`);
    if (this._disposed) throw new TypeError(`${name}: this ${this._kind} was disposed`);
  }
}
if (disposeSymbol !== (Symbol as unknown as { dispose?: symbol }).dispose) {
  Object.defineProperty(Resident.prototype, disposeSymbol, { value: Resident.prototype.dispose });
}

