/**
 * Timing a computation, fairly: run it once untimed (a first run compiles code and fills caches, and tfjs
 * builds its kernels then), then take the median of a few timed runs, which one slow run (the machine
 * busy with something else) does not move. Times depend on the machine; compare them with each other.
 */

/** The median time in ms of `repeats` runs of `run` (awaited), after one untimed warm-up run. */
export async function medianMs(
  run: () => unknown,
  options: { repeats?: number; now?: () => number } = {},
): Promise<number> {
  const { repeats = 3, now = () => performance.now() } = options;
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new Error(`medianMs: repeats must be a whole number >= 1, got ${repeats}`);
  }
  await run();
  const times: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = now();
    await run();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(repeats / 2);
  return repeats % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}
