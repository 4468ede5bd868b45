/**
 * `search(space, objective, opts)`: random, grid and Bayesian (Gaussian process + expected
 * improvement) search that maximises an objective. Seeded: the same seed, space and results give
 * the same trials, whatever the concurrency and timing.
 * @module
 */
import { Rng } from './rng.js';
import { type Config, type DimInfo, type Space, checkSpace, decode, encode, grid, gridSize, perturb, pointKey, randomPoint } from './space.js';
import { type GpFit, expectedImprovement, fitGp, predict, refit } from './gp.js';

/** What an objective returns: the value to maximise, or an object holding it and any other figures. */
export type ObjectiveResult = number | ({ value: number } & Record<string, unknown>);

/**
 * The part of an AbortSignal the search uses (any AbortSignal fits; declared here so the types
 * need neither the DOM nor Node's library).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The second argument of every objective call. */
export interface TrialContext {
  /** The trial's index (0-based, in proposal order). */
  trial: number;
  /** The search's `signal`, when one was given (a long objective may stop on it). */
  signal?: AbortSignalLike;
}

/** One evaluated configuration. */
export interface Trial<C = Record<string, unknown>> {
  /** Proposal order, from 0. */
  index: number;
  config: C;
  /** The objective's value; undefined when the objective threw or returned no finite number. */
  value?: number;
  /** Everything else the objective returned besides `value`. */
  extra?: Record<string, unknown>;
  /** What the objective threw (or a RangeError for a value that is not a finite number). */
  error?: unknown;
}

/** Options of `search`. */
export interface SearchOptions<C = Record<string, unknown>> {
  strategy: 'random' | 'grid' | 'bayes';
  /** Objective evaluations (grid: at most this many; the grid's size when smaller). */
  trials: number;
  /** Seed of every random draw (an integer; default 0). */
  seed?: number;
  /** Objectives running at once (default 1). */
  concurrency?: number;
  /** Called once per finished trial (in index order when concurrency is 1). */
  onTrial?: (trial: Trial<C>, done: number) => void;
  /** Aborting rejects the search with the signal's reason; no trial starts after that. */
  signal?: AbortSignalLike;
  /** Bayes: random trials before the process is used (default max(5, dimensions + 1), at most `trials`). */
  initial?: number;
  /** Configurations for which it returns false are never evaluated (random: drawn again; grid: skipped; bayes: not proposed). */
  constraint?: (config: C) => boolean;
}

/** The result of `search`. */
export interface SearchResult<C = Record<string, unknown>> {
  /** The trial with the highest value (the lowest index on ties); undefined when every trial failed. */
  best: Trial<C> | undefined;
  /** Every trial, by index. */
  trials: Trial<C>[];
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const DRAWS = 10000;

function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, got ${typeName(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name}: expected an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** Options checked, with defaults. */
interface Plan {
  strategy: 'random' | 'grid' | 'bayes';
  trials: number;
  seed: number;
  concurrency: number;
  initial: number;
  feasible: (p: number[]) => boolean;
}

function checkOptions(dims: DimInfo[], opts: unknown): Plan & { onTrial?: SearchOptions['onTrial']; signal?: AbortSignalLike } {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`opts: expected an object, got ${typeName(opts)}`);
  const o = opts as SearchOptions;
  if (typeof o.strategy !== 'string') throw new TypeError(`opts.strategy: expected 'random', 'grid' or 'bayes', got ${typeName(o.strategy)}`);
  if (!['random', 'grid', 'bayes'].includes(o.strategy)) throw new RangeError(`opts.strategy: expected 'random', 'grid' or 'bayes', got '${o.strategy}'`);
  const trials = checkInt('opts.trials', o.trials, 1, 1e6);
  const seed = o.seed === undefined ? 0 : checkInt('opts.seed', o.seed, -(2 ** 53) + 1, 2 ** 53 - 1);
  const concurrency = o.concurrency === undefined ? 1 : checkInt('opts.concurrency', o.concurrency, 1, 1024);
  const initial = o.initial === undefined ? Math.min(trials, Math.max(5, dims.length + 1)) : Math.min(trials, checkInt('opts.initial', o.initial, 1, 1e6));
  if (o.onTrial !== undefined && typeof o.onTrial !== 'function') throw new TypeError(`opts.onTrial: expected a function, got ${typeName(o.onTrial)}`);
  if (o.constraint !== undefined && typeof o.constraint !== 'function') throw new TypeError(`opts.constraint: expected a function, got ${typeName(o.constraint)}`);
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof o.signal.aborted !== 'boolean')) throw new TypeError(`opts.signal: expected an AbortSignal, got ${typeName(o.signal)}`);
  const constraint = o.constraint;
  const feasible = constraint ? (p: number[]) => constraint(decode(dims, p)) === true : () => true;
  return { strategy: o.strategy, trials, seed: Math.trunc(seed) | 0, concurrency, initial, feasible, onTrial: o.onTrial, signal: o.signal };
}

