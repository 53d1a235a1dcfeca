/**
 * The code of a notebook cell with its text taken out, as the Chinese edition's code-equality test compares
 * it (tests/zh_edition_test.ts): a small TypeScript scanner (no dependency), written for the course's code.
 *
 * `codeTokens(source)` returns the cell's tokens without comments and whitespace, every string literal and
 * template literal replaced by one token `LIT(...)` that keeps only a template's `${...}` expressions
 * (themselves scanned the same way), so that two cells that differ only in their texts and comments give
 * the same list. Layout that `deno fmt` changes with the length of a text is not code either:
 * - literals joined by `+` count as one literal ("a " + "b" and "a b" are the same);
 * - a template's expressions are compared as a set, in sorted order (Chinese puts words, and so the values
 *   between them, in another order: `epoch ${e} of ${n}` and `第 ${e} 轮（共 ${n} 轮）` are the same code);
 * - a trailing comma before `)`, `]` or `}` is dropped (deno fmt adds one when it breaks a call into lines).
 * Regular expression literals are code and stay as they are; a `/` is taken for a regular expression where
 * an expression may start (after an operator, `(`, `,`, a keyword such as `return`), else for a division.
 */

/** Keywords after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

const IDENTIFIER = /[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*/y;
const NUMBER =
  /(?:0[xXbBoO][\da-fA-F_]+n?|\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?n?|\.\d[\d_]*(?:[eE][-+]?\d+)?)/y;
const PUNCTUATORS = [
  ">>>=",
  "...",
  "===",
  "!==",
  "**=",
  "<<=",
  ">>=",
  ">>>",
  "&&=",
  "||=",
  "??=",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "?.",
  "++",
  "--",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "**",
  "<<",
  ">>",
];

/** A scanned token: code text, or a literal (its template expressions, each already serialized). */
type Raw = { code: string } | { literal: string[] };

/** The cell's code as tokens, texts and comments taken out (see the module's comment). */
export function codeTokens(source: string): string[] {
  const [raw, end] = scan(source, 0, false);
  if (end < source.length) throw new Error(`codeTokens: unexpected "}" at offset ${end}`);
  return normalize(raw);
}

/** The text of every string and template literal of the cell (a template's text parts), in order. */
export function literalTexts(source: string): string[] {
  const texts: string[] = [];
  scan(source, 0, false, texts);
  return texts;
}

/** The tokens as one line of text, for messages. */
export function codeText(source: string): string {
  return codeTokens(source).join(" ");
}

function normalize(raw: Raw[]): string[] {
  // Literals joined by `+` become one literal.
  const merged: Raw[] = [];
  for (let k = 0; k < raw.length; k++) {
    const t = raw[k];
    const prev = merged.at(-1), plus = merged.at(-2);
    if (
      "literal" in t && prev && "code" in prev && prev.code === "+" && plus && "literal" in plus &&
      // not a unary plus, and not the right operand of a tighter operator: `+` between two literals only
      !(merged.at(-3) && "code" in merged.at(-3)! && ["*", "/", "%", "**", "."].includes(
        (merged.at(-3) as { code: string }).code,
      ))
    ) {
      merged.pop();
      merged[merged.length - 1] = { literal: [...plus.literal, ...t.literal] };
    } else merged.push(t);
  }
  const out = merged.map((t) => ("code" in t ? t.code : `LIT(${[...t.literal].sort().join(" | ")})`));
  // A trailing comma before a closing bracket is layout.
  return out.filter((t, k) => !(t === "," && [")", "]", "}"].includes(out[k + 1])));
}

/** Whether a `/` after these tokens starts a regular expression. */
function regexAllowed(tokens: Raw[]): boolean {
  const prev = tokens.at(-1);
  if (!prev) return true;
  // TypeScript's non-null assertion `x! / y` is a postfix `!`: what comes before it decides.
  if ("code" in prev && prev.code === "!" && tokens.length > 1) {
    const before = tokens.at(-2)!;
    if ("literal" in before || [")", "]"].includes(before.code)) return false;
    if (/^[\w$\u00a0-\uffff]/.test(before.code) && !BEFORE_REGEX.has(before.code)) return false;
  }
  if ("literal" in prev) return false;
  const c = prev.code;
  if (/^[A-Za-z_$\u00a0-\uffff]/.test(c)) return BEFORE_REGEX.has(c);
  if (/^[\d.]/.test(c) && c !== "..." && c !== ".") return false;
  if (c.startsWith("/") && c.length > 1 && c !== "/=") return false; // a regular expression
  return ![")", "]", "}"].includes(c);
}

