/** lib/diagram.ts: one line per weight, coloured by sign; one circle per neuron holding its value. */
import { assert } from "./assert.ts";
import { networkDiagram, WEIGHT_COLORS } from "../lib/diagram.ts";
import { setLanguage } from "../lib/language.ts";

Deno.test("networkDiagram: a line per weight from neuron j to neuron i, circles with the values", () => {
  const layers = [{ W: [[1, -2], [-1, 1], [0.5, 0]] }, { W: [[3, -1, 2]] }];
  const values = [[1, -1], [0.98, 0.12, 0.62], [0.5]];
  const fig = networkDiagram(layers, values, "T");
  const edges = fig.data.filter((t) => t.mode === "lines");
  assert.equal(edges.length, 2 * 3 + 3 * 1);
  // Layer 1, neuron 2 (i = 1) from input 1 (j = 0): w = -1, negative; neurons centred on 0, first on top.
  const e = edges[2];
  assert.deepEqual([e.x, e.y, e.text], [[0, 1], [0.5, 0], "w = -1"]);
  assert.equal((e.line as { color: string }).color, WEIGHT_COLORS.negative);
  assert.equal((edges[0].line as { color: string }).color, WEIGHT_COLORS.positive);
  const nodes = fig.data.at(-1)!;
  assert.deepEqual(nodes.text, ["1", "-1", "0.98", "0.12", "0.62", "0.50"]);
  assert.deepEqual(nodes.x, [0, 0, 1, 1, 1, 2]);
  assert.equal((fig.layout.xaxis as { ticktext: string[] }).ticktext.at(-1), "output (layer 2)");
});

Deno.test("networkDiagram: values that do not match the layers are refused", () => {
  assert.throws(() => networkDiagram([{ W: [[1, 2]] }], [[1, 2]], "T"), /2 lists/);
  assert.throws(() => networkDiagram([{ W: [[1, 2]] }], [[1], [0.5]], "T"), /1 neurons with 2 weights/);
});

Deno.test("networkDiagram: the layers' names follow the language", () => {
  const ticks = () => {
    const fig = networkDiagram([{ W: [[1, 2]] }, { W: [[1]] }], [[1, 2], [0.5], [0.25]], "T");
    return (fig.layout.xaxis as { ticktext: string[] }).ticktext;
  };
  assert.deepEqual(ticks(), ["input x", "layer 1", "output (layer 2)"]);
  setLanguage("zh");
  try {
    assert.deepEqual(ticks(), ["输入 x", "第 1 层", "输出（第 2 层）"]);
  } finally {
    setLanguage("en");
  }
});
