/**
 * Seeded randomness, so that every run of the course gives the same numbers.
 *
 * One small generator (mulberry32) is enough for teaching: it is fast, has a 32-bit state
 * and is easy to read. It is not for cryptography.
 */

/** A random number generator: each call returns a float in [0, 1). */
export type Rng = () => number;

/** A seeded generator of uniform floats in [0, 1) (mulberry32). Same seed, same sequence. */
export function rng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new Error(`rng: the seed must be an integer, got ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample N(0, 1) from two uniforms (Box-Muller). */
export function randn(random: Rng): number {
  // 1 - u lies in (0, 1], so the logarithm is always finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Shuffles an array in place (Fisher-Yates) and returns it. */
export function shuffle<T>(items: T[], random: Rng): T[] {
  if (!Array.isArray(items)) throw new Error(`shuffle: expected an array, got ${items}`);
  if (typeof random !== "function") {
    throw new Error(`shuffle: expected a generator from rng(seed), got ${random}`);
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
