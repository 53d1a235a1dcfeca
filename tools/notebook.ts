/**
 * The notebook file format (nbformat 4's JSON) as the tools and tests read it, typed once so that they all
 * agree on what a cell and an output hold. Only the fields the course uses are typed.
 */
import { NOTEBOOKS_DIR } from "./paths.ts";

/** The MIME type under which lib/plot.ts puts a plotly figure in an output's data. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** One output of a code cell. */
export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error" | "update_display_data";
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  metadata?: Record<string, unknown>;
}

/** One cell of a notebook. */
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
  metadata: Record<string, unknown>;
}

/** A whole notebook file. */
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

/** Text that nbformat stores either as one string or as a list of lines, as one string ("" if neither). */
export function joinText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "";
}

/** A cell's source as one string. */
export function sourceText(cell: Pick<Cell, "source">): string {
  return joinText(cell.source);
}

/**
 * The course's two editions: English in notebooks/, Simplified Chinese in notebooks/zh/, with the same file
 * names and the same code. A notebook of the Chinese edition is named "zh/<name>" ("zh/00_setup").
 */
export type Edition = "en" | "zh";

/** The Chinese edition's notebooks (absolute). */
export const ZH_NOTEBOOKS_DIR = `${NOTEBOOKS_DIR}/zh`;

/**
 * Where a notebook lies, given as a name in notebooks/ ("00_setup"), a name in notebooks/zh/ ("zh/00_setup")
 * or a path to an .ipynb file.
 */
export interface NotebookLocation {
  /** The .ipynb file (absolute). */
  path: string;
  /** File name without .ipynb. */
  name: string;
  /** Its directory, from which the notebook's relative imports resolve (the kernel's working directory). */
  dir: string;
  /** Its edition: "zh" for a notebook in notebooks/zh/, else "en". */
  edition: Edition;
  /** How the tools name it: `name`, or "zh/" + `name` in the Chinese edition. */
  id: string;
}

/** Resolves a notebook name or path; a path is made absolute and must exist, a name need not. */
export async function locateNotebook(nameOrPath: string): Promise<NotebookLocation> {
  const path = nameOrPath.endsWith(".ipynb")
    ? await Deno.realPath(nameOrPath)
    : `${NOTEBOOKS_DIR}/${nameOrPath}.ipynb`;
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1, -".ipynb".length), dir = path.slice(0, slash);
  const edition: Edition = dir === ZH_NOTEBOOKS_DIR ? "zh" : "en";
  return { path, name, dir, edition, id: edition === "zh" ? `zh/${name}` : name };
}

/** A fenced TypeScript block inside a folded `<details>` markdown cell: an exercise's solution. */
const SOLUTION = /<details>[\s\S]*?```(?:ts|typescript)\n([\s\S]*?)```[\s\S]*?<\/details>/g;

/**
 * The notebook with every exercise answered by its solution: each folded solution (a `<details>` markdown
 * cell with a ```ts block that defines `answer...`) replaces the line `const answer... = undefined;` of
 * the nearest code cell above it. The course's tests run this version, so a solution that stops being
 * right fails them. Throws when a solution has no answer line to replace, naming both.
 */
export function withSolutions(nb: Notebook): Notebook {
  const cells: Cell[] = nb.cells.map((c) => ({ ...c, source: sourceText(c) }));
  cells.forEach((cell, k) => {
    if (cell.cell_type !== "markdown") return;
    for (const [, code] of (cell.source as string).matchAll(SOLUTION)) {
      const names = [...code.matchAll(/\b(?:const|let)\s+(answer\w*)\s*(?::[^=]+)?=/g)].map((m) => m[1]);
      if (names.length === 0) {
        throw new Error(`withSolutions: the solution in cell ${k} defines no answer...`);
      }
      for (const name of names) {
        const line = new RegExp(`^(?:const|let) ${name}\\b[^=]*= undefined;.*$`, "m");
        const target = cells.slice(0, k).findLastIndex((c) =>
          c.cell_type === "code" && line.test(c.source as string)
        );
        if (target < 0) {
          throw new Error(`withSolutions: no "const ${name} = undefined;" above the solution in cell ${k}`);
        }
        cells[target].source = (cells[target].source as string).replace(line, code.trim());
      }
    }
  });
  return { ...nb, cells };
}
