/**
 * Self-checking exercises. An exercise cell ends with `check(...)`, which says right or wrong with a hint,
 * never the expected value (the learner should find it, not read it). Its solution sits folded in the
 * markdown cell below (a `<details>` block, folded in every front end); the course's tests run every
 * notebook with each solution put in place of its exercise's answer, and check that all of them are right.
 */
import { type Bundle, display } from "./jupyter.ts";
import { messages } from "./language.ts";

/** What an exercise answer may be: a number, a list of numbers, or a nested list. */
export type Answer = number | ArrayLike<number> | ArrayLike<number>[];

/** The MIME type that carries an exercise's verdict for the course's tests (front ends ignore it). */
export const EXERCISE_MIME = "application/vnd.course.exercise+json";

/** An exercise's verdict: unanswered (answer still undefined), right or wrong. */
export type Verdict = "unanswered" | "right" | "wrong";

/**
 * How `check` compares: `hint` is said on a wrong answer; `tolerance` is "3 digits" (the default: a hand
 * answer to 3 significant digits), "exact" (counts), or an absolute tolerance.
 */
export interface CheckOptions {
  hint: string;
  tolerance?: "3 digits" | "exact" | number;
}

/**
 * Whether x is y to 3 significant digits: within half a unit of y's third digit (ln 4 = 1.3863: 1.39 and
 * 1.386 are right, 1.38 is not; 1151 is 500 ln 10 = 1151.29); an expected 0 allows 0.0005.
 */
function threeDigits(x: number, y: number): boolean {
  const unit = y === 0 ? 1e-3 : 10 ** (Math.floor(Math.log10(Math.abs(y))) - 2);
  return Math.abs(x - y) <= unit / 2 * (1 + 1e-9);
}

/** What `check` returns: shown under the exercise cell as one line. */
export class Feedback {
  constructor(readonly name: string, readonly verdict: Verdict, readonly text: string) {}

  /** The line as text, plus the verdict in a MIME type the course's tests read. */
  bundle(): Bundle {
    return { "text/plain": this.text, [EXERCISE_MIME]: { name: this.name, verdict: this.verdict } };
  }

  /** The same bundle when a Feedback is a cell's last value. */
  [Symbol.for("Jupyter.display")](): Bundle {
    return this.bundle();
  }

  /**
   * Shows the line under the exercise's cell: `await check(...).show();` ends an exercise cell. (Left as a
   * cell's last value instead, the Deno kernel can send it late, under the next cell.)
   */
  async show(): Promise<void> {
    await display(this.bundle());
  }

  /** The line, e.g. "exercise 2: right." */
  toString(): string {
    return this.text;
  }
}

/** Checks an exercise's answer against `expected` (element by element): right, or wrong with the hint. */
export function check(
  name: string,
  answer: Answer | undefined,
  expected: Answer,
  options: CheckOptions,
): Feedback {
  if (typeof options?.hint !== "string" || options.hint.trim() === "") {
    throw new Error(
      `${name}: check needs a hint to give on a wrong answer: check(name, answer, expected, { hint })`,
    );
  }
  if (answer === undefined) {
    return new Feedback(name, "unanswered", messages().exerciseUnanswered(name));
  }
  const e = flatten(name, expected);
  let a: number[];
  try {
    a = flatten(name, answer);
  } catch (err) {
    return new Feedback(name, "wrong", messages().exerciseNotANumber(name, (err as NotANumber).what));
  }
  if (a.length !== e.length) {
    return new Feedback(name, "wrong", messages().exerciseWrongCount(name, e.length, a.length));
  }
  const tolerance = options.tolerance ?? "3 digits";
  const close = (x: number, y: number) =>
    tolerance === "3 digits"
      ? threeDigits(x, y)
      : tolerance === "exact"
      ? x === y
      : Math.abs(x - y) <= tolerance;
  const wrong = a.findIndex((x, i) => !close(x, e[i]));
  if (wrong < 0) return new Feedback(name, "right", messages().exerciseRight(name));
  const where = a.length > 1 ? { index: wrong + 1, count: a.length } : undefined;
  return new Feedback(name, "wrong", messages().exerciseWrong(name, options.hint, where));
}

/** An answer that is not made of numbers; `what` describes what was given. */
class NotANumber extends Error {
  constructor(name: string, readonly what: string) {
    super(`${name}: expected a number (or a list of numbers), got ${what}`);
  }
}

/** The numbers of an answer in order; text is refused even when it looks like a number ("1" is not 1). */
function flatten(name: string, answer: Answer): number[] {
  if (typeof answer === "number") return [answer];
  if (typeof answer !== "object" || answer === null || typeof answer.length !== "number") {
    throw new NotANumber(name, describe(answer));
  }
  const out: number[] = [];
  for (const item of Array.from(answer as ArrayLike<unknown>)) {
    if (typeof item === "number") out.push(item);
    else if (
      typeof item === "object" && item !== null && typeof (item as ArrayLike<unknown>).length === "number"
    ) {
      out.push(...flatten(name, item as ArrayLike<number>));
    } else {
      throw new NotANumber(name, messages().exerciseInList(describe(item)));
    }
  }
  return out;
}

function describe(value: unknown): string {
  return typeof value === "string"
    ? messages().exerciseText(JSON.stringify(value))
    : `${typeof value} ${String(value)}`;
}
