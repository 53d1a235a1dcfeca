"""Executes one notebook for tools/course.ts with Jupyter's own executor (nbclient), so that a failure names
its cell and the partial notebook is still saved. Runs in the Python that has nbclient (course.ts finds it).

Usage: python3 execute_notebook.py SOURCE.ipynb EXECUTED.ipynb PAGE.html TIMEOUT_S KERNEL CWD RESULT.json
PAGE.html: "" for no HTML page. Per-cell progress goes to stderr; how the run went goes to RESULT.json
({"ok", "cells", "cellSeconds", and "failure", "problem", "html" or "htmlError"}), read by course.ts.
"""
import json, os, re, sys, time
from queue import Empty
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

src, out_nb, out_html, timeout, kernel, cwd, result_path = sys.argv[1:8]
ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
try:
    nb = nbformat.read(src, as_version=4)
except Exception as e:
    with open(result_path, "w") as f:
        json.dump({"ok": False, "problem": "not a readable notebook (%s: %s)" % (type(e).__name__, e)}, f)
    sys.exit(0)
state = {"cell": None, "t0": 0.0, "times": []}

def on_cell_start(cell, cell_index):
    state["cell"] = cell_index
    state["t0"] = time.monotonic()
    if cell.cell_type == "code":
        print("  cell %d: %s" % (cell_index, first_line(cell.source)), file=sys.stderr, flush=True)

def on_cell_executed(cell, cell_index, execute_reply):
    state["times"].append(round(time.monotonic() - state["t0"], 3))

def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""

class Client(NotebookClient):
    """nbclient's executor, plus: output that the Deno kernel sends after a cell's "idle" status still lands
    in that cell. The kernel forwards console.log output asynchronously, so a fast cell's stream message can
    arrive just after "idle", which plain nbclient (nbconvert --execute) silently drops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell_of_msg = {}
        self.last_code_index = max([i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"] or [-1])

    def route(self, msg):
        target = self.cell_of_msg.get(msg["parent_header"].get("msg_id"))
        if target and msg["msg_type"] in ("stream", "display_data", "update_display_data", "execute_result"):
            try:
                self.process_message(msg, *target)
            except CellExecutionComplete:
                pass

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cell_of_msg[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self.route(msg)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        if cell_index == self.last_code_index:  # collect what arrives late for the last cells
            while True:
                try:
                    msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
                except Empty:
                    break
                self.route(msg)
        return result

result = {"ok": True}
# iopub_timeout: how long to wait for a cell's outputs after its reply (nbclient's 4 s default drops outputs
# on a busy 2-core machine).
client = Client(nb, kernel_name=kernel, timeout=int(timeout), startup_timeout=120, iopub_timeout=120,
                resources={"metadata": {"path": cwd}},
                on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
try:
    client.execute()
except BaseException as e:  # report any failure, then still save what ran
    result["ok"] = False
    index = state["cell"]
    if isinstance(e, CellExecutionError):
        error = "%s: %s" % (e.ename, e.evalue)
        tb = ansi.sub("", e.traceback)
    elif isinstance(e, CellTimeoutError):
        error = "TimeoutError: the cell ran longer than %s s (COURSE_CELL_TIMEOUT)" % timeout
        tb = ""
    elif isinstance(e, DeadKernelError):
        error = "DeadKernelError: the Deno kernel died (out of memory?) %s" % e
        tb = ""
    else:
        error = "%s: %s" % (type(e).__name__, e)
        tb = ""
    if index is None:
        result["problem"] = error
    else:
        cell = nb.cells[index]
        code_cell = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                error = "%s: %s" % (out.get("ename", "Error"), out.get("evalue", ""))
                tb = ansi.sub("", "\n".join(out.get("traceback", [])))
        result["failure"] = {"index": index, "codeCell": code_cell, "firstLine": first_line(cell.source),
                             "error": ansi.sub("", error), "traceback": tb}
# The values probe (tools/notebook_values.ts) wrote its file; it is no cell of the course.
probes = [i for i, c in enumerate(nb.cells) if c.metadata.get("course_values_probe")]
nb.cells = [c for c in nb.cells if not c.metadata.get("course_values_probe")]
if probes and result.get("failure", {}).get("index") in probes:
    result["problem"] = "the values probe failed: %s" % result.pop("failure")["error"]
    result["ok"] = False
result["cellSeconds"] = state["times"][: len([c for c in nb.cells if c.cell_type == "code"])]
result["cells"] = sum(1 for c in nb.cells if c.cell_type == "code")
# Written to a temporary file, then renamed: a reader never sees half a notebook.
nbformat.write(nb, out_nb + ".%d.tmp" % os.getpid())
os.replace(out_nb + ".%d.tmp" % os.getpid(), out_nb)
if out_html:
    try:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nb)
        with open(out_html + ".%d.tmp" % os.getpid(), "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(out_html + ".%d.tmp" % os.getpid(), out_html)
        result["html"] = out_html
    except Exception as e:
        result["htmlError"] = "%s: %s" % (type(e).__name__, e)
with open(result_path, "w") as f:
    json.dump(result, f)
