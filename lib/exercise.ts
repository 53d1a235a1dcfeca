/**
 * Self-checking exercises. A notebook's exercise ends with `check(...)`; a wrong answer throws, so a
 * headless run of the course fails loudly if a folded-away solution ever stops being right.
 */

/** What an exercise answer may be: a number, a list of numbers, or a nested list. */
export type Answer = number | ArrayLike<number> | ArrayLike<number>[];

function flatten(answer: Answer): number[] {
  if (typeof answer === "number") return [answer];
  const out: number[] = [];
  for (const item of Array.from(answer as ArrayLike<number | ArrayLike<number>>)) {
    if (typeof item === "number") out.push(item);
    else out.push(...Array.from(item));
  }
  return out;
}

/** Throws unless `answer` equals `expected` within `tolerance` (absolute), element by element. */
export function check(name: string, answer: Answer | undefined, expected: Answer, tolerance = 1e-6): string {
  if (answer === undefined) {
    throw new Error(`${name}: no answer yet. Fill in the exercise cell above, then run this cell again.`);
  }
  const a = flatten(answer), e = flatten(expected);
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
