/** Test assertions: node's strict assert plus closeness checks for floating-point results. */
import assert from "node:assert/strict";

export { assert };

/** Largest relative error max_i |a_i - b_i| / max(|b_i|, floor) between two lists of numbers. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 1e-6,
): number {
  assert.equal(actual.length, expected.length, `lengths differ: ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
    if (!(err <= worst)) worst = err; // NaN propagates as the worst error
  }
  return worst;
}

/** Throws unless |actual - expected| <= tolerance, element by element. */
export function assertClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  tolerance: number,
  message = "",
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const e = typeof expected === "number" ? [expected] : expected;
  assert.equal(a.length, e.length, `${message} lengths differ: ${a.length} vs ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    assert.ok(diff <= tolerance, `${message} at ${i}: ${a[i]} vs ${e[i]} (|diff| ${diff} > ${tolerance})`);
  }
}
