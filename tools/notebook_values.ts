/**
 * A notebook's results as data, for its tests: the values of its top-level variables at the end of a run.
 *
 * Printed text is for the learner and changes with the wording and the language (the English and Chinese
 * editions print the same numbers in different sentences); a variable's name is code, which both editions
 * share. So a test run appends one more code cell, the probe, that writes every top-level `const`/`let`/`var`
 * of the notebook's code cells as JSON to a file; the probe cell is then removed from the executed notebook.
 * Tests read the file with tests/notebooks.ts `notebookValues`.
 *
 * Values are stored as plain JSON: numbers (NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"),
 * strings, booleans, arrays, typed arrays as arrays, objects and class instances as their own enumerable
 * fields (a Matrix as { rows, cols, data }), Maps as objects, Sets as arrays, tfjs tensors as nested arrays
 * (a disposed tensor is left out). Functions, promises and values over MAX_NUMBERS numbers are left out, with
 * the reason in `skipped`.
 */

/** The most numbers (and strings) one variable may hold to be stored: a data set is not a result. */
export const MAX_NUMBERS = 200_000;

/** The metadata key that marks the probe cell, so that the executor removes it from the saved notebook. */
export const PROBE_KEY = "course_values_probe";

/** What the probe writes: each variable's value, and why a variable was left out. */
export interface NotebookValues {
  values: Record<string, unknown>;
  skipped: Record<string, string>;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Splits `text` at each `separator` outside brackets, braces, parentheses and strings (a closing bracket as
 * separator: the first part is what lies before the one that closes the text's first level).
 */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
  }
  parts.push(text.slice(start));
  return parts;
}

/** The names a binding pattern declares: `x`, `[a, , b]`, `{ a, b: c, ...rest }`, with defaults. */
export function patternNames(pattern: string): string[] {
  const p = pattern.trim();
  if (p.startsWith("[") || p.startsWith("{")) {
    const inner = p.slice(1, splitTopLevel(p.slice(1), p[0] === "[" ? "]" : "}")[0].length + 1);
    const isObject = p[0] === "{";
    return splitTopLevel(inner, ",").flatMap((element) => {
      let e = element.trim().replace(/^\.\.\./, "");
      if (e === "") return [];
      e = splitTopLevel(e, "=")[0].trim(); // a default value
      if (isObject) {
        const renamed = splitTopLevel(e, ":");
        e = (renamed.length > 1 ? renamed.slice(1).join(":") : renamed[0]).trim();
      }
      return patternNames(e);
    });
  }
  const name = splitTopLevel(p, ":")[0].trim(); // a type annotation
  return IDENTIFIER.test(name) ? [name] : [];
}

/**
 * Where the expression starting at `i` ends: at a "," or ";" outside brackets, strings and template
 * literals, or at a line break followed by an unindented line (the next statement), or at the end.
 */
function expressionEnd(text: string, i: number): number {
  const stack: string[] = []; // open brackets, and "`" for a template literal's text
  for (; i < text.length; i++) {
    const c = text[i];
    const inTemplate = stack.at(-1) === "`";
    if (inTemplate) {
      if (c === "\\") i++;
      else if (c === "`") stack.pop();
      else if (c === "$" && text[i + 1] === "{") {
        stack.push("{");
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      i--;
    } else if (c === "`") stack.push("`");
    else if ("([{".includes(c)) stack.push(c);
    else if (")]}".includes(c)) stack.pop();
    else if (stack.length === 0 && (c === "," || c === ";")) return i;
    else if (
      stack.length === 0 && c === "\n" && /^\S/.test(text.slice(i + 1, i + 2)) &&
      !/^[.?:+\-*/|&)\]}]/.test(text[i + 1])
    ) {
      return i;
    }
  }
  return text.length;
}

/**
 * The variables a cell declares at its top level: `const`, `let` and `var` statements that start a line
 * without indentation (the course's code is formatted by deno fmt, so a nested one is indented), every
 * declarator of `const a = 1, b = 2`.
 */
export function topLevelNames(source: string): string[] {
  const names: string[] = [];
  const declaration = /^(?:export\s+)?(?:const|let|var)\s+/gm;
  for (const m of source.matchAll(declaration)) {
    let i = m.index! + m[0].length;
    for (;;) {
      // The pattern runs to the "=" outside brackets (not part of "=>" or "=="), or to "," / ";" / the end.
      let depth = 0, end = source.length;
      for (let k = i; k < source.length; k++) {
        const c = source[k];
        if ("([{<".includes(c)) depth++;
        else if (")]}>".includes(c)) depth--;
        else if ((c === "=" || c === "," || c === ";" || c === "\n") && depth <= 0) {
          end = k;
          break;
        }
      }
      names.push(...patternNames(source.slice(i, end)));
      const next = source[end] === "=" ? expressionEnd(source, end + 1) : end;
      if (source[next] !== ",") break;
      i = next + 1;
    }
  }
  return names;
}

/**
 * The probe cell's code: reads each of `names` (a missing one is skipped with its error), converts it to
 * plain JSON by the rules in the module's comment and writes `{ values, skipped }` to `path`.
 */
export function probeSource(names: string[], path: string): string {
  const reads = [...new Set(names)].map((n) => `[${JSON.stringify(n)}, () => ${n}]`).join(",\n    ");
  return `{
  const maxNumbers = ${MAX_NUMBERS};
  const spend = (budget, n) => {
    budget.n -= n;
    if (budget.n < 0) throw new Error("more than " + maxNumbers + " numbers");
  };
  const plain = (v, budget, seen, depth) => {
    if (v === null) return null;
    if (typeof v === "number") {
      spend(budget, 1);
      return Number.isFinite(v) ? v : String(v);
    }
    if (typeof v === "string") {
      spend(budget, 1);
      return v;
    }
    if (typeof v === "boolean") return v;
    if (typeof v === "bigint") return String(v);
    if (typeof v !== "object" || v instanceof Promise) return undefined;
    if (seen.has(v) || depth > 12) return undefined;
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v) && typeof v.length === "number") {
        spend(budget, v.length);
        return Array.from(v, (x) => plain(x, { n: 1 }, seen, depth + 1));
      }
      if (typeof v.arraySync === "function" && "isDisposed" in v) {
        if (v.isDisposed) return undefined;
        spend(budget, v.size);
        return v.arraySync();
      }
      if (Array.isArray(v) || v instanceof Set) {
        return Array.from(v, (x) => plain(x, budget, seen, depth + 1) ?? null);
      }
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const out = {};
      for (const [k, x] of entries) {
        const p = plain(x, budget, seen, depth + 1);
        if (p !== undefined) out[String(k)] = p;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  const values = {};
  const skipped = {};
  for (const [name, read] of [
    ${reads}
  ]) {
    try {
      const v = plain(read(), { n: maxNumbers }, new Set(), 0);
      if (v === undefined) skipped[name] = "not data (a function, a promise or a disposed tensor)";
      else values[name] = v;
    } catch (e) {
      skipped[name] = String(e?.message ?? e);
    }
  }
  Deno.writeTextFileSync(${JSON.stringify(path)}, JSON.stringify({ values, skipped }));
}
`;
}
