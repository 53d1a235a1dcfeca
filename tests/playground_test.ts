/**
 * Tests of lib/playground.ts: it learns (XOR, circles, the spiral, seeded), a deep sigmoid network stays
 * behind a deep ReLU one, runs are reproducible, the live view updates ONE output at most ~10 times a second
 * (an injected clock and display), the replay carries one slider step per frame, a diverging run shows its
 * frames and throws the training contract's error, Kernel > Interrupt (SIGINT to a child process) stops it
 * keeping the network, bad arguments name themselves, and no tfjs (so no tensor) is anywhere in its imports.
 */
import { assert } from "./assert.ts";
import {
  frameEpochs,
  playground,
  PLAYGROUND_MIME,
  type PlaygroundDisplay,
  type PlaygroundOptions,
  type PlaygroundRun,
} from "../lib/playground.ts";
import { PLAYGROUND_GRID_N } from "../lib/playground_view.ts";
import { boundariesFigure, deadNeurons, neuronBoundaries } from "../lib/playground_planes.ts";
import { dataset2d } from "../lib/datasets2d.ts";
import { setLanguage } from "../lib/language.ts";
import { ROOT } from "../tools/paths.ts";

/** A quiet run (no figure, no line printed), with the given options. */
function quiet(options: Omit<PlaygroundOptions, "show">): Promise<PlaygroundRun> {
  return playground({ ...options, show: false });
}

/** A display that records every call: its bundle, options, and the time by `clock`. */
function recorder(clock: () => number = () => performance.now()) {
  const calls: { bundle: Record<string, unknown>; options: Parameters<PlaygroundDisplay>[1]; at: number }[] =
    [];
  const display: PlaygroundDisplay = (bundle, options) => {
    calls.push({ bundle, options, at: clock() });
    return Promise.resolve();
  };
  return { calls, display };
}

/** Console output silenced while `f` runs (the summary line a shown run prints). */
async function silenced<T>(f: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await f();
  } finally {
    console.log = log;
  }
}

Deno.test("playground: >= 95% training accuracy on XOR and on the circles, seeded", async () => {
  const xor = await quiet({
    data: "xor",
    depth: 1,
    width: 4,
    hidden: "tanh",
    eta: 0.1,
    epochs: 100,
    seed: 1,
  });
  const circles = await quiet({ data: "circles", depth: 1, width: 8, eta: 0.1, epochs: 150, seed: 1 });
  console.log(`XOR ${xor.summary}\ncircles ${circles.summary}`);
  assert.ok(xor.trainAccuracy >= 0.95, xor.summary);
  assert.ok(circles.trainAccuracy >= 0.95, circles.summary);
  // What it learned holds for the held-out points too.
  assert.ok(xor.testAccuracy >= 0.9 && circles.testAccuracy >= 0.9, `${xor.summary}\n${circles.summary}`);
  assert.deepEqual(xor.sizes, [2, 4, 2]);
  assert.equal(xor.history.loss.length, 100);
});

Deno.test("playground: >= 90% on the spiral with a deep ReLU network; a 6-layer sigmoid one stays far behind", async () => {
  const deep = await quiet({ data: "spiral", depth: 3, width: 16, eta: 0.1, epochs: 200, seed: 1 });
  console.log(deep.summary);
  assert.ok(deep.trainAccuracy >= 0.9, deep.summary);
  const six = (hidden: "sigmoid" | "relu") =>
    quiet({ data: "spiral", depth: 6, width: 12, hidden, eta: 0.05, epochs: 200, seed: 1 });
  const sigmoid = await six("sigmoid"), relu = await six("relu");
  console.log(`${sigmoid.summary}\n${relu.summary}`);
  assert.ok(relu.trainAccuracy - sigmoid.trainAccuracy >= 0.25, `${sigmoid.summary}\n${relu.summary}`);
  assert.ok(sigmoid.trainAccuracy < 0.7, sigmoid.summary);
});

Deno.test("playground: the same options give the same network, frames and accuracies", async () => {
  const options = { data: "gaussians", depth: 2, width: 3, eta: 0.1, epochs: 20, seed: 4 } as const;
  const a = await quiet(options), b = await quiet(options);
  assert.deepEqual(a.frames, b.frames);
  assert.deepEqual(Array.from(a.net.W[0].data), Array.from(b.net.W[0].data));
  assert.equal(a.trainAccuracy, b.trainAccuracy);
  const c = await quiet({ ...options, seed: 5 });
  assert.notDeepEqual(Array.from(a.net.W[0].data), Array.from(c.net.W[0].data));
});

