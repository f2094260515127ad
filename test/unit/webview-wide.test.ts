/**
 * Wide networks (issue #16) in JSDOM through the network renderer: a 784-64-10 model's layers as weight
 * matrices, a neuron expanded into the 28 × 28 image of its 784 incoming weights (checked pixel by pixel
 * against a known weight vector: position, colour, value), the matrix's pixels (matrixPixels) against the
 * shades computed here, and hovering any weight — drawn or not — opening that weight's popup.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Model } from "../../kernel/engine";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import { MIME } from "../../kernel/runtime/display/mime";
import { activate } from "../../webviews/renderers/network/index";
import { matrixPixels } from "../../webviews/renderers/network/weight-image";
import { installDom } from "./support/dom-globals";
import { renderOutput } from "./support/render-output";

const dom = installDom();
const render = (payload: unknown) => renderOutput(activate, MIME.network, payload);

/** TF Playground's stops (#f59322 → #e8eaeb → #0877bd) at shade round(f·30), as "#rrggbb". */
function colour(f: number): string {
  const u = Math.max(0, Math.min(30, Math.round(f * 30))) / 30;
  const [a, b, t] = u <= 0.5 ? [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], u * 2] : [[0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd], u * 2 - 1];
  return `#${a.map((c, i) => Math.round(c + (b[i]! - c) * (t as number)).toString(16).padStart(2, "0")).join("")}`;
}

/** 784-64-10 with neuron 5 of layer 0 holding a known pattern: w[p] = (row − col) / 27 for pixel p = row·28 + col. */
function wideModel(): Model {
  const m = new Model({ inputs: 784, layers: [{ units: 64, activation: "relu" }, { units: 10, activation: "softmax" }] });
  m.initialize({ name: "xavier_uniform" }, 7);
  for (let p = 0; p < 784; p++) m.params[5 * 785 + p] = (Math.floor(p / 28) - (p % 28)) / 27;
  m.params[5 * 785 + 784] = 0.25;
  return m;
}

test("a 784-64-10 network: a weight matrix per layer, and a neuron expanded into the 28 × 28 image of its weights", async () => {
  const model = wideModel();
  const el = await render(JSON.parse(JSON.stringify(mimeBundleOf(model)[MIME.network])));
  const canvases = [...el.querySelectorAll<HTMLCanvasElement>(".wide canvas.matrix-canvas")];
  assert.deepEqual(canvases.map((c) => [c.width, c.height]), [[785, 64], [65, 10]], "one pixel per weight (bias last), a row per neuron");
  assert.match(el.querySelector(".wide")!.textContent!, /Layer 0 \(relu\): 64 × 785 weights/);
  // Expand neuron 5 of layer 0 with the picker, as a person does.
  const neuron = el.querySelector<HTMLInputElement>('input[aria-label="neuron to expand"]')!;
  neuron.value = "5";
  el.querySelector<HTMLButtonElement>(".wide .picker button")!.click();
  const rects = [...el.querySelectorAll(".wide .expanded svg.incoming rect")];
  assert.equal(rects.length, 784);
  assert.equal(el.querySelector(".wide .expanded svg.incoming")!.getAttribute("width"), String(28 * 8));
  // Largest |w| is 1 (row 27, col 0 and row 0, col 27): shade f = (w + 1) / 2.
  for (let p = 0; p < 784; p++) {
    const r = rects[p]!;
    const [row, col] = [Math.floor(p / 28), p % 28];
    const w = (row - col) / 27;
    assert.equal(Number(r.getAttribute("x")), col * 8, `pixel ${p} x`);
    assert.equal(Number(r.getAttribute("y")), row * 8, `pixel ${p} y`);
    assert.equal(Number(r.getAttribute("data-value")), model.params[5 * 785 + p]);
    assert.equal(dom.window.getComputedStyle(r).fill, colour((w + 1) / 2), `pixel ${p} (row ${row}, col ${col}) of w = ${w}`);
  }
  assert.match(el.querySelector(".wide .expanded .bias")!.textContent!, /^bias 0\.25/);
});

