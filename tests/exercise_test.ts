/**
 * lib/exercise.ts: right, wrong with a hint (never the expected value), unanswered; 3 significant digits.
 * References: hand-rounded values (ln 4 = 1.3862944 to 3 and 4 significant digits).
 */
import { assert } from "./assert.ts";
import { check, EXERCISE_MIME } from "../lib/exercise.ts";

const hint = "each example costs ln 10";
const verdict = (f: ReturnType<typeof check>) => f.verdict;

Deno.test("check: a hand answer to 3 significant digits is right; 2 digits is not", () => {
  assert.equal(verdict(check("ln 4", 1.386, Math.log(4), { hint })), "right");
  assert.equal(verdict(check("ln 4", 1.39, Math.log(4), { hint })), "right"); // 1.39 is ln 4 to 3 digits
  assert.equal(verdict(check("ln 4", 1.38, Math.log(4), { hint })), "wrong");
  assert.equal(verdict(check("ln 4", 1.4, Math.log(4), { hint })), "wrong");
  assert.equal(verdict(check("big", 1151, 500 * Math.log(10), { hint })), "right");
  assert.equal(verdict(check("big", 1157, 500 * Math.log(10), { hint })), "wrong"); // 1150 to 3 digits
  assert.equal(verdict(check("abs", 0.31, 0.3, { hint, tolerance: 0.02 })), "right");
  assert.equal(verdict(check("zero", 0.0004, 0, { hint })), "right");
  assert.equal(verdict(check("zero", 0.002, 0, { hint })), "wrong");
  assert.equal(verdict(check("grid", [[1, 2], [3, 4]], [1, 2, 3, 4], { hint })), "right");
});

Deno.test("check: exact answers (counts) must match exactly", () => {
  assert.equal(verdict(check("count", 384010, 384010, { hint, tolerance: "exact" })), "right");
  assert.equal(verdict(check("count", 384011, 384010, { hint, tolerance: "exact" })), "wrong");
});

Deno.test("check: a wrong answer gets the hint and never the expected value", () => {
  const expected = 1151.2925464970228;
  for (const answer of [1000, [1000], NaN, 1160]) {
    const f = check("exercise 2", answer, expected, { hint });
    assert.equal(f.verdict, "wrong");
    assert.match(f.text, /^exercise 2: not yet/);
    for (const shown of ["1151", "1151.3", "1151.29", String(expected)]) {
      assert.ok(!f.text.includes(shown), `feedback ${JSON.stringify(f.text)} shows the expected value`);
    }
  }
  assert.match(check("exercise 2", 1000, expected, { hint }).text, /Hint: each example costs ln 10/);
  assert.match(check("pair", [1], [1, 2], { hint }).text, /the answer is 2 numbers, you gave 1/);
  assert.match(check("x", "1" as unknown as number, 1, { hint }).text, /got the text "1"/);
});

Deno.test("check: no answer yet, and the verdict in the display bundle", () => {
  const f = check("exercise 1", undefined, 3, { hint });
  assert.equal(f.verdict, "unanswered");
  assert.match(f.text, /no answer yet/);
  const bundle = (f as unknown as Record<symbol, () => Record<string, unknown>>)
    [Symbol.for("Jupyter.display")]();
  assert.deepEqual(bundle[EXERCISE_MIME], { name: "exercise 1", verdict: "unanswered" });
  assert.equal(bundle["text/plain"], f.text);
  assert.throws(() => check("x", 1, 1, {} as { hint: string }), /check needs a hint/);
});
