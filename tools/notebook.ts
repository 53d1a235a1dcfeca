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

/** Where a notebook lies, given as a name in notebooks/ ("00_setup") or as a path to an .ipynb file. */
export interface NotebookLocation {
  /** The .ipynb file (absolute). */
  path: string;
  /** File name without .ipynb. */
  name: string;
  /** Its directory, from which the notebook's relative imports resolve. */
  dir: string;
}

/** Resolves a notebook name or path; a path is made absolute and must exist, a name need not. */
export async function locateNotebook(nameOrPath: string): Promise<NotebookLocation> {
  const path = nameOrPath.endsWith(".ipynb")
    ? await Deno.realPath(nameOrPath)
    : `${NOTEBOOKS_DIR}/${nameOrPath}.ipynb`;
  const slash = path.lastIndexOf("/");
  return { path, name: path.slice(slash + 1, -".ipynb".length), dir: path.slice(0, slash) };
}
