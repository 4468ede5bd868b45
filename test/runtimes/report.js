// Runtime matrix rows: each runtime test writes one row; scripts/test.mjs prints the table.
import { mkdirSync, writeFileSync } from 'node:fs';

export function reportRow(id, row) {
  const dir = new URL('../../build/runtime-report/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${id}.json`, dir), JSON.stringify(row));
}

/** Compare a battery result with the committed hashes; returns a list of differences. */
export function batteryDiff(got, expected) {
  const out = [];
  for (const k of Object.keys(expected)) if (got[k] !== expected[k]) out.push(`${k}: ${got[k]} != ${expected[k]}`);
  for (const k of Object.keys(got)) if (!(k in expected)) out.push(`${k}: no committed hash`);
  return out;
}

/**
 * uvu does not report an error thrown in a `before` hook: run `setup` there, keep its error, and
 * return a function that rethrows it inside each test.
 */
export function guardedSetup(t, setup) {
  let error;
  t.before(async () => {
    try {
      await setup();
    } catch (e) {
      error = e;
    }
  });
  return () => {
    if (error) throw error;
  };
}
