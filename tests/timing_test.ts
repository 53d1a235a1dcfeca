/** lib/timing.ts: one untimed warm-up run, then the median of the timed runs (read off a fake clock). */
import { assert } from "./assert.ts";
import { medianMs } from "../lib/timing.ts";

/** A clock that a run moves forward by the next of `durations` (the warm-up run's included). */
function fakeRuns(durations: number[]) {
  let t = 0, k = 0;
  return { now: () => t, run: () => void (t += durations[k++]), count: () => k };
}

Deno.test("medianMs: the warm-up run is not counted; the median ignores one slow run", async () => {
  const odd = fakeRuns([1000, 5, 90, 7]);
  assert.equal(await medianMs(odd.run, { repeats: 3, now: odd.now }), 7);
  assert.equal(odd.count(), 4);
  const even = fakeRuns([1000, 4, 10, 6, 8]);
  assert.equal(await medianMs(even.run, { repeats: 4, now: even.now }), 7);
});

Deno.test("medianMs: waits for an async run, and refuses a bad repeat count", async () => {
  const ms = await medianMs(() => new Promise((resolve) => setTimeout(resolve, 20)), { repeats: 1 });
  assert.ok(ms >= 15, `an awaited 20 ms run timed as ${ms} ms`);
  await assert.rejects(() => medianMs(() => {}, { repeats: 0 }), /repeats must be a whole number/);
});
