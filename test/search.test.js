// sparq/search: random, grid and Bayesian search on closed-form objectives (a quadratic with a
// known optimum, a noisy Branin, a categorical trap), determinism by seed, failing objectives,
// aborts, concurrency, and the Gaussian process's parts against hand-computed values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { search } from 'sparq/search';

const t = suite('search');

// Branin-Hoo (Dixon & Szegö 1978), minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475)
const branin = (x1, x2) => (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
const BRANIN_MIN = 0.397887;
const braninSpace = { x1: { float: [-5, 10] }, x2: { float: [0, 15] } };
// seeded noise in [-0.01, 0.01), independent of the search's own generator
const lcg = (seed) => { let s = seed >>> 0; return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s / 2 ** 32 - 0.5) * 0.02; }; };

t('quadratic: bayes gets within 0.02 of the known optimum in 25 trials; best is the highest value', async () => {
  const f = (c) => -((c.x - 0.3) ** 2 + (c.y + 1.2) ** 2);
  const r = await search({ x: { float: [-2, 2] }, y: { float: [-2, 2] } }, f, { strategy: 'bayes', trials: 25, seed: 3 });
  assert.is(r.trials.length, 25);
  const values = r.trials.map((x) => x.value);
  assert.is(r.best.value, Math.max(...values));
  assert.is(r.best, r.trials[values.indexOf(Math.max(...values))]);
  assert.ok(Math.hypot(r.best.config.x - 0.3, r.best.config.y + 1.2) < 0.02, JSON.stringify(r.best.config));
  r.trials.forEach((x, i) => assert.is(x.index, i));
});

t('noisy Branin: bayes within 0.05 of the minimum in 40 trials on most seeds, ahead of random at 40 trials', async () => {
  let hits = 0, wins = 0, regB = 0, regR = 0;
  const seeds = [1, 2, 3, 4, 5];
  for (const seed of seeds) {
    const noise = lcg(seed * 7919);
    const f = (c) => -(branin(c.x1, c.x2) + noise());
    const b = await search(braninSpace, f, { strategy: 'bayes', trials: 40, seed });
    const r = await search(braninSpace, f, { strategy: 'random', trials: 40, seed });
    const best = (res) => branin(res.best.config.x1, res.best.config.x2) - BRANIN_MIN;
    hits += best(b) < 0.05 ? 1 : 0;
    wins += best(b) < best(r) ? 1 : 0;
    regB += best(b) / seeds.length;
    regR += best(r) / seeds.length;
  }
  assert.ok(hits >= 4, `bayes within 0.05 on ${hits} of 5 seeds`);
  assert.ok(wins >= 3, `bayes ahead of random on ${wins} of 5 seeds`);
  assert.ok(regB < regR / 5, `mean regret bayes ${regB}, random ${regR}`);
});

t('categorical trap: the best choice is rare and sits beside a broad decoy; bayes finds it, each choice value is kept as given', async () => {
  // 'wide' is good almost everywhere (0.8), 'narrow' is bad except near x = 0.85 (1.0);
  // the object choice is passed through untouched
  const obj = { tag: 'narrow' };
  const space = { kind: { choice: ['wide', obj, 'bad'] }, x: { float: [0, 1] } };
  const f = (c) => (c.kind === 'wide' ? 0.8 - 0.1 * (c.x - 0.5) ** 2 : c.kind === obj ? 1 - 20 * (c.x - 0.85) ** 2 : 0);
  let found = 0;
  for (const seed of [1, 2, 3]) {
    const r = await search(space, f, { strategy: 'bayes', trials: 30, seed });
    if (r.best.config.kind === obj && r.best.value > 0.95) found++;
    assert.ok(r.trials.every((x) => ['wide', 'bad'].includes(x.config.kind) || x.config.kind === obj));
  }
  assert.ok(found >= 2, `found the narrow optimum on ${found} of 3 seeds`);
});