test("the matrix's pixels: one per weight, shaded on ± the layer's largest |weight|", () => {
  const values = [-2, -1, 0, 1, 2, null];
  const px = matrixPixels(values, 2, 3, "light");
  const hex = (i: number) => `#${[0, 1, 2].map((c) => px[i * 4 + c]!.toString(16).padStart(2, "0")).join("")}`;
  assert.deepEqual([0, 1, 2, 3, 4].map(hex), [colour(0), colour(0.25), colour(0.5), colour(0.75), colour(1)]);
  assert.deepEqual([...px.subarray(0, 4)].slice(3), [255]);
  assert.equal(px[5 * 4 + 3], 80, "an unknown weight is a faint grey");
});

test("hovering any weight of a wide layer opens its popup: undrawn ones from the matrix and the expanded image", async () => {
  const model = wideModel();
  const el = await render(JSON.parse(JSON.stringify(mimeBundleOf(model)[MIME.network])));
  const popup = el.querySelector<HTMLElement>(".popup")!;
  const canvas = el.querySelector<HTMLCanvasElement>('.wide canvas.matrix-canvas[data-layer="0"]')!;
  // JSDOM has no layout: the renderer maps the pointer through the canvas's CSS size (785 × 1 px cells, 64 × 4 px rows).
  const cw = parseFloat(canvas.style.width) / 785;
  const ch = parseFloat(canvas.style.height) / 64;
  const hover = (row: number, col: number) =>
    canvas.dispatchEvent(new dom.window.MouseEvent("mousemove", { bubbles: true, clientX: (col + 0.5) * cw, clientY: (row + 0.5) * ch }));
  hover(40, 700);
  assert.equal(popup.hidden, false);
  assert.match(popup.querySelector(".title")!.textContent!, /layer 0, neuron 40, weight 700 \(from input 700\)/);
  assert.equal(Number(popup.querySelector(".value .num")!.getAttribute("data-value")), model.params[40 * 785 + 700]);
  hover(63, 784);
  assert.match(popup.querySelector(".title")!.textContent!, /layer 0, neuron 63, bias/);
  // A click pins the weight and expands its neuron; hovering elsewhere then leaves the popup.
  canvas.dispatchEvent(new dom.window.MouseEvent("click", { bubbles: true, clientX: (100 + 0.5) * cw, clientY: (5 + 0.5) * ch }));
  assert.match(popup.querySelector(".title")!.textContent!, /layer 0, neuron 5, weight 100/);
  assert.match(el.querySelector(".wide .expanded .title")!.textContent!, /Layer 0, neuron 5/);
  hover(1, 1);
  assert.match(popup.querySelector(".title")!.textContent!, /neuron 5, weight 100/, "pinned");
  el.querySelector<HTMLButtonElement>(".popup .close")!.click();
  // A pixel of the expanded image opens its weight.
  const pixel = el.querySelectorAll(".wide .expanded svg.incoming rect")[28 * 3 + 9]!;
  pixel.dispatchEvent(new dom.window.MouseEvent("mousemove", { bubbles: true }));
  assert.match(popup.querySelector(".title")!.textContent!, /layer 0, neuron 5, weight 93 \(from input 93\)/);
  assert.equal(Number(popup.querySelector(".value .num")!.getAttribute("data-value")), (3 - 9) / 27);
  // A neuron of the drawing (drawn: the first 16 of 64) expands on click.
  el.querySelector<SVGCircleElement>('circle.neuron[data-column="1"][data-index="12"]')!.dispatchEvent(new dom.window.MouseEvent("click", { bubbles: true }));
  assert.match(el.querySelector(".wide .expanded .title")!.textContent!, /Layer 0, neuron 12/);
});

test("narrow networks have no weight matrices", async () => {
  const m = new Model({ inputs: 4, layers: [{ units: 16, activation: "tanh" }, { units: 3, activation: "softmax" }] });
  const el = await render(JSON.parse(JSON.stringify(mimeBundleOf(m)[MIME.network])));
  assert.equal(el.querySelector(".wide"), null);
});
