/** Tests of lib/progress.ts: the three output modes (captured through injected sinks) and the time estimate. */
import { assert, assertClose } from "./assert.ts";
import { formatSeconds, Progress, remainingSeconds, trainingProgress } from "../lib/progress.ts";

/** A clock the test moves by hand (milliseconds). */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

Deno.test("remaining time: elapsed / step * (total - step)", () => {
  // 10 s for 25 of 100 steps: 0.4 s per step, 75 steps left -> 30 s.
  assertClose(remainingSeconds(10, 25, 100)!, 30, 1e-12);
  assertClose(remainingSeconds(3, 100, 100)!, 0, 1e-12);
  assert.equal(remainingSeconds(5, 0, 100), undefined, "no estimate before the first step");
});

Deno.test("formatSeconds: seconds, minutes, hours", () => {
  assert.equal(formatSeconds(4.24), "4.2s");
  assert.equal(formatSeconds(185), "3m 05s");
  assert.equal(formatSeconds(3725), "1h 02m");
  assert.equal(formatSeconds(NaN), "?");
});

Deno.test("Progress: elapsed and remaining follow the clock", async () => {
  const clock = fakeClock();
  const p = new Progress(8, { mode: "log", write: () => {}, now: clock.now });
  clock.advance(2000);
  await p.update(2);
  assertClose(p.elapsed, 2, 1e-12);
  assertClose(p.remaining!, 6, 1e-12); // 1 s per step, 6 steps left
  assert.match(p.text(), /2\/8 25% \| 2\.0s elapsed, ~6\.0s left$/);
});

