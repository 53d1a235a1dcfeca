/**
 * `deno task setup`: makes this machine able to run the course notebooks.
 *
 * 1. Jupyter (the notebook server, nbconvert and nbclient): found, or installed with apt (as root on
 *    Debian/Ubuntu), or with pip (`--user`), or a message says what to install.
 * 2. A Deno kernel spec named "deno" whose environment sets NO_COLOR=1, so that saved outputs hold no ANSI
 *    colour codes (the spec written by `deno jupyter --install` has no `env`).
 * 3. A BLAS library for the matrix products (lib/blas.ts): found, or OpenBLAS installed with apt (as root
 *    on Debian/Ubuntu), or a message says what to install. Not required: without one the course runs on
 *    plain wasm, about 3 times slower to train.
 * 4. A font with Chinese characters (the Chinese edition, notebooks/zh/: its plots' PNG pictures and the
 *    browser test's screenshots are drawn by Chromium, which shows boxes without one): found with fontconfig,
 *    or fonts-noto-cjk installed with apt (as root on Debian/Ubuntu), or a message says what to install.
 *    Not required for the English edition.
 *
 * Idempotent and quick: when everything is already in place it only reads a few files.
 * Flags: `--quiet` (print only what changed or went wrong), `--check` (change nothing; exit 1 if not ready).
 */
import { isFile } from "./paths.ts";
import { openBlas } from "../lib/blas.ts";

const HOME = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";

/** The packages that provide what the course needs, per installer. */
export const APT_PACKAGES = ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient"];
/** The Debian/Ubuntu package of OpenBLAS (the pthreads build, as PyTorch on Debian uses). */
export const BLAS_APT_PACKAGE = "libopenblas0-pthread";
/** The Debian/Ubuntu package of a font with Chinese characters (Noto Sans CJK). */
export const CJK_FONT_APT_PACKAGE = "fonts-noto-cjk";
/** The same for pip, where apt is not available. */
export const PIP_PACKAGES = ["notebook", "nbconvert", "nbclient"];

/** The first `name` found in the preferred directories, then on PATH; undefined if none. */
function which(name: string, preferred: string[] = []): string | undefined {
  const sep = Deno.build.os === "windows" ? ";" : ":";
  const dirs = [...preferred, ...(Deno.env.get("PATH") ?? "").split(sep).filter((d) => d !== "")];
  const exts = Deno.build.os === "windows" ? [".exe", ".cmd", ""] : [""];
  for (const dir of dirs) {
    for (const ext of exts) {
      const path = `${dir}/${name}${ext}`;
      if (isFile(path)) return path;
    }
  }
  return undefined;
}

// Debian's /usr/bin comes first: here another python3 (without Jupyter) is first on PATH. Then where
// `pip install --user` puts commands: ~/.local/bin (Linux), ~/Library/Python/<version>/bin (macOS).
const PREFERRED_BIN = ["/usr/bin", `${HOME}/.local/bin`, ...macUserBins()];

