/** The Jupyter servers the browser test drives: the classic Notebook 6 and JupyterLab, on free local ports. */
import { BUILD_DIR, ROOT } from "../paths.ts";
import { jupyterBinDir } from "../setup.ts";

/** JupyterLab's settings and workspaces for the test (autosave off, every cell in the page). */
const LAB_DIR = `${BUILD_DIR}/browser_lab`;

/** A running Jupyter server. */
export interface Server {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** A free TCP port on localhost. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes JupyterLab's settings for the test into LAB_DIR: autosave off (notebooks/ is never written), every
 * cell kept in the page (JupyterLab 4 by default leaves cells out of view out of the page), no news fetched;
 * and empties its workspaces.
 */
async function labSettings(): Promise<void> {
  await Deno.remove(`${LAB_DIR}/workspaces`, { recursive: true }).catch(() => {});
  const settings: Record<string, unknown> = {
    "@jupyterlab/docmanager-extension/plugin": { autosave: false },
    "@jupyterlab/notebook-extension/tracker": { windowingMode: "none" },
    "@jupyterlab/apputils-extension/notification": { fetchNews: "false", checkForUpdates: false },
  };
  for (const [id, value] of Object.entries(settings)) {
    const path = `${LAB_DIR}/settings/${id}.jupyterlab-settings`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(value));
  }
}

/**
 * Starts the classic Notebook server (or, given `lab`, the path of jupyter-lab, JupyterLab) in the repository
 * root on a free port, and waits until it answers.
 */
export async function startJupyter(jupyter: string, lab?: string): Promise<Server> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const root = Deno.uid() === 0 ? ["--allow-root"] : [];
  const labArgs = [
    ...root,
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--IdentityProvider.token=${token}`,
    // window.jupyterapp: the checks read cells and outputs from JupyterLab's model, as from Notebook 6's.
    "--LabApp.expose_app_in_browser=True",
    `--LabApp.user_settings_dir=${LAB_DIR}/settings`,
    `--LabApp.workspaces_dir=${LAB_DIR}/workspaces`,
  ];
  if (lab) await labSettings();
  const args = lab ? labArgs : [
    "notebook",
    ...root,
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    `--NotebookApp.token=${token}`,
    "--NotebookApp.open_browser=False",
  ];
  const child = new Deno.Command(lab ?? jupyter, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PATH: `${jupyterBinDir(lab ?? jupyter)}:${Deno.env.get("PATH") ?? ""}` },
  }).spawn();
  // Keep Jupyter's log, shown if the server does not come up.
  let log = "";
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of child.stderr) log = (log + decoder.decode(chunk)).slice(-20_000);
  })();
  (async () => {
    for await (const _ of child.stdout) { /* drain */ }
  })();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const res = await fetch(`${url}/api/status?token=${token}`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`Jupyter did not answer on ${url} within 60 s. Its log:\n${log.slice(-3000)}`);
    }
    await sleep(300);
  }
  const server: Server = {
    url,
    token,
    async stop() {
      await shutdownSessions(server);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.status;
      clearTimeout(timer);
    },
  };
  return server;
}

/** Shuts down the server's kernels through its API: all, or those of notebooks whose path contains `part`. */
export async function shutdownSessions(server: Server, part = ""): Promise<void> {
  try {
    const res = await fetch(`${server.url}/api/sessions?token=${server.token}`);
    for (const s of await res.json() as { id: string; path: string }[]) {
      if (!s.path.includes(part)) continue;
      await (await fetch(`${server.url}/api/sessions/${s.id}?token=${server.token}`, { method: "DELETE" }))
        .body?.cancel();
    }
  } catch {
    // the server is gone
  }
}