/** A random feasible point (rejection sampling, at most DRAWS draws). */
function drawFeasible(dims: DimInfo[], rng: Rng, feasible: (p: number[]) => boolean): number[] {
  for (let t = 0; t < DRAWS; t++) {
    const p = randomPoint(dims, rng);
    if (feasible(p)) return p;
  }
  throw new RangeError(`opts.constraint: no configuration satisfied it in ${DRAWS} random draws`);
}

/**
 * Bayes proposal for the next trial from the finished trials `done` (points and values; failed
 * trials enter with the lowest value seen) and the pending points (conditioned on with the
 * posterior mean as their value: the kriging believer). Expected improvement over the best
 * posterior mean at a finished point, xi = 0.01 standardised units, maximised over candidates:
 * 512 random points, 32 perturbations (sigma 0.15 and 0.03) of each of the 5 best finished points,
 * then 3 rounds of 24 perturbations of the 4 best candidates with sigma 0.1, 0.03, 0.01. Choices
 * switch with probability 0.2 (0.1 in the rounds). Infeasible points and points already tried or
 * pending are dropped; the first candidate of the highest EI wins.
 */
class Bayes {
  private warm: number[] | undefined;
  constructor(private dims: DimInfo[], private rng: Rng, private feasible: (p: number[]) => boolean) {}

  propose(done: { p: number[]; value: number | undefined }[], pending: number[][]): number[] {
    const dims = this.dims, rng = this.rng;
    const ok = done.filter((t) => t.value !== undefined);
    const seen = new Set<string>([...done.map((t) => pointKey(t.p)), ...pending.map(pointKey)]);
    if (ok.length < 2) return this.fallback(seen);
    const lowest = Math.min(...ok.map((t) => t.value as number));
    const X = done.map((t) => encode(dims, t.p));
    const y = done.map((t) => t.value ?? lowest);
    let fit: GpFit = fitGp(X, y, this.warm);
    this.warm = [...fit.logL, fit.logSf2, fit.logSn2];
    let incumbent = -Infinity;
    for (const x of X) incumbent = Math.max(incumbent, predict(fit, x).mu);
    if (pending.length) {
      const XP = pending.map((p) => encode(dims, p));
      const yP = XP.map((x) => predict(fit, x).mu * fit.std + fit.mean);
      fit = refit(fit, [...X, ...XP], [...y, ...yP]);
    }
    let bestP: number[] | undefined, bestEi = -Infinity;
    const scored: { p: number[]; ei: number }[] = [];
    const consider = (p: number[]) => {
      const k = pointKey(p);
      if (seen.has(k) || !this.feasible(p)) return;
      seen.add(k);
      const { mu, sd } = predict(fit, encode(dims, p));
      const ei = expectedImprovement(mu, sd, incumbent, 0.01);
      scored.push({ p, ei });
      if (ei > bestEi) { bestEi = ei; bestP = p; }
    };
    for (let i = 0; i < 512; i++) consider(randomPoint(dims, rng));
    const top = done.map((t, i) => ({ p: t.p, v: y[i] })).sort((a, b) => b.v - a.v).slice(0, 5);
    for (const t of top) for (let j = 0; j < 32; j++) consider(perturb(dims, t.p, j < 16 ? 0.15 : 0.03, 0.2, rng));
    for (const sigma of [0.1, 0.03, 0.01]) {
      const lead = scored.slice().sort((a, b) => b.ei - a.ei).slice(0, 4);
      for (const c of lead) for (let j = 0; j < 24; j++) consider(perturb(dims, c.p, sigma, 0.1, rng));
    }
    return bestP ?? this.fallback(seen);
  }

  /** A random feasible point not yet tried (or any feasible point when every draw was tried). */
  private fallback(seen: Set<string>): number[] {
    for (let t = 0; t < 200; t++) {
      const p = randomPoint(this.dims, this.rng);
      if (!seen.has(pointKey(p)) && this.feasible(p)) return p;
    }
    return drawFeasible(this.dims, this.rng, this.feasible);
  }
}

/** Runs one objective call and turns its outcome into a trial. */
async function evaluate<C>(objective: (c: C, ctx: TrialContext) => unknown, index: number, config: C, signal: AbortSignalLike | undefined): Promise<Trial<C>> {
  const trial: Trial<C> = { index, config };
  try {
    const r = await objective(config, signal ? { trial: index, signal } : { trial: index });
    let value: unknown = r;
    if (typeof r === 'object' && r !== null) {
      const { value: v, ...extra } = r as Record<string, unknown>;
      value = v;
      trial.extra = extra;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`objective: expected a finite number or { value }, got ${typeof value === 'number' ? value : typeName(value)}`);
    trial.value = value;
  } catch (e) {
    trial.error = e;
  }
  return trial;
}