t('integers stay integers inside their bounds; a space of 12 points is not tried twice while points remain', async () => {
  const seen = new Set();
  const r = await search({ a: { int: [-1, 2] }, b: { choice: [10, 20, 30] } }, (c) => {
    assert.ok(Number.isInteger(c.a) && c.a >= -1 && c.a <= 2);
    seen.add(`${c.a},${c.b}`);
    return -Math.abs(c.a - 1) - Math.abs(c.b - 20) / 10;
  }, { strategy: 'bayes', trials: 12, seed: 9 });
  assert.equal(r.best.config, { a: 1, b: 20 });
  assert.ok(seen.size >= 11, `${seen.size} distinct of 12`);
});

t('the same seed gives the same trials (every strategy); another seed gives others', async () => {
  const space = { x: { float: [1e-3, 1], log: true }, n: { int: [1, 5] }, c: { choice: ['a', 'b'] } };
  const f = (c) => Math.log(c.x) * -0.1 * (c.x - 0.2) ** 2 + c.n * 0.01 + (c.c === 'b' ? 0.05 : 0);
  for (const strategy of ['random', 'grid', 'bayes']) {
    const a = await search(space, f, { strategy, trials: 14, seed: 42 });
    const b = await search(space, f, { strategy, trials: 14, seed: 42 });
    assert.equal(a.trials, b.trials, strategy);
    if (strategy !== 'grid') {
      const c = await search(space, f, { strategy, trials: 14, seed: 43 });
      assert.not.equal(a.trials.map((x) => x.config), c.trials.map((x) => x.config), strategy);
    }
    for (const x of a.trials) assert.ok(x.config.x >= 1e-3 && x.config.x <= 1 && Number.isInteger(x.config.n));
  }
});

t('grid: the full grid in order when it fits, ends included, log spacing; a seeded sample in grid order when it does not', async () => {
  const r = await search({ a: { choice: ['p', 'q'] }, x: { float: [1, 100], log: true } }, (c) => c.x, { strategy: 'grid', trials: 7 });
  assert.equal(r.trials.map((x) => [x.config.a, +x.config.x.toPrecision(12)]), [['p', 1], ['p', 10], ['p', 100], ['q', 1], ['q', 10], ['q', 100]]);
  const s = await search({ a: { choice: [0, 1, 2, 3, 4, 5, 6, 7] } }, (c) => c.a, { strategy: 'grid', trials: 3, seed: 1 });
  assert.is(s.trials.length, 3);
  const got = s.trials.map((x) => x.config.a);
  assert.equal(got, got.slice().sort((a, b) => a - b));
  const ints = await search({ n: { int: [0, 3] } }, (c) => c.n, { strategy: 'grid', trials: 50 });
  assert.equal(ints.trials.map((x) => x.config.n), [0, 1, 2, 3]);
});

t('a throwing objective records the error on its trial and the search goes on; non-finite values are errors', async () => {
  const boom = new Error('boom');
  const r = await search({ x: { float: [0, 1] } }, (c, ctx) => {
    if (ctx.trial % 3 === 1) throw boom;
    if (ctx.trial === 5) return NaN;
    if (ctx.trial === 8) return Promise.reject(boom);
    return { value: c.x, note: `t${ctx.trial}` };
  }, { strategy: 'bayes', trials: 10, seed: 1 });
  assert.is(r.trials.length, 10);
  assert.is(r.trials[1].error, boom);
  assert.is(r.trials[1].value, undefined);
  assert.instance(r.trials[5].error, RangeError);
  assert.is(r.trials[8].error, boom);
  assert.is(r.trials[0].extra.note, 't0');
  assert.ok(r.best.value >= Math.max(...r.trials.filter((x) => x.value !== undefined).map((x) => x.value)));
  const all = await search({ x: { float: [0, 1] } }, () => { throw boom; }, { strategy: 'random', trials: 3 });
  assert.is(all.best, undefined);
  assert.ok(all.trials.every((x) => x.error === boom));
});