Deno.test("playground: frames at evenly spaced epochs, the first before training, each with the output over the grid", async () => {
  assert.deepEqual(frameEpochs(100, 5), [0, 25, 50, 75, 100]);
  assert.deepEqual(frameEpochs(3, 21), [0, 1, 2, 3]);
  const run = await quiet({ data: "xor", depth: 1, width: 3, eta: 0.1, epochs: 40, frames: 5, seed: 1 });
  assert.deepEqual(run.frames.map((f) => f.epoch), [0, 10, 20, 30, 40]);
  for (const f of run.frames) {
    assert.equal(f.z.length, PLAYGROUND_GRID_N);
    assert.ok(f.z.every((row) => row.length === PLAYGROUND_GRID_N && row.every((p) => p! >= 0 && p! <= 100)));
    assert.equal(f.trainLoss.length, f.epoch + 1, "losses from epoch 0 to the frame's");
    assert.equal(f.weights?.length, 2, "a small network's weights are kept for its drawing");
  }
  assert.equal(run.frames.at(-1)!.trainAccuracy, run.trainAccuracy);
  // A network too large to draw keeps no weights in its frames.
  const wide = await quiet({ data: "xor", depth: 2, width: 20, eta: 0.1, epochs: 2, seed: 1 });
  assert.equal(wide.frames[0].weights, undefined);
});

Deno.test("playground: a fast run redraws its one output no more than ~10 times a second (injected clock)", async () => {
  // A clock that moves 1 ms each time it is read: training "takes" one ms per look, far faster than redraws.
  let t = 0;
  const clock = () => (t += 1);
  const { calls, display } = recorder(clock);
  const run = await silenced(() =>
    playground({ data: "xor", depth: 1, width: 4, eta: 0.1, epochs: 60, seed: 1, display, now: clock })
  );
  const elapsed = t; // virtual ms from the first look to the last
  const live = calls.slice(0, -1);
  assert.equal(run.updates, live.length - 1, "the first drawing is not an update");
  assert.ok(run.updates >= 3, `${run.updates} updates in ${elapsed} virtual ms`);
  assert.ok(
    run.updates <= Math.ceil(elapsed / 100),
    `${run.updates} updates in ${elapsed} ms: more than 10 a second`,
  );
  // Consecutive redraws at least minInterval (200 ms) apart on that clock.
  for (let k = 1; k < live.length; k++) assert.ok(live[k].at - live[k - 1].at >= 200, `redraw ${k}`);
  // One output: the same display id throughout, a new output first, then updates in place; the final one waits.
  const ids = new Set(calls.map((c) => c.options.display_id));
  assert.equal(ids.size, 1);
  assert.deepEqual(calls.map((c) => c.options.update), [false, ...calls.slice(1).map(() => true)]);
  assert.deepEqual(calls.map((c) => c.options.settle), [...live.map(() => false), true]);
});

Deno.test("playground: with the real clock the live view stays under ~10 redraws a second", async () => {
  const { calls, display } = recorder();
  const run = await silenced(() =>
    playground({ data: "spiral", depth: 2, width: 8, eta: 0.05, epochs: 400, seed: 1, display })
  );
  const live = calls.slice(0, -1);
  const seconds = (live.at(-1)!.at - live[0].at) / 1000;
  console.log(`${run.updates} live redraws in ${seconds.toFixed(2)} s of training`);
  assert.ok(run.updates <= 10 * seconds + 1, `${run.updates} redraws in ${seconds} s`);
  // A redraw is decided by the throttle's clock and sent right after: no two within 100 ms.
  for (let k = 1; k < live.length; k++) {
    assert.ok(
      live[k].at - live[k - 1].at >= 100,
      `redraws ${k - 1} and ${k}: ${live[k].at - live[k - 1].at} ms`,
    );
  }
});

