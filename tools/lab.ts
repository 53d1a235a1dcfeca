/**
 * `deno task lab [jupyter options...]`: opens the course notebooks in Jupyter with the Deno kernel.
 *
 * Runs the set-up first (Jupyter and the kernel spec), then starts JupyterLab where it is installed
 * (JUPYTER_LAB=/path, next to `jupyter`, or in build/jupyterlab, where `deno task test:browser` installs it),
 * else the classic Notebook, serving notebooks/. Prints the address to open. Extra arguments go to Jupyter,
 * e.g. `deno task lab --no-browser --port 8890`. Stop it with Ctrl+C.
 */
import { BUILD_DIR, isFile, NOTEBOOKS_DIR } from "./paths.ts";
import { findPython, jupyterBinDir, setupOrExit } from "./setup.ts";

/**
 * Where JupyterLab is installed when the machine has none (for the browser test): a virtual environment made
 * by the system's python3 with `--system-site-packages`, so that it reuses the installed Jupyter (Debian's)
 * and pip adds only JupyterLab and what it needs on top.
 */
export const LAB_VENV = `${BUILD_DIR}/jupyterlab`;

/**
 * The `jupyter-lab` command: JUPYTER_LAB=/path/to/jupyter-lab where set, else next to `jupyter`, else in
 * LAB_VENV; undefined where none has one. `deno task lab` and the browser test both look here.
 */
export function findJupyterLab(jupyter: string): string | undefined {
  const candidates = [
    Deno.env.get("JUPYTER_LAB"),
    `${jupyterBinDir(jupyter)}/jupyter-lab`,
    `${LAB_VENV}/bin/jupyter-lab`,
  ];
  return candidates.find((path) => !!path && isFile(path));
}

/** The Jupyter front end to start: "lab" when JupyterLab is installed (see findJupyterLab), else "notebook". */
export function frontEnd(jupyter: string): "lab" | "notebook" {
  return findJupyterLab(jupyter) ? "lab" : "notebook";
}

/** Runs a command quietly; its success and the last line it wrote (for a one-line reason). */
async function quietly(cmd: string[]): Promise<{ ok: boolean; last: string }> {
  try {
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^warning/i.test(l));
    return { ok: out.success, last: lines.at(-1) ?? `exit status ${out.code}` };
  } catch (e) {
    return { ok: false, last: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * JupyterLab's `jupyter-lab`, installed into LAB_VENV with pip where it is missing: the venv is made with its
 * own pip where Python can (Debian: python3-venv), else without and with the system's pip. Returns the
 * command, or why it could not be installed, in one line. Slow the first time (pip downloads JupyterLab).
 */
export async function ensureJupyterLab(
  jupyter: string,
  log: (line: string) => void,
): Promise<{ lab: string } | { why: string }> {
  const found = findJupyterLab(jupyter);
  if (found) return { lab: found };
  const python = findPython();
  if (!python) return { why: "no python3 to install it with" };
  log(
    `Installing JupyterLab into ${LAB_VENV} (a venv with --system-site-packages, then pip install jupyterlab)`,
  );
  const venv = [python, "-m", "venv", "--system-site-packages"];
  let made = await quietly([...venv, "--clear", LAB_VENV]);
  if (!made.ok) made = await quietly([...venv, "--clear", "--without-pip", LAB_VENV]);
  if (!made.ok) return { why: `${python} -m venv failed (${made.last})` };
  const pip = await quietly([`${LAB_VENV}/bin/python`, "-m", "pip", "install", "--quiet", "jupyterlab"]);
  const lab = findJupyterLab(jupyter);
  if (!pip.ok || !lab) {
    await Deno.remove(LAB_VENV, { recursive: true }).catch(() => {});
    return { why: `pip install jupyterlab failed (${pip.last.slice(0, 200)})` };
  }
  return { lab };
}

/** The arguments for `jupyter`: the front end, root allowed when running as root, then the user's options. */
export function labArgs(app: "lab" | "notebook", extra: string[], root: boolean): string[] {
  return [app, ...(root ? ["--allow-root"] : []), ...extra];
}

if (import.meta.main) {
  const { jupyter } = await setupOrExit("lab");
  const app = frontEnd(jupyter);
  const args = labArgs(app, Deno.args, Deno.uid() === 0);
  console.error(
    `Starting ${app === "lab" ? "JupyterLab" : "Jupyter Notebook"} in notebooks/ (${jupyter} ${
      args.join(" ")
    })`,
  );
  console.error("Open 00_setup.ipynb first. Stop the server with Ctrl+C.\n");
  const child = new Deno.Command(jupyter, {
    args,
    cwd: NOTEBOOKS_DIR,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "piped",
    // JupyterLab from LAB_VENV first, where it lies there: `jupyter lab` runs the `jupyter-lab` found on PATH.
    env: {
      PATH: `${jupyterBinDir(findJupyterLab(jupyter) ?? jupyter)}:${jupyterBinDir(jupyter)}:${
        Deno.env.get("PATH") ?? ""
      }`,
    },
  }).spawn();
  // Ctrl+C reaches Jupyter too (same process group); it shuts down its kernels and exits.
  Deno.addSignalListener("SIGINT", () => {});
  // Jupyter logs to stderr; pass it on and repeat the address (with its token) where it is easy to see.
  let shown = false;
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    await Deno.stderr.write(chunk);
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const url = line.match(/(https?:\/\/(?:localhost|127\.0\.0\.1)[^\s]*)/)?.[1];
      // JupyterLab first logs the address with its token hidden ("token=..."); the full one follows.
      if (url && !shown && !url.includes("token=...")) {
        shown = true;
        console.error(`\n  The course is served at: ${url}\n`);
      }
    }
  }
  Deno.exit((await child.status).code);
}