t('abort: the search rejects with the signal reason and starts no trial after it; an aborted signal rejects at once', async () => {
  const ac = new AbortController();
  let started = 0;
  const p = search({ x: { float: [0, 1] } }, async (c, ctx) => {
    started++;
    assert.is(ctx.signal, ac.signal);
    if (ctx.trial === 3) ac.abort(new Error('stop'));
    await new Promise((res) => setTimeout(res, 1));
    return c.x;
  }, { strategy: 'random', trials: 50, signal: ac.signal });
  try {
    await p;
    assert.unreachable();
  } catch (e) {
    assert.is(e.message, 'stop');
  }
  await new Promise((res) => setTimeout(res, 10));
  assert.is(started, 4);
  const done = new AbortController();
  done.abort();
  try {
    await search({ x: { float: [0, 1] } }, () => 1, { strategy: 'bayes', trials: 5, signal: done.signal });
    assert.unreachable();
  } catch (e) {
    assert.is(e.name, 'AbortError');
  }
});

t('concurrency: that many objectives at once, never more; results independent of finishing order', async () => {
  const run = async (delays) => {
    let running = 0, peak = 0;
    const order = [];
    const r = await search({ x: { float: [-1, 1] }, y: { float: [-1, 1] } }, async (c, ctx) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((res) => setTimeout(res, delays(ctx.trial)));
      running--;
      return -(c.x * c.x + c.y * c.y);
    }, { strategy: 'bayes', trials: 14, seed: 5, concurrency: 3, onTrial: (tr) => order.push(tr.index) });
    return { r, peak, order };
  };
  const a = await run((i) => (i * 7) % 5);
  const b = await run((i) => (i * 3) % 4);
  assert.is(a.peak, 3);
  assert.equal(a.r.trials, b.r.trials);
  assert.equal(a.order.slice().sort((x, y) => x - y), [...Array(14).keys()]);
});

t('constraint: rejected configurations are never evaluated', async () => {
  for (const strategy of ['random', 'grid', 'bayes']) {
    const r = await search({ x: { int: [0, 20] }, y: { int: [0, 20] } }, (c) => {
      assert.ok(c.x + c.y <= 15, strategy);
      return c.x * c.y;
    }, { strategy, trials: 20, seed: 2, constraint: (c) => c.x + c.y <= 15 });
    assert.ok(r.trials.length > 0);
  }
  try {
    await search({ x: { int: [0, 3] } }, () => 1, { strategy: 'random', trials: 2, constraint: () => false });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match(e.message, 'opts.constraint');
  }
});

t('bad arguments are TypeError / RangeError naming the argument', async () => {
  const cases = [
    [[null, () => 1, { strategy: 'random', trials: 1 }], TypeError, 'space'],
    [[{}, () => 1, { strategy: 'random', trials: 1 }], RangeError, 'space'],
    [[{ x: { int: [0.5, 2] } }, () => 1, { strategy: 'random', trials: 1 }], RangeError, 'space.x.int'],
    [[{ x: { float: [2, 1] } }, () => 1, { strategy: 'random', trials: 1 }], RangeError, 'space.x.float'],
    [[{ x: { float: [0, 1], log: true } }, () => 1, { strategy: 'random', trials: 1 }], RangeError, 'space.x.float'],
    [[{ x: { choice: [] } }, () => 1, { strategy: 'random', trials: 1 }], RangeError, 'space.x.choice'],
    [[{ x: { int: [0, 1], float: [0, 1] } }, () => 1, { strategy: 'random', trials: 1 }], TypeError, 'space.x'],
    [[{ x: { int: [0, 1] } }, 5, { strategy: 'random', trials: 1 }], TypeError, 'objective'],
    [[{ x: { int: [0, 1] } }, () => 1, { strategy: 'anneal', trials: 1 }], RangeError, 'opts.strategy'],
    [[{ x: { int: [0, 1] } }, () => 1, { strategy: 'random', trials: 0 }], RangeError, 'opts.trials'],
    [[{ x: { int: [0, 1] } }, () => 1, { strategy: 'random', trials: 2, seed: 1.5 }], RangeError, 'opts.seed'],
    [[{ x: { int: [0, 1] } }, () => 1, { strategy: 'random', trials: 2, concurrency: 0 }], RangeError, 'opts.concurrency'],
  ];
  for (const [args, E, name] of cases) {
    try {
      await search(...args);
      assert.unreachable(name);
    } catch (e) {
      assert.instance(e, E, name);
      assert.ok(e.message.startsWith(`${name}:`), `${name}: ${e.message}`);
    }
  }
});

t.run();
