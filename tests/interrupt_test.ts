/**
 * Kernel > Interrupt, as Jupyter sends it: SIGINT to the process. Each training function runs in a child
 * `deno` process (tests/fixtures/interrupt_run.ts) that would train for hours; once it says training is
 * under way, the test sends SIGINT. The training must stop within a second, say where it stopped, keep
 * the parameters trained so far (finite, moved), leave no tfjs tensor behind, and return normally, so
 * that the script goes on (it prints a RESULT line after the training call) and exits with status 0.
 */
import { assert } from "./assert.ts";
import { ROOT } from "../tools/paths.ts";
import type { Stopped } from "../lib/training.ts";

const FIXTURE = new URL("./fixtures/interrupt_run.ts", import.meta.url).pathname;
/** The longest a process may take from SIGINT to its exit (the contract promises a stop within a second). */
const STOP_MS = 1000;
/** Longest wait for the marker: a process start, tfjs and the digits load in a few seconds on a busy machine. */
const START_MS = 60_000;

/** One line of the child's stdout and when it arrived (performance.now(), in this process). */
interface Line {
  text: string;
  at: number;
}

/** What a child run showed: its stdout lines, the exit code, stderr, and the times of signal and exit. */
interface Run {
  lines: Line[];
  code: number;
  stderr: string;
  signalAt: number | null;
  exitAt: number;
}

/**
 * Runs the fixture; when `signal`, sends SIGINT `delayMs` after the `TRAINING` line (a learner pressing
 * Kernel > Interrupt). A child that does not end is killed (SIGKILL) so that the test fails rather than hangs.
 */
async function runFixture(mode: string, signal: boolean, delayMs = 0): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FIXTURE, mode],
    cwd: ROOT,
    // The course's defaults, whatever this shell sets: empty means unset.
    env: { COURSE_BACKEND: "", COURSE_WASM_THREADS: "", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Line[] = [];
  let signalAt: number | null = null;
  const killer = setTimeout(() => child.kill("SIGKILL"), START_MS);
  let killAfterSignal: ReturnType<typeof setTimeout> | undefined;
  const stderr = new Response(child.stderr).text();
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    const at = performance.now();
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const text of parts) {
      lines.push({ text, at });
      if (signal && text === "TRAINING" && signalAt === null) {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        signalAt = performance.now();
        child.kill("SIGINT");
        clearTimeout(killer);
        // Far beyond the promise: only a training that ignores the signal gets here.
        killAfterSignal = setTimeout(() => child.kill("SIGKILL"), 20 * STOP_MS);
      }
    }
  }
  if (rest) lines.push({ text: rest, at: performance.now() });
  const status = await child.status;
  const exitAt = performance.now();
  clearTimeout(killer);
  clearTimeout(killAfterSignal);
  return { lines, code: status.code, stderr: await stderr, signalAt, exitAt };
}

/** The RESULT lines' JSON, in order. */
function results(run: Run): Record<string, unknown>[] {
  return run.lines.filter((l) => l.text.startsWith("RESULT ")).map((l) => JSON.parse(l.text.slice(7)));
}

/** The line the training contract prints when an interrupt stopped `what` (lib/training.ts reportStop). */
function stopLine(what: string, s: Stopped): string {
  return `${what}: interrupted during epoch ${s.epoch} of ${s.epochs}, after mini-batch ${s.step} of ` +
    `${s.steps}; the parameters trained so far are kept.`;
}

/** Everything the child said, for failure messages. */
function transcript(run: Run): string {
  return `exit ${run.code}\nstdout:\n${run.lines.map((l) => l.text).join("\n")}\nstderr:\n${
    run.stderr.slice(-3000)
  }`;
}

/**
 * The checks every interrupted run shares: exit 0 within STOP_MS of the signal, the function's line
 * matching `stopped`, then the RESULT line (the script went on); returns the RESULT and the stop times.
 */