/**
 * Scans from `i`; inside a template's `${`, stops at its closing `}` (brace depth 0) and returns the offset
 * after it. Returns the raw tokens and where it stopped.
 */
function scan(src: string, i: number, inTemplate: boolean, texts: string[] = []): [Raw[], number] {
  const tokens: Raw[] = [];
  let depth = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (src.startsWith("//", i)) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    if (src.startsWith("/*", i)) {
      const close = src.indexOf("*/", i + 2);
      if (close < 0) throw new Error(`codeTokens: unterminated comment at offset ${i}`);
      i = close + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = skipString(src, i, ch);
      texts.push(src.slice(i + 1, end - 1));
      i = end;
      tokens.push({ literal: [] });
      continue;
    }
    if (ch === "`") {
      const [subs, end] = scanTemplate(src, i, texts);
      tokens.push({ literal: subs });
      i = end;
      continue;
    }
    if (ch === "/" && regexAllowed(tokens)) {
      const end = skipRegex(src, i);
      tokens.push({ code: src.slice(i, end) });
      i = end;
      continue;
    }
    if (ch === "{") depth++;
    if (ch === "}") {
      if (inTemplate && depth === 0) return [tokens, i + 1];
      depth--;
    }
    IDENTIFIER.lastIndex = i;
    const id = IDENTIFIER.exec(src);
    if (id) {
      tokens.push({ code: id[0] });
      i += id[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = /[\d.]/.test(ch) ? NUMBER.exec(src) : null;
    if (num && num[0] !== ".") {
      tokens.push({ code: num[0] });
      i += num[0].length;
      continue;
    }
    const p = PUNCTUATORS.find((q) => src.startsWith(q, i)) ?? ch;
    tokens.push({ code: p });
    i += p.length;
  }
  if (inTemplate) throw new Error("codeTokens: unterminated ${ in a template literal");
  return [tokens, i];
}

/** The offset after the string literal that starts at `i` with `quote`. */
function skipString(src: string, i: number, quote: string): number {
  for (let k = i + 1; k < src.length; k++) {
    if (src[k] === "\\") k++;
    else if (src[k] === quote) return k + 1;
    else if (src[k] === "\n") break;
  }
  throw new Error(`codeTokens: unterminated string at offset ${i}: ${src.slice(i, i + 40)}`);
}

/** A template literal's `${...}` expressions, each serialized, and the offset after its closing backtick. */
function scanTemplate(src: string, i: number, texts: string[]): [string[], number] {
  const subs: string[] = [];
  let k = i + 1, from = k;
  while (k < src.length) {
    if (src[k] === "\\") k += 2;
    else if (src[k] === "`") {
      texts.push(src.slice(from, k));
      return [subs, k + 1];
    } else if (src.startsWith("${", k)) {
      texts.push(src.slice(from, k));
      const [raw, end] = scan(src, k + 2, true, texts);
      subs.push(normalize(raw).join(" "));
      k = from = end;
    } else k++;
  }
  throw new Error(`codeTokens: unterminated template literal at offset ${i}`);
}

/** The offset after the regular expression literal (with its flags) that starts at `i`. */
function skipRegex(src: string, i: number): number {
  let inClass = false;
  for (let k = i + 1; k < src.length; k++) {
    const c = src[k];
    if (c === "\\") k++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      let end = k + 1;
      while (end < src.length && /[a-z]/.test(src[end])) end++;
      return end;
    } else if (c === "\n") break;
  }
  throw new Error(`codeTokens: unterminated regular expression at offset ${i}: ${src.slice(i, i + 40)}`);
}
