/**
 * `deno task lab [jupyter options...]`: opens the course notebooks in Jupyter with the Deno kernel.
 *
 * Runs the set-up first (Jupyter and the kernel spec), then starts JupyterLab where it is installed, else the
 * classic Notebook, serving notebooks/. Prints the address to open. Extra arguments go to Jupyter, e.g.
 * `deno task lab --no-browser --port 8890`. Stop it with Ctrl+C.
 */
import { isFile, NOTEBOOKS_DIR } from "./paths.ts";
import { jupyterBinDir, setupOrExit } from "./setup.ts";

/** The Jupyter front end to start: "lab" when JupyterLab is installed next to `jupyter`, else "notebook". */
export function frontEnd(jupyter: string): "lab" | "notebook" {
  return isFile(`${jupyterBinDir(jupyter)}/jupyter-lab`) ? "lab" : "notebook";
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
    env: { PATH: `${jupyterBinDir(jupyter)}:${Deno.env.get("PATH") ?? ""}` },
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
