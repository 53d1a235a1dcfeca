/**
 * Chinese shown as characters, not as boxes ("tofu", what a font without Chinese draws): in a page's text, in
 * its plots, and in a plot's PNG picture (tools/snapshot.ts). A character counts as drawn when, in the font
 * the page uses there, it draws something other than what an unassigned code point draws (the .notdef box)
 * and different characters draw differently (a last-resort font draws one box for a whole block).
 */
import type { Page } from "playwright-core";
import { joinText, type Notebook, PLOTLY_MIME } from "../notebook.ts";
import { type PlotlyFigure, plotlyOutputs, renderFigures } from "../snapshot.ts";

/** A code point that no font has a glyph for (unassigned in Unicode 15): it draws as the .notdef box. */
const UNASSIGNED = "\u0378";
/** Han characters (Chinese), as the checks find them. */
const HAN = /\p{Script=Han}/u;

/** What GLYPHS_JS found for one place of the page. */
interface Glyphs {
  what: string;
  found: boolean;
  text?: string;
  font?: string;
  chars?: number;
  distinct?: number;
  boxes?: string;
}

/**
 * In the page: for the first visible heading and the first plot text with Han characters, their characters
 * drawn one by one on a canvas in the element's own font, each compared with the unassigned code point.
 */
const GLYPHS_JS = `(() => {
  const han = ${HAN};
  const find = (selector) => [...document.querySelectorAll(selector)].find((el) =>
    han.test(el.textContent || "") && el.getClientRects().length > 0);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, 48, 48);
    ctx.font = font;
    ctx.textBaseline = "top";
    ctx.fillText(ch, 4, 4);
    const alpha = ctx.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3);
    return alpha.some((a) => a > 0) ? alpha.join(",") : "";
  };
  return [["heading", "h1, h2, h3"], ["plot", ".course-plot svg text"]].map(([what, selector]) => {
    const el = find(selector);
    if (!el) return { what, found: false };
    const s = getComputedStyle(el);
    const font = s.fontStyle + " " + s.fontWeight + " 32px " + s.fontFamily;
    const chars = [...new Set([...el.textContent].filter((c) => han.test(c)))].slice(0, 16);
    const box = draw(font, ${JSON.stringify(UNASSIGNED)});
    const drawn = chars.map((c) => draw(font, c));
    return { what, found: true, text: el.textContent.replace("¶", "").trim().slice(0, 40), font: s.fontFamily,
      chars: chars.length, distinct: new Set(drawn).size,
      boxes: chars.filter((c, i) => drawn[i] === "" || drawn[i] === box).join("") };
  });
})()`;

/**
 * Problems with the Chinese of a page of the Chinese edition: a heading (and, with `plots`, a plot's text)
 * with Chinese must be in the page, and its characters must draw as characters in the page's font.
 */
export async function cjkProblems(page: Page, plots: boolean): Promise<string[]> {
  const found = await page.evaluate(GLYPHS_JS) as Glyphs[];
  const problems: string[] = [];
  for (const g of found) {
    if (g.what === "plot" && !plots) continue;
    const where = g.what === "plot" ? "a plot's text" : "a heading";
    if (!g.found) problems.push(`Chinese: no ${where} with Chinese characters in the page`);
    else if (g.boxes || (g.chars! >= 3 && g.distinct! <= 1)) {
      problems.push(
        `Chinese: ${where} ("${g.text}") draws ${g.boxes || "its characters"} as boxes (tofu) in ` +
          `its font (${g.font}): install a CJK font (Debian: fonts-noto-cjk)`,
      );
    }
  }
  return problems;
}

/** In the page: how many pixels differ (by more than a faint shade) between the first PNG and each other one. */
function pixelDiffJs(pngs: string[]): string {
  return `(async () => {
  const pngs = ${JSON.stringify(pngs)};
  const pixels = await Promise.all(pngs.map((png) => new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      resolve(ctx.getImageData(0, 0, canvas.width, canvas.height));
    };
    img.onerror = () => reject(new Error("a PNG did not decode"));
    img.src = "data:image/png;base64," + png;
  })));
  const [a, ...others] = pixels;
  return others.map((b) => {
    if (a.width !== b.width || a.height !== b.height) return a.width * a.height;
    let n = 0;
    for (let i = 0; i < a.data.length; i += 4) {
      const d = Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) +
        Math.abs(a.data[i + 2] - b.data[i + 2]);
      if (d > 48) n++;
    }
    return n;
  });
})()`;
}

/**
 * The PNG picture of the first plot with Chinese text in a saved notebook draws its Chinese as characters:
 * it is drawn again as tools/snapshot.ts draws it, once as it is and once with each Chinese character
 * replaced by the unassigned code point; the saved picture must be closer to the first than to the second
 * (with boxes for Chinese it would equal the second). `page` is any open page, used to compare the pixels.
 */
export async function pictureCjkProblems(page: Page, nb: Notebook, chromium: string): Promise<string[]> {
  const output = plotlyOutputs(nb).find((o) =>
    o.data?.["image/png"] && HAN.test(JSON.stringify((o.data[PLOTLY_MIME] as PlotlyFigure).layout))
  );
  if (!output) return ["Chinese: no plot with a Chinese title or axis has a PNG picture"];
  const figure = output.data![PLOTLY_MIME] as PlotlyFigure;
  const t = figure.layout?.title as { text?: string } | string | undefined;
  const title = `"${(typeof t === "object" ? t.text ?? "" : t ?? "").slice(0, 50)}"`;
  const boxes = JSON.parse(JSON.stringify(figure).replace(/\p{Script=Han}/gu, UNASSIGNED)) as PlotlyFigure;
  const [drawn, boxed] = await renderFigures([figure, boxes], chromium);
  if (drawn instanceof Error || boxed instanceof Error) {
    return [`Chinese: the plot ${title} could not be drawn again to compare its picture with`];
  }
  const saved = joinText(output.data!["image/png"]).replace(/\s/g, "");
  const [toDrawn, toBoxed] = await page.evaluate(pixelDiffJs([saved, drawn, boxed])) as number[];
  return toDrawn < toBoxed ? [] : [
    `Chinese: the PNG picture of the plot ${title} shows its Chinese as boxes (tofu): it differs in ` +
    `${toDrawn} pixels from the plot drawn with Chinese, in ${toBoxed} from it drawn with boxes`,
  ];
}
