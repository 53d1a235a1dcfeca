/**
 * Notebook 02 (goodness of a function, step 2): the key results on the executed notebook.
 * Cross-entropy by hand, by the lib and by tfjs agree; C falls towards the label and grows away from it;
 * the better function has the lower total loss L and the higher accuracy.
 */
import { assert } from "./assert.ts";
import { errorOutputs, executedNotebook, numbersAfter, outputsText, outputsWithMime } from "./notebooks.ts";

const PLOTLY = "application/vnd.plotly.v1+json";

Deno.test("02: runs without error outputs, with plots", async () => {
  const nb = await executedNotebook("02");
  assert.deepEqual(errorOutputs(nb), []);
  assert.ok(outputsWithMime(nb, PLOTLY).length >= 4, "expected at least 4 plotly figures");
});

Deno.test("02: cross-entropy by hand, lib and tfjs agree to 1e-6", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [hand, lib, tfjs] = numbersAfter(text, "example 0: C by hand").filter((_, i) => i < 3);
  assert.ok(hand > 0, `C must be positive, got ${hand}`);
  assert.ok(Math.abs(hand - lib) <= 1e-6 && Math.abs(hand - tfjs) <= 1e-6, `${hand} ${lib} ${tfjs}`);
  const [digits, diff] = numbersAfter(text, "cross-entropy agreement (by hand, lib, tfjs) over");
  assert.equal(digits, 500);
  assert.ok(diff >= 0 && diff < 1e-6, `max difference ${diff}`);
});

Deno.test("02: C falls towards the label and grows away from it", async () => {
  const text = outputsText(await executedNotebook("02"));
  const at = (t: string) => numbersAfter(text, `t = ${t}: towards the label C =`);
  const [towards0, away0] = at("0.00");
  const [towards99, away99] = at("0.99");
  assert.ok(Math.abs(towards0 - away0) < 1e-9, "both paths start at the network's output");
  assert.ok(towards99 < 0.02 && towards99 < towards0, `towards the label: ${towards0} -> ${towards99}`);
  assert.ok(away99 > towards0 + 2, `away from the label: ${away0} -> ${away99}`);
});

Deno.test("02: total loss three ways, and the better function has the lower L", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [hand, lib, net] = numbersAfter(text, "L by hand");
  assert.ok(Math.abs(hand - lib) < 1e-3 && Math.abs(hand - net) < 1e-4 * hand, `${hand} ${lib} ${net}`);
  // A random 10-class network is about as good as guessing 1/10: L near N ln 10.
  assert.ok(Math.abs(hand / (500 * Math.log(10)) - 1) < 0.5, `random network L = ${hand}`);
  const [randomL, , randomAcc, , randomTest] = numbersAfter(text, "random network (seed 1): total loss L =");
  const [trainedL, , trainedAcc, , trainedTest] = numbersAfter(text, "after 3 epochs of SGD: total loss L =");
  assert.ok(trainedL < randomL, `L: trained ${trainedL} vs random ${randomL}`);
  assert.ok(trainedAcc > randomAcc + 30, `accuracy: trained ${trainedAcc}% vs random ${randomAcc}%`);
  assert.ok(trainedTest > 60, `trained network on unseen digits: ${trainedTest}%`);
  assert.ok(randomTest < 30, `random network on unseen digits: ${randomTest}%`);
});

Deno.test("02: along training, every epoch lowers L and raises the accuracy", async () => {
  const text = outputsText(await executedNotebook("02"));
  const points = [0, 1, 2, 3].map((e) => numbersAfter(text, `during training, epoch ${e}: L =`));
  for (let e = 1; e < points.length; e++) {
    assert.ok(points[e][0] < points[e - 1][0], `L: ${points.map((p) => p[0])}`);
    assert.ok(points[e][1] > points[e - 1][1], `accuracy: ${points.map((p) => p[1])}`);
  }
  const [, , , , r] = numbersAfter(text, "random networks: L from");
  assert.ok(r >= -1 && r <= 1, `correlation ${r}`);
});

Deno.test("02: the goal: L falls along the line towards the trained parameters; exercises check", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [l0, , l1] = numbersAfter(text, "L at α = 0:");
  assert.ok(l1 < l0, `L(α = 1) = ${l1} should be below L(α = 0) = ${l0}`);
  for (const k of [1, 2, 3]) assert.match(text, new RegExp(`exercise ${k} \\(solution\\): correct\\.`));
  assert.match(text, /256-30-10 network: 8020 parameters/);
});

Deno.test("02: every tfjs tensor the notebook made is freed", async () => {
  const text = outputsText(await executedNotebook("02"));
  const [now, atStart] = numbersAfter(text, "tfjs tensors still allocated:");
  assert.equal(now, atStart, `${now} tensors now, ${atStart} after setup`);
});
