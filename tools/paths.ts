/**
 * Where the course's files lie, defined once for every tool and test: each used to compute the repository
 * root from its own location, and a moved file silently pointed elsewhere.
 */

/** The repository root as a file URL (ends with "/"), for `new URL("lib/mod.ts", ROOT_URL)`. */
export const ROOT_URL = new URL("../", import.meta.url);
/** The repository root as an absolute path, without a trailing "/". */
export const ROOT = ROOT_URL.pathname.replace(/\/$/, "");
/** The course's notebooks directory (absolute). */
export const NOTEBOOKS_DIR = `${ROOT}/notebooks`;
/** Where executed notebooks, HTML pages and the tools' other outputs go (absolute). */
export const BUILD_DIR = `${ROOT}/build`;

/** A path inside the repository as the learner types it (relative to the root); others unchanged. */
export function fromRoot(path: string): string {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

/** Whether `path` is a regular file (or a link to one); false where it is missing or unreadable. */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The files in `dir` whose names end with `ext`, sorted; with filters, only those whose name (without `ext`)
 * contains one of them, as the tools' `[filter...]` arguments select notebooks. Empty where `dir` is missing.
 */
export function listFiles(dir: string, ext: string, filters: string[] = []): string[] {
  let files: string[];
  try {
    files = [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(ext)).map((e) => e.name);
  } catch {
    return [];
  }
  const selected = (name: string) => filters.length === 0 || filters.some((f) => name.includes(f));
  return files.filter((file) => selected(file.slice(0, -ext.length))).sort();
}