function macUserBins(): string[] {
  if (Deno.build.os !== "darwin") return [];
  try {
    return [...Deno.readDirSync(`${HOME}/Library/Python`)].map((e) => `${HOME}/Library/Python/${e.name}/bin`)
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/** The python3 to install Jupyter with (Debian's own when present). */
export function findPython(): string | undefined {
  return which("python3", ["/usr/bin"]) ?? which("python");
}

/**
 * The `jupyter` command that has nbconvert next to it, or undefined. Jupyter finds its subcommands
 * (`jupyter-nbconvert`, `jupyter-notebook`) in the directory of the `jupyter` script first.
 */
export function findJupyter(): string | undefined {
  const candidates = [...PREFERRED_BIN, ...(Deno.env.get("PATH") ?? "").split(":")]
    .filter((d) => d !== "")
    .map((dir) => `${dir}/jupyter`);
  for (const jupyter of candidates) {
    const dir = jupyter.slice(0, -"/jupyter".length);
    if (isFile(jupyter) && isFile(`${dir}/jupyter-nbconvert`)) return jupyter;
  }
  return undefined;
}

/** The directory of the `jupyter` command (where its subcommands live), for PATH. */
export function jupyterBinDir(jupyter: string): string {
  return jupyter.slice(0, jupyter.lastIndexOf("/"));
}

/** Jupyter's per-user data directory, as jupyter_core computes it (`jupyter --data-dir`). */
export function jupyterDataDir(): string {
  const explicit = Deno.env.get("JUPYTER_DATA_DIR");
  if (explicit) return explicit;
  if (Deno.build.os === "darwin") return `${HOME}/Library/Jupyter`;
  if (Deno.build.os === "windows") return `${Deno.env.get("APPDATA") ?? HOME}/jupyter`;
  return `${Deno.env.get("XDG_DATA_HOME") || `${HOME}/.local/share`}/jupyter`;
}

/** Directory of the course's Deno kernel spec. */
export function kernelDir(): string {
  return `${jupyterDataDir()}/kernels/deno`;
}

/** The kernel spec: this very deno binary as the kernel, with NO_COLOR=1 so outputs carry no ANSI codes. */
export function kernelSpec(deno = Deno.execPath()): Record<string, unknown> {
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { NO_COLOR: "1" },
  };
}

/** True when the installed kernel spec is exactly ours (same deno binary, NO_COLOR set). */
export function kernelSpecInstalled(): boolean {
  try {
    const installed = JSON.parse(Deno.readTextFileSync(`${kernelDir()}/kernel.json`));
    return JSON.stringify(installed) === JSON.stringify(kernelSpec());
  } catch {
    return false;
  }
}

/** Runs a command with inherited output; returns true on success, false if it failed or does not exist. */
async function run(cmd: string[], quiet = false): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: quiet ? "null" : "inherit",
      stderr: quiet ? "null" : "inherit",
      stdin: "null",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** What to tell a learner whose machine has no Jupyter and where we could not install it. */
export function jupyterMissingMessage(): string {
  return [
    "Jupyter is not installed, and this script could not install it.",
    "Install it, then run `deno task setup` again:",
    `  Debian/Ubuntu:  sudo apt-get install -y ${APT_PACKAGES.join(" ")}`,
    `  elsewhere:      python3 -m pip install --user ${PIP_PACKAGES.join(" ")}`,
    "                  (or `pipx install --include-deps notebook`, or `conda install notebook nbconvert nbclient`)",
  ].join("\n");
}

/** Installs Jupyter: apt as root on Debian/Ubuntu (update only if the first try fails), else pip --user. */
async function installJupyter(log: (s: string) => void): Promise<boolean> {
  if (isRoot() && which("apt-get")) {
    const install = ["apt-get", "install", "-y", "--no-install-recommends", ...APT_PACKAGES];
    log(`Installing Jupyter: ${install.join(" ")}`);
    if (await run(install) && findJupyter()) return true;
    log("apt-get install failed; running apt-get update first, then trying again");
    if (await run(["apt-get", "update"]) && await run(install) && findJupyter()) return true;
  }
  const python = findPython();
  if (python) {
    const pip = [python, "-m", "pip", "install", "--user", ...PIP_PACKAGES];
    log(`Installing Jupyter: ${pip.join(" ")}`);
    if (await run(pip) && findJupyter()) return true;
  }
  return false;
}

/** What to tell a learner whose machine has no BLAS that the course can open. */
export function blasMissingMessage(why: string): string {
  return [
    `No BLAS library: matrix products run on plain wasm, about 3 times slower to train (${why}).`,
    "To train faster, install OpenBLAS, then restart the kernel:",
    `  Debian/Ubuntu:  sudo apt-get install -y ${BLAS_APT_PACKAGE}`,
    "  Fedora:         sudo dnf install openblas",
    "  Arch:           sudo pacman -S openblas",
    "  macOS:          nothing to install (Accelerate); Homebrew's `brew install openblas` also works",
  ].join("\n");
}

/**
 * Finds a BLAS, or installs OpenBLAS with apt as root on Debian/Ubuntu. Returns the library's description,
 * or undefined with the message printed (a missing BLAS makes training slower, never impossible).
 */
async function ensureBlas(
  log: (s: string) => void,
  changed: string[],
  quiet = false,
): Promise<string | undefined> {
  let found = openBlas();
  if ("why" in found && Deno.build.os === "linux" && isRoot() && which("apt-get")) {
    const install = ["apt-get", "install", "-y", "--no-install-recommends", BLAS_APT_PACKAGE];
    log(`Installing OpenBLAS: ${install.join(" ")}`);
    if (!(await run(install))) {
      log("apt-get install failed; running apt-get update first, then trying again");
      if (await run(["apt-get", "update"])) await run(install);
    }
    found = openBlas();
    if ("blas" in found) changed.push(`installed ${BLAS_APT_PACKAGE} (${found.blas.name})`);
  }
  if ("blas" in found) return found.blas.name;
  log(
    quiet
      ? "setup: no BLAS library: training runs on plain wasm, about 3 times slower (`deno task setup` says more)"
      : `setup: ${blasMissingMessage(found.why)}`,
  );
  return undefined;
}

/** What to tell a learner whose machine has no font with Chinese characters. */
export function cjkFontMissingMessage(): string {
  return [
    "No font with Chinese characters: the Chinese edition's plot pictures (PNG) and screenshots show boxes.",
    "Install one (the English edition does not need it):",
    `  Debian/Ubuntu:  sudo apt-get install -y ${CJK_FONT_APT_PACKAGE}`,
    "  Fedora:         sudo dnf install google-noto-sans-cjk-fonts",
    "  Arch:           sudo pacman -S noto-fonts-cjk",
    "  macOS, Windows: nothing to install (their system fonts have Chinese)",
  ].join("\n");
}

/**
 * The font fontconfig gives Chinese text (`fc-list :lang=zh`), as Chromium on Linux finds its fonts; "system"
 * on macOS and Windows (built in); undefined where Linux has none, or no fontconfig to ask.
 */
export function cjkFont(): string | undefined {
  if (Deno.build.os !== "linux") return "system";
  try {
    const output = (cmd: string, args: string[]) => {
      const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
      return out.success ? new TextDecoder().decode(out.stdout) : "";
    };
    const families = output("fc-list", [":lang=zh", "family"]).split("\n").flatMap((l) => l.split(","))
      .map((f) => f.trim()).filter((f) => f !== "");
    if (families.length === 0) return undefined;
    // The one a Chinese sans-serif text gets, e.g. "Noto Sans CJK SC".
    const chosen = output("fc-match", ["-f", "%{family}", "sans-serif:lang=zh-cn"]).split(",")[0].trim();
    return families.includes(chosen) ? chosen : families[0];
  } catch {
    return undefined;
  }
}

/** Finds a font with Chinese characters, or installs fonts-noto-cjk with apt as root on Debian/Ubuntu. */
async function ensureCjkFont(
  log: (s: string) => void,
  changed: string[],
  quiet = false,
): Promise<string | undefined> {
  let font = cjkFont();
  if (!font && Deno.build.os === "linux" && isRoot() && which("apt-get")) {
    const install = ["apt-get", "install", "-y", "--no-install-recommends", CJK_FONT_APT_PACKAGE];
    log(`Installing a font with Chinese characters: ${install.join(" ")}`);
    if (!(await run(install))) {
      log("apt-get install failed; running apt-get update first, then trying again");
      if (await run(["apt-get", "update"])) await run(install);
    }
    font = cjkFont();
    if (font) changed.push(`installed ${CJK_FONT_APT_PACKAGE} (${font})`);
  }
  if (font) return font;
  log(
    quiet
      ? "setup: no font with Chinese characters: the Chinese edition's plot pictures show boxes " +
        "(`deno task setup` says more)"
      : `setup: ${cjkFontMissingMessage()}`,
  );
  return undefined;
}

/** Writes the kernel spec (logos from `deno jupyter --install` where it works, then our kernel.json). */
async function installKernelSpec(): Promise<void> {
  const dir = kernelDir();
  // `deno jupyter --install --force` also copies the Deno logos; its kernel.json is replaced just below.
  await run([Deno.execPath(), "jupyter", "--install", "--force"], true);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/kernel.json`, JSON.stringify(kernelSpec(), null, 2) + "\n");
}

/** What setup() found and did. */
export interface SetupResult {
  /** The `jupyter` command to use. */
  jupyter: string;
  /** The kernel spec's directory. */
  kernelDir: string;
  /** What this call installed or changed (empty when everything was in place). */
  changed: string[];
  /** The BLAS library the matrix products will run in, or undefined (plain wasm). */
  blas?: string;
  /** The font Chinese text is drawn with ("system" on macOS and Windows), or undefined (none found). */
  cjkFont?: string;
}

/** Makes sure Jupyter and the Deno kernel spec are installed; throws with a message saying what to do. */
export async function setup(options: { quiet?: boolean } = {}): Promise<SetupResult> {
  const log = (s: string) => console.error(s);
  const changed: string[] = [];
  let jupyter = findJupyter();
  if (!jupyter) {
    if (!(await installJupyter(log))) throw new Error(jupyterMissingMessage());
    jupyter = findJupyter()!;
    changed.push(`installed Jupyter (${jupyter})`);
  }
  if (!kernelSpecInstalled()) {
    await installKernelSpec();
    changed.push(`installed the Deno kernel spec (${kernelDir()}/kernel.json, NO_COLOR=1)`);
  }
  const blas = await ensureBlas(log, changed, options.quiet);
  const font = await ensureCjkFont(log, changed, options.quiet);
  if (!options.quiet || changed.length > 0) {
    for (const c of changed) log(`setup: ${c}`);
    if (!options.quiet) {
      log(`setup: Jupyter: ${jupyter}`);
      log(`setup: Deno kernel spec: ${kernelDir()} (deno ${Deno.version.deno}, ${Deno.execPath()})`);
      if (blas) log(`setup: matrix products in ${blas}`);
      if (font) log(`setup: Chinese text drawn with ${font}`);
      log("setup: ready. Next: `deno task course` (run every notebook) or `deno task lab` (open them).");
    }
  }
  return { jupyter, kernelDir: kernelDir(), changed, blas, cjkFont: font };
}

/**
 * setup() for a tool's command line: without Jupyter no tool can do anything, so a failure prints
 * `<prefix>: <what to do>` and exits 1 instead of a stack trace.
 */
export async function setupOrExit(
  prefix: string,
  options: { quiet?: boolean } = { quiet: true },
): Promise<SetupResult> {
  try {
    return await setup(options);
  } catch (e) {
    console.error(`${prefix}: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}

if (import.meta.main) {
  const quiet = Deno.args.includes("--quiet");
  if (Deno.args.includes("--check")) {
    const ok = findJupyter() !== undefined && kernelSpecInstalled();
    if (!quiet) console.error(ok ? "setup: ready" : "setup: not ready (run `deno task setup`)");
    Deno.exit(ok ? 0 : 1);
  }
  await setupOrExit("setup failed", { quiet });
}