Deno.test("playground: the final output is the replay: one slider step per frame, a play button, the run's numbers", async () => {
  const { calls, display } = recorder();
  const run = await silenced(() =>
    playground({ data: "circles", depth: 1, width: 5, eta: 0.1, epochs: 30, frames: 7, seed: 2, display })
  );
  const first = calls[0].bundle, final = calls.at(-1)!.bundle;
  const fig = final["application/vnd.plotly.v1+json"] as {
    data: { type: string }[];
    layout: {
      sliders: { steps: { label: string; method: string; args: unknown[] }[] }[];
      title: { text: string };
    };
  };
  const steps = fig.layout.sliders[0].steps;
  assert.equal(steps.length, run.frames.length);
  assert.deepEqual(steps.map((s) => s.label), run.frames.map((f) => String(f.epoch)));
  assert.ok(steps.every((s) => s.method === "update"));
  // Each step restyles the plane's output, the two losses and the 10 weight-line traces (small network).
  const [data, , indices] = steps[0].args as [{ z: unknown[] }, unknown, number[]];
  assert.deepEqual(indices, [0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(data.z[0], run.frames[0].z);
  assert.equal(fig.data[0].type, "heatmap");
  assert.match(fig.layout.title.text, /recorded · epoch 30 of 30/);
  const html = final["text/html"] as string;
  assert.match(html, /class="course-play"/);
  assert.match(html, /Plotly\.update/);
  // plotly.js rides along in the replay whenever it rode in the first drawing (the first plot of a kernel).
  assert.equal(
    html.includes('typeof window.Plotly === "undefined") {\n'),
    (first["text/html"] as string).startsWith("<script"),
  );
  const record = final[PLAYGROUND_MIME] as Record<string, unknown>;
  assert.equal(record.trainAccuracy, run.trainAccuracy);
  assert.equal(record.frames, 7);
  assert.equal(record.diverged, false);
  assert.equal(record.stopped, null);
  assert.match(final["text/plain"] as string, /^\[plot\] playground: circles, network 2-5-2 relu/);
});

Deno.test("playground: a learning rate far too large shows its frames, then throws the divergence error", async () => {
  const { calls, display } = recorder();
  await assert.rejects(
    () =>
      silenced(() =>
        playground({ data: "spiral", depth: 3, width: 16, eta: 300, epochs: 50, seed: 1, display })
      ),
    /SGD diverged: .* \(eta = 300\)\..* try eta = 30\./,
  );
  const final = calls.at(-1)!;
  assert.equal(final.options.settle, true, "the replay was shown before the error");
  const record = final.bundle[PLAYGROUND_MIME] as Record<string, unknown>;
  assert.equal(record.diverged, true);
  assert.ok((record.epochsDone as number) < 50);
});

Deno.test("playground: bad arguments get an error naming the argument", async () => {
  const ok = { data: "xor", depth: 1, width: 2, eta: 0.1, epochs: 1 } as const;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ data: "moons" }, /playground \(data\): unknown data set "moons": expected one of "xor", "circles"/],
    [{ depth: 0 }, /playground: depth \(the number of hidden layers\) must be a whole number >= 1, got 0/],
    [{ width: 0 }, /playground: width \(the neurons per hidden layer\) must be a whole number >= 1, got 0/],
    [{ eta: 0 }, /playground: the learning rate eta must be a positive finite number, got 0/],
    [{ eta: -1 }, /the learning rate eta must be a positive finite number, got -1/],
    [{ epochs: 2.5 }, /playground: epochs must be a whole number >= 1, got 2.5/],
    [{ hidden: "gelu" }, /playground: hidden must be one of "sigmoid", "relu", "tanh", got gelu/],
    [{ batchSize: 0 }, /playground: batchSize must be a whole number >= 1/],
    [{ noise: -1 }, /dataset2d: noise must be a number with 0 <= noise <= 1, got -1/],
    [{ lr: 0.1 }, /playground: unknown option "lr"/],
    [{ frames: 1 }, /playground: frames must be a whole number >= 2/],
    [{ data: dataset2d("xor"), noise: 0.1 }, /playground: noise and points make a named data set/],
  ];
  for (const [change, message] of cases) {
    await assert.rejects(() => playground({ ...ok, ...change, show: false } as PlaygroundOptions), message);
  }
  await assert.rejects(
    () => playground(undefined as unknown as PlaygroundOptions),
    /playground: expected options/,
  );
});

Deno.test("playground: the comparison figures and the dead-neuron count", async () => {
  const runs = [
    await quiet({ data: "circles", depth: 1, width: 1, eta: 0.1, epochs: 5, seed: 1 }),
    await quiet({ data: "circles", depth: 1, width: 3, eta: 0.1, epochs: 5, seed: 1 }),
  ];
  const panels = boundariesFigure(runs, "two widths");
  assert.equal(panels.data.filter((t) => t.type === "heatmap").length, 2);
  const neurons = neuronBoundaries(runs[1]);
  assert.equal(
    neurons.data.filter((t) => t.type === "heatmap").length,
    3,
    "one panel per first-layer neuron",
  );
  // η far too large for ReLU: the last hidden layer dies (outputs 0 for every point) and training is stuck.
  const stuck = await quiet({ data: "spiral", depth: 3, width: 16, eta: 1, epochs: 50, seed: 1 });
  const dead = deadNeurons(stuck.net, stuck.data.train.X);
  assert.equal(dead.length, 3);
  assert.equal(dead[2], 16, `dead neurons per layer: ${dead}`);
  assert.ok(stuck.trainAccuracy < 0.6, stuck.summary);
});