function checkInterrupted(run: Run, what: string) {
  assert.ok(run.signalAt !== null, `never saw TRAINING, so no signal was sent:\n${transcript(run)}`);
  const exitMs = run.exitAt - run.signalAt;
  assert.equal(run.code, 0, `the process should exit normally after the interrupt:\n${transcript(run)}`);
  assert.ok(
    exitMs < STOP_MS,
    `exit ${exitMs.toFixed(0)} ms after SIGINT (limit ${STOP_MS}):\n${transcript(run)}`,
  );
  const [result] = results(run);
  assert.ok(result, `no RESULT line: the script did not go on after the training:\n${transcript(run)}`);
  const stopped = result.stopped as Stopped | null;
  assert.ok(stopped, `stopped is null: the training ran to its end or ignored SIGINT:\n${transcript(run)}`);
  const line = run.lines.findIndex((l) => l.text === stopLine(what, stopped));
  assert.ok(line >= 0, `no line "${stopLine(what, stopped)}":\n${transcript(run)}`);
  const resultLine = run.lines.findIndex((l) => l.text.startsWith("RESULT "));
  assert.ok(line < resultLine, "the interrupted line comes from the training, before the code after it");
  const stopMs = run.lines[line].at - run.signalAt;
  return { result, stopped, stopMs, exitMs };
}

/** Where the stop is consistent with the history: one entry per epoch begun, the mini-batches done. */
function checkHistory(result: Record<string, unknown>, stopped: Stopped): void {
  const epochs = result.epochs as number, steps = result.steps as number;
  assert.equal(stopped.epochs, epochs);
  assert.equal(stopped.steps, steps);
  assert.ok(stopped.epoch >= 2 && stopped.epoch < epochs, `stopped in epoch ${stopped.epoch} of ${epochs}`);
  assert.ok(
    stopped.step >= 1 && stopped.step <= steps,
    `stopped after mini-batch ${stopped.step} of ${steps}`,
  );
  for (const [list, n] of Object.entries(result.lengths as Record<string, number>)) {
    assert.equal(n, stopped.epoch, `history.${list} has ${n} entries, stopped in epoch ${stopped.epoch}`);
  }
  assert.equal(
    result.batchLoss,
    (stopped.epoch - 1) * steps + stopped.step,
    "one batchLoss per mini-batch done",
  );
  assert.equal(result.finite, true, "the kept parameters are finite");
  assert.equal(result.changed, true, "the kept parameters are the trained ones, not the initial ones");
  assert.equal(typeof result.after, "number", "the trained parameters were used after the training");
}

/** Runs one function under SIGINT and checks the shared part; returns the result for specific checks. */
async function interruptTest(mode: string, what: string, delayMs = 0) {
  const run = await runFixture(mode, true, delayMs);
  const checked = checkInterrupted(run, what);
  // The measured latencies, for the record of a test run.
  console.log(
    `${mode}: "interrupted" line ${checked.stopMs.toFixed(0)} ms, exit ${
      checked.exitMs.toFixed(0)
    } ms after SIGINT`,
  );
  return { ...checked, lines: run.lines.map((l) => l.text) };
}

Deno.test("interrupt: Network.SGD stops at the next mini-batch, keeps its weights, the script goes on", async () => {
  const { result, stopped } = await interruptTest("sgd", "SGD");
  checkHistory(result, stopped);
});

Deno.test("interrupt: trainTf stops, returns the weights trained so far, no tensor left behind", async () => {
  const { result, stopped } = await interruptTest("trainTf", "trainTf");
  checkHistory(result, stopped);
  assert.equal(result.tensorsAfter, result.tensorsBefore, "tensors left behind by the interrupted trainTf");
});

Deno.test("interrupt: trainModel stops a convolutional network, keeps its weights, no tensor left behind", async () => {
  const { result, stopped } = await interruptTest("trainModel", "trainModel");
  checkHistory(result, stopped);
  assert.equal(
    result.tensorsAfter,
    result.tensorsBefore,
    "tensors left behind by the interrupted trainModel",
  );
});