/**
 * Searches `space` for the configuration that maximises `objective` (sync or async; a number or
 * `{ value, ...extra }`). See docs/search.md for the strategies and their rules.
 */
export async function search<S extends Space>(
  space: S,
  objective: (config: Config<S>, ctx: TrialContext) => ObjectiveResult | Promise<ObjectiveResult>,
  opts: SearchOptions<Config<S>>,
): Promise<SearchResult<Config<S>>> {
  const dims = checkSpace(space);
  if (typeof objective !== 'function') throw new TypeError(`objective: expected a function, got ${typeName(objective)}`);
  const o = checkOptions(dims, opts);
  const { signal } = o;
  const abortReason = () => signal!.reason ?? new DOMException('The search was aborted', 'AbortError');
  if (signal?.aborted) throw abortReason();
  const rng = new Rng(o.seed);
  type C = Config<S>;

  // random and grid: every point is known before the first call
  let fixed: number[][] | undefined;
  if (o.strategy === 'random') fixed = Array.from({ length: o.trials }, () => drawFeasible(dims, rng, o.feasible));
  else if (o.strategy === 'grid') {
    // the most levels whose feasible grid fits in `trials` (or, when none has a feasible point,
    // the first that has, sampled below)
    let g: number[][] = [];
    for (let L = 1; L <= 1024; L++) {
      if (L > 1 && (gridSize(dims, L) === gridSize(dims, L - 1) || gridSize(dims, L) > 1e6)) break;
      const next = grid(dims, L).filter(o.feasible);
      if (next.length > o.trials && g.length > 0) break;
      g = next;
      if (g.length > o.trials) break;
    }
    if (g.length === 0) throw new RangeError('opts.constraint: no grid point satisfies it');
    if (g.length > o.trials) {
      // a seeded sample of the grid, kept in grid order
      const idx = g.map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) { const j = rng.int(i + 1); [idx[i], idx[j]] = [idx[j], idx[i]]; }
      g = idx.slice(0, o.trials).sort((a, b) => a - b).map((i) => g[i]);
    }
    fixed = g;
  }
  const total = fixed ? fixed.length : o.trials;
  const bayes = o.strategy === 'bayes' ? new Bayes(dims, rng, o.feasible) : undefined;
  const points: number[][] = [];
  const trials: Trial<C>[] = new Array(total);
  let finished = 0;

  return new Promise<SearchResult<C>>((resolve, reject) => {
    let stopped = false;
    const onAbort = () => { if (!stopped) { stopped = true; reject(abortReason()); } };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      signal?.removeEventListener('abort', onAbort);
      let best: Trial<C> | undefined;
      for (const t of trials) if (t.value !== undefined && (!best || t.value > best.value!)) best = t;
      resolve({ best, trials });
    };
    const fail = (e: unknown) => { if (!stopped) { stopped = true; signal?.removeEventListener('abort', onAbort); reject(e); } };
    // the point of trial i; bayes sees trials 0..i-concurrency finished and the rest pending
    const pointOf = (i: number): number[] => {
      if (fixed) return fixed[i];
      if (i < o.initial) return drawFeasible(dims, rng, o.feasible);
      const doneUpTo = i - o.concurrency; // inclusive
      const done = [];
      for (let j = 0; j <= doneUpTo; j++) done.push({ p: points[j], value: trials[j].value });
      return bayes!.propose(done, points.slice(Math.max(0, doneUpTo + 1), i));
    };
    let next = 0;
    const launch = () => {
      while (!stopped && next < total && next - finished < o.concurrency) {
        const i = next;
        // bayes waits until trials 0..i-concurrency have finished (keeps runs deterministic)
        if (bayes && i >= o.initial) {
          for (let j = 0; j <= i - o.concurrency; j++) if (!trials[j]) return;
        }
        let p: number[];
        try { p = pointOf(i); } catch (e) { fail(e); return; }
        points[i] = p;
        next++;
        evaluate(objective as (c: C, ctx: TrialContext) => unknown, i, decode(dims, p) as C, signal).then((t) => {
          if (stopped) return;
          trials[i] = t;
          finished++;
          try { o.onTrial?.(t as Trial<Record<string, unknown>> as never, finished); } catch (e) { fail(e); return; }
          if (finished === total) finish();
          else launch();
        });
      }
    };
    launch();
  });
}
