/**
 * Self-checking exercises. A notebook's exercise ends with `check(...)`; a wrong answer throws, so a
 * headless run of the course fails loudly if a folded-away solution ever stops being right.
 */

/** What an exercise answer may be: a number, a list of numbers, or a nested list. */
export type Answer = number | ArrayLike<number> | ArrayLike<number>[];

function flatten(name: string, answer: Answer): number[] {
  if (typeof answer === "number") return [answer];
  // A string is array-like too; "1" must not pass for 1.
  if (typeof answer !== "object" || answer === null || typeof answer.length !== "number") {
    throw new Error(`${name}: expected a number (or a list of numbers), got ${describe(answer)}`);
  }
  const out: number[] = [];
  for (const item of Array.from(answer as ArrayLike<unknown>)) {
    if (typeof item === "number") out.push(item);
    else if (
      typeof item === "object" && item !== null && typeof (item as ArrayLike<unknown>).length === "number"
    ) {
      out.push(...flatten(name, item as ArrayLike<number>));
    } else {throw new Error(
        `${name}: expected a number (or a list of numbers), got ${describe(item)} in the list`,
      );}
  }
  return out;
}

function describe(value: unknown): string {
  return typeof value === "string" ? `the text ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

/** Throws unless `answer` equals `expected` within `tolerance` (absolute), element by element. */
export function check(name: string, answer: Answer | undefined, expected: Answer, tolerance = 1e-6): string {
  if (answer === undefined) {
    throw new Error(`${name}: no answer yet. Fill in the exercise cell above, then run this cell again.`);
  }
  const a = flatten(name, answer), e = flatten(name, expected);
  if (a.length !== e.length) {
    throw new Error(`${name}: expected ${e.length} number(s), got ${a.length}.`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= tolerance)) {
      throw new Error(
        `${name}: not yet right at position ${i}: got ${a[i]}, expected ${e[i]} (within ${tolerance}).`,
      );
    }
  }
  return `${name}: correct.`;
}