Deno.test("Progress terminal mode: one line redrawn with \\r, rate-limited, final line ends with a newline", async () => {
  const clock = fakeClock();
  const out: string[] = [];
  const p = new Progress(100, {
    label: "epoch 1",
    mode: "terminal",
    write: (t) => out.push(t),
    now: clock.now,
  });
  for (let step = 1; step <= 100; step++) {
    clock.advance(10); // 10 ms per step: at most one redraw per 100 ms
    await p.update(step, { loss: 2.5 / step, accuracy: step / 100 });
  }
  await p.done();
  assert.ok(out.length >= 10 && out.length <= 13, `about one redraw per 100 ms, got ${out.length}`);
  assert.ok(out.every((s) => s.startsWith("\r")), "each redraw returns to the line start");
  assert.ok(out.slice(0, -1).every((s) => !s.includes("\n")), "one line until the end");
  const last = out[out.length - 1];
  assert.ok(last.endsWith("\n"));
  assert.match(
    last,
    /^\repoch 1 \[#{20}\] 100\/100 100% \| loss 0\.025 \| accuracy 100\.0% \| done in 1\.0s/,
  );
  // After 10 ms for 1 step, 99 steps to go: ~0.99 s left.
  assert.match(out[0], /\[-{20}\] 1\/100 1% \| loss 2\.5 \| accuracy 1\.0% \| 0\.0s elapsed, ~1\.0s left/);
});

Deno.test("Progress terminal mode: a shorter line is padded over the longer one before it", async () => {
  const clock = fakeClock();
  const out: string[] = [];
  const p = new Progress(2, { mode: "terminal", write: (t) => out.push(t), now: clock.now, minInterval: 0 });
  await p.update(1, { loss: 123.456 });
  await p.update(2, { loss: 1 });
  assert.ok(out[1].length >= out[0].length, "the second line covers the first");
});

Deno.test("Progress log mode: plain lines at 0%, 25%, 50%, 75% and 100%", async () => {
  const clock = fakeClock();
  const out: string[] = [];
  const p = new Progress(40, { mode: "log", write: (t) => out.push(t), now: clock.now });
  await p.update(0);
  for (let step = 1; step <= 40; step++) {
    clock.advance(50);
    await p.update(step, { loss: 1 / step });
  }
  await p.done();
  assert.equal(out.length, 5);
  assert.ok(out.every((line) => line.endsWith("\n") && !line.includes("\r")));
  assert.deepEqual(out.map((line) => /(\d+)\/40 (\d+)%/.exec(line)![2]), ["0", "25", "50", "75", "100"]);
  assert.match(out[4], /done in 2\.0s/);
});

Deno.test("Progress log mode: stopped early, done() writes where it got to", async () => {
  const out: string[] = [];
  const p = new Progress(10, { mode: "log", write: (t) => out.push(t), now: fakeClock().now });
  await p.update(3);
  await p.done();
  assert.equal(out.length, 3); // 0%, 25%, then the final line
  assert.match(out[2], /3\/10 30% \| done in/);
});

Deno.test("Progress notebook mode: one output (display_id) updated in place, HTML bar + text", async () => {
  const clock = fakeClock();
  const calls: { bundle: Record<string, unknown>; options: Record<string, unknown> }[] = [];
  const p = new Progress(50, {
    mode: "notebook",
    now: clock.now,
    display: (bundle, options) => {
      calls.push({ bundle, options: { ...options } });
      return Promise.resolve();
    },
  });
  for (let step = 1; step <= 50; step++) {
    clock.advance(20);
    await p.update(step, { accuracy: 0.5 });
  }
  await p.done();
  const ids = new Set(calls.map((c) => c.options.display_id));
  assert.equal(ids.size, 1, "always the same output");
  assert.equal(calls[0].options.update, false, "first display creates it");
  assert.ok(calls.slice(1).every((c) => c.options.update === true), "later ones update it");
  assert.ok(calls.length <= 13, `rate-limited to one per 100 ms, got ${calls.length}`);
  const last = calls[calls.length - 1];
  assert.equal(last.options.settle, true, "the final state waits to reach the front end");
  assert.ok(calls.slice(0, -1).every((c) => c.options.settle === false));
  const html = last.bundle["text/html"] as string;
  assert.match(html, /width:100\.0%/, "the bar is full");
  assert.match(html, /50\/50 \(100%\)/);
  assert.match(last.bundle["text/plain"] as string, /50\/50 100% \| accuracy 50\.0% \| done in 1\.0s/);
  // Drawn at steps 1, 6, 11, ... (20 ms per step, one draw per 100 ms): step 21 is 42% of 50.
  const mid = calls.find((c) => /width:42\.0%/.test(c.bundle["text/html"] as string));
  assert.ok(mid, "a partly filled bar on the way");
  assert.match(mid.bundle["text/plain"] as string, /21\/50 42%/);
});

Deno.test("Progress: bad input is refused", async () => {
  assert.throws(() => new Progress(0), /positive whole number of steps, got 0/);
  assert.throws(() => new Progress(2.5), /got 2.5/);
  const p = new Progress(5, { mode: "log", write: () => {} });
  await assert.rejects(() => p.update(6), /between 0 and 5, got 6/);
  await p.done();
  await assert.rejects(() => p.update(1), /after done/);
});

Deno.test("trainingProgress: one call wires a training loop to the bar; the numbers are named on it", async () => {
  const { Network } = await import("../lib/network.ts");
  const { Matrix } = await import("../lib/matrix.ts");
  const lines: string[] = [];
  const bar = trainingProgress("blobs", {
    mode: "terminal",
    write: (t) => void lines.push(t),
    minInterval: 0,
  });
  const X = Matrix.from([[0, 1, 0, 1, 0.1, 0.9], [0, 0, 1, 1, 0.1, 0.9]]);
  const labels = [0, 1, 1, 0, 0, 0];
  const run = await Network.random([2, 4, 2], { seed: 1 }).SGD(X, labels, {
    epochs: 3,
    batchSize: 2,
    eta: 0.5,
    ...bar,
  });
  await bar.done();
  const last = lines.join("").split("\r").filter((l) => l.trim() !== "").at(-1)!;
  assert.match(last, /blobs \[#{20}\] 9\/9 100%/); // 3 epochs x 3 mini-batches
  // After the last epoch: that epoch's mean C and (no test set) the training accuracy, as SGD reported them.
  assert.match(last, new RegExp(`epoch's mean C ${run.loss[2].toPrecision(4)}`));
  assert.match(last, new RegExp(`training accuracy ${(100 * run.accuracy[2]).toFixed(1)}%`));
});