Deno.test("interrupt: successiveHalving stops with the candidate in training and returns the best so far", async () => {
  // The marker comes after the first candidate: wait a little so the second is well into its training.
  const { result, stopped, stopMs, lines } = await interruptTest("halving", "trainTf", 300);
  const run = result as {
    rungEpochs: number[];
    trials: { name: string; rung: number; epochs: number }[];
    epochsSpent: number;
    best: string;
    finite: boolean;
    tensorsBefore: number;
    tensorsAfter: number;
    after: number;
  };
  assert.equal(stopped.epochs, run.rungEpochs[0]);
  assert.ok(
    stopped.epoch < stopped.epochs || stopped.step < stopped.steps,
    `stopped at the very end: ${JSON.stringify(stopped)}`,
  );
  // The first candidate finished its rung; the second is the one interrupted, with its epochs begun.
  assert.deepEqual(run.trials.map((t) => [t.rung, t.epochs]), [[0, run.rungEpochs[0]], [0, stopped.epoch]]);
  assert.equal(run.epochsSpent, run.rungEpochs[0] + stopped.epoch);
  assert.ok(run.trials.some((t) => t.name === run.best), `best ${run.best} is one of the trials`);
  const said = `successiveHalving: interrupted after 2 trainings; the best so far is ${run.best}`;
  assert.ok(lines.includes(said), `no line "${said}" in\n${lines.join("\n")}`);
  assert.equal(run.finite, true, "every trial's weights are finite");
  assert.equal(run.tensorsAfter, run.tensorsBefore, "tensors left behind by the interrupted search");
  assert.ok(run.after > 0 && run.after <= 1, `validation accuracy of the best: ${run.after}`);
  assert.ok(stopMs < STOP_MS);
});

Deno.test("interrupt: without a signal every training runs to its end with stopped === null", async () => {
  const run = await runFixture("complete", false);
  assert.equal(run.code, 0, transcript(run));
  assert.ok(!run.lines.some((l) => l.text.includes("interrupted")), transcript(run));
  const all = results(run);
  assert.deepEqual(all.map((r) => r.fn), ["sgd", "trainTf", "trainModel", "halving"], transcript(run));
  for (const r of all) {
    assert.equal(r.stopped, null, `${r.fn}: stopped ${JSON.stringify(r.stopped)} without a signal`);
    if (r.fn === "halving") {
      const trials = r.trials as { epochs: number }[];
      assert.equal(trials.length, 3 + 2, "every candidate of both rungs trained");
      assert.equal(r.epochsSpent, 3 * 2 + 2 * 2);
      continue;
    }
    for (const n of Object.values(r.lengths as Record<string, number>)) {
      assert.equal(n, r.epochs, r.fn as string);
    }
    assert.equal(r.batchLoss, (r.epochs as number) * (r.steps as number), r.fn as string);
    assert.equal(r.finite, true, r.fn as string);
    assert.equal(r.changed, true, r.fn as string);
    if ("tensorsBefore" in r) assert.equal(r.tensorsAfter, r.tensorsBefore, `${r.fn}: tensors left behind`);
  }
});

Deno.test("interrupt: one interrupt stops one training: the next one, started at once, runs to its end", async () => {
  // Run All: the cell after an interrupted training starts the next training within milliseconds. The
  // interrupt was answered (the first training stopped), so it must not stop the second one as well.
  const run = await runFixture("next", true);
  const [first, second] = results(run);
  assert.ok(first?.stopped, `the first training should have been interrupted:\n${transcript(run)}`);
  assert.ok(second, `no RESULT of the second training:\n${transcript(run)}`);
  assert.equal(
    JSON.stringify(second.stopped),
    "null",
    `the second training was stopped by the interrupt the first one had already answered:\n${
      transcript(run)
    }`,
  );
  assert.equal((second.lengths as Record<string, number>).loss, 3);
});
