/** Plain-text tables for the tools' summaries (course, browser test), so that they line up alike. */

/**
 * A header, a dashed rule and the rows, columns two spaces apart; the columns listed in `right` (numbers)
 * are right-aligned, the others left-aligned. Lines carry no trailing blanks.
 */
export function textTable(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) =>
    cols.map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
