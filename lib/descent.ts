/**
 * Gradient descent on a loss of two parameters, from scratch: the lecture's step 3 on a surface small
 * enough to draw. Start somewhere, then repeat w <- w - eta dL/dw; with two parameters the whole loss fits
 * in one picture, so the path, and what the learning rate does to it, can be seen (lib/widgets.ts draws
 * it). No tfjs here.
 */

/**
 * A long narrow valley, L = (w1 - 1)^2 / 2 + 5 (w2 + 0.5)^2 (minimum 0 at (1, -0.5)): ten times steeper
 * across than along, so one learning rate is too slow along it and too large across it.
 */
export function valleyLoss([w1, w2]: [number, number]): number {
  return 0.5 * (w1 - 1) ** 2 + 5 * (w2 + 0.5) ** 2;
}

/** The gradient of `valleyLoss`, worked out by hand, so that the valley's paths need no approximation. */
export function valleyGrad([w1, w2]: [number, number]): [number, number] {
  return [w1 - 1, 10 * (w2 + 0.5)];
}

/**
 * The points gradient descent visits from `start`: w <- w - eta * grad L(w), `steps` times. It stops early
 * once w blows up, so that too large a rate still leaves a path that can be drawn.
 */
export function descentPath(
  grad: (w: [number, number]) => [number, number],
  start: [number, number],
  eta: number,
  steps: number,
): [number, number][] {
  const path: [number, number][] = [start];
  let w = start;
  for (let t = 0; t < steps; t++) {
    const g = grad(w);
    w = [w[0] - eta * g[0], w[1] - eta * g[1]];
    if (!w.every(Number.isFinite) || Math.abs(w[0]) + Math.abs(w[1]) > 1e6) break; // diverged
    path.push(w);
  }
  return path;
}

/**
 * The gradient of a loss given without one, by central differences: dL/dw_i ~ (L(w + h e_i) -
 * L(w - h e_i)) / 2h, whose error shrinks with h^2.
 */
export function numericGrad(
  loss: (w: [number, number]) => number,
): (w: [number, number]) => [number, number] {
  const h = 1e-5;
  return ([a, b]) => [
    (loss([a + h, b]) - loss([a - h, b])) / (2 * h),
    (loss([a, b + h]) - loss([a, b - h])) / (2 * h),
  ];
}