Deno.test("playground: no tfjs anywhere in its imports, so no tensor can be left behind", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "lib/playground.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: { specifier: string }[] };
  const specifiers = info.modules.map((m) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("/lib/network.ts")), "the from-scratch network is imported");
  assert.deepEqual(specifiers.filter((s) => /tensorflow|tfjs/i.test(s)), []);
});

Deno.test("playground: Kernel > Interrupt (SIGINT) stops it at the next mini-batch, keeping the network", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/playground_interrupt.ts", import.meta.url).pathname],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const lines: string[] = [];
  let signalAt = 0, rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (line === "TRAINING" && signalAt === 0) {
        signalAt = performance.now();
        child.kill("SIGINT");
      }
    }
  }
  if (rest) lines.push(rest);
  const status = await child.status;
  const exitMs = performance.now() - signalAt;
  clearTimeout(killer);
  const stderr = await new Response(child.stderr).text();
  const transcript = `exit ${status.code}\n${lines.join("\n")}\n${stderr.slice(-2000)}`;
  assert.ok(signalAt > 0, `never saw TRAINING:\n${transcript}`);
  assert.equal(status.code, 0, transcript);
  assert.ok(exitMs < 1000, `exit ${exitMs.toFixed(0)} ms after SIGINT:\n${transcript}`);
  const result = JSON.parse(lines.find((l) => l.startsWith("RESULT "))!.slice(7));
  const stopped = result.stopped as { epoch: number; epochs: number };
  assert.ok(stopped && stopped.epochs === 100_000 && stopped.epoch < 100_000, transcript);
  assert.ok(
    lines.some((l) => l.startsWith(`SGD: interrupted during epoch ${stopped.epoch} of 100000`)),
    transcript,
  );
  assert.equal(result.lossEntries, stopped.epoch);
  assert.equal(result.lastFrameEpoch, stopped.epoch, "the last frame shows where it stopped");
  assert.equal(result.finite, true);
  assert.ok(result.after > 0 && result.after <= 1, "the trained network is used after the interrupt");
  // The live output was replaced by the replay, which says it was interrupted.
  assert.equal(result.last.settle, true);
  assert.equal(result.last.sliders, result.frames);
  assert.deepEqual(result.last.record.stopped, result.stopped);
  console.log(`playground: exit ${exitMs.toFixed(0)} ms after SIGINT, stopped in epoch ${stopped.epoch}`);
});

Deno.test("playground: the summary line, the text form and the epoch slider follow the language; numbers stay", async () => {
  const shown = async () => {
    const { calls, display } = recorder();
    const options = {
      data: "xor",
      depth: 1,
      width: 3,
      eta: 0.1,
      epochs: 3,
      frames: 2,
      seed: 1,
      display,
    } as const;
    const run = await silenced(() => playground(options));
    const final = calls.at(-1)!.bundle;
    const fig = final["application/vnd.plotly.v1+json"] as {
      layout: { sliders: { currentvalue: { prefix: string } }[] };
    };
    return { run, plain: final["text/plain"] as string, prefix: fig.layout.sliders[0].currentvalue.prefix };
  };
  const en = await shown();
  const percent = (a: number) => `${(100 * a).toFixed(1)}%`;
  const accuracies = `${percent(en.run.trainAccuracy)}, held-out accuracy ${percent(en.run.testAccuracy)}`;
  assert.equal(en.run.summary, `xor, network 2-3-2 relu, η = 0.1, 3 epochs: training accuracy ${accuracies}`);
  assert.equal(en.plain, `[plot] playground: ${en.run.summary}`);
  assert.equal(en.prefix, "epoch ");
  setLanguage("zh");
  try {
    const zh = await shown();
    assert.equal(
      zh.run.summary,
      `XOR，网络 2-3-2 relu，η = 0.1，训练 3 轮：训练准确率 ${percent(en.run.trainAccuracy)}，` +
        `留出准确率 ${percent(en.run.testAccuracy)}`,
    );
    assert.equal(zh.plain, `[图] 游乐场：${zh.run.summary}`);
    assert.equal(zh.prefix, "轮次 ");
  } finally {
    setLanguage("en");
  }
});
