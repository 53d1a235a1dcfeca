import { assert } from "./assert.ts";
import { check } from "../lib/exercise.ts";

Deno.test("check: a right answer passes, within the tolerance", () => {
  assert.equal(check("sum", 0.30000000000000004, 0.3), "sum: correct.");
  assert.equal(check("pair", [1, 2.0000001], [1, 2]), "pair: correct.");
  assert.equal(check("grid", [[1, 2], [3, 4]], [1, 2, 3, 4]), "grid: correct.");
});

Deno.test("check: a wrong, missing or NaN answer throws and says where", () => {
  assert.throws(() => check("sum", 0.4, 0.3), /sum: not yet right at position 0: got 0.4, expected 0.3/);
  assert.throws(() => check("pair", [1], [1, 2]), /expected 2 number\(s\), got 1/);
  assert.throws(() => check("sum", undefined, 1), /no answer yet/);
  assert.throws(() => check("nan", NaN, 1), /not yet right/);
});

Deno.test("check: text is not a number, even if it looks like one", () => {
  assert.throws(
    () => check("x", "1" as unknown as number, 1),
    /x: expected a number \(or a list of numbers\), got the text "1"/,
  );
  assert.throws(() => check("x", ["1"] as unknown as number[], [1]), /got the text "1" in the list/);
});
