/**
 * `neuroforge plot … --format png` / `--out x.png` (issue #13): the PNG is decoded here by an independent
 * reader (the PNG format's chunks, zlib inflate and the five row filters, written from the specification)
 * and checked: a real PNG, twice the SVG's size, white paper with the coloured loss line drawn inside the
 * first panel's plot area. Also the test split's panels in the default plot, and a bad --format (exit 2).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { inflateSync } from "node:zlib";
import { datasetFromRows, Model, splitDataset, Trainer } from "../../kernel/engine";
import { getStrategy } from "../../kernel/engine/optimizers/registry";
import { RunRecorder } from "../../kernel/record";
import { main } from "../../kernel/runtime/cli";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-plot-png-"));

interface Png {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel. */
  readonly rgba: Uint8Array;
}

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG (what resvg writes). */
function decodePng(bytes: Uint8Array): Png {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "the PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (;;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    at += 12 + length;
    if (type === "IHDR") {
      width = view.getUint32(16);
      height = view.getUint32(20);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      assert.equal(depth, 8);
      assert.equal(interlace, 0);
      channels = colour === 6 ? 4 : colour === 2 ? 3 : assert.fail(`colour type ${colour}`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  assert.equal(raw.length, height * (stride + 1));
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      assert.ok(predicted !== undefined, `filter ${filter}`);
      out[y * stride + x] = (v + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = out[i * channels + k]!;
    rgba[4 * i + 3] = channels === 4 ? out[i * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

async function recordRun(file: string): Promise<void> {
  const xs = Array.from({ length: 40 }, (_, i) => [Math.sin(i * 0.9), Math.cos(i * 0.4)]);
  const { train, test: held } = splitDataset(datasetFromRows("waves", xs, xs.map(([a, b]) => [a! * b! > 0 ? 1 : 0])), 0.25, 2);
  const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
  model.initialize({ name: "xavier_uniform" }, 2);
  const rec = await RunRecorder.create(file, { data: train, seed: 2, epochs: 5, checkpointSeconds: 3600 });
  rec.finish(new Trainer({ model, loss: "bce", strategy: getStrategy("adam"), hyperparameters: { lr: 0.05 }, batchSize: 5, seed: 2, test: held, observers: [rec] }).fit(train, 5));
}

const io = () => {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) } };
};

test("plot --out x.png writes a PNG at twice the SVG's size, the loss line drawn in colour inside the first panel", async () => {
  const file = path.join(dir, "run.nfrun");
  await recordRun(file);
  const svgOut = path.join(dir, "plot.svg");
  const pngOut = path.join(dir, "plot.png");
  const a = io();
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", svgOut], a.io), 0, a.lines.join("\n"));
  const b = io();
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", pngOut], b.io), 0, b.lines.join("\n"));
  assert.deepEqual(b.lines, [`plotted to ${pngOut}`]);
  const svg = fs.readFileSync(svgOut, "utf8");
  // The default panels include the test split's (recorded with the run).
  assert.match(svg, /test_loss — final/);
  assert.match(svg, /test_accuracy — final/);
  const [, w, h] = /<svg[^>]* width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg)!;
  const png = decodePng(fs.readFileSync(pngOut));
  assert.equal(png.width, Math.round(2 * Number(w)));
  assert.equal(png.height, Math.round(2 * Number(h)));
  const px = (x: number, y: number) => Array.from(png.rgba.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 4));
  assert.deepEqual(px(0, 0), [255, 255, 255, 255], "white paper");
  // Coloured (saturated) pixels — the lines; axes, grid and text are grey — in the top band: the loss panel.
  let coloured = 0;
  let dark = 0;
  const top = Math.floor(png.height / 6);
  for (let y = 0; y < top; y++) {
    for (let x = 0; x < png.width; x++) {
      const [r, g, bl] = px(x, y) as [number, number, number];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 80) coloured++;
      if (r + g + bl < 200) dark++;
    }
  }
  assert.ok(coloured > 200, `the loss line is drawn (${coloured} coloured pixels)`);
  assert.ok(dark > 100, `text and axes are drawn (${dark} dark pixels)`);
  // --format png wins over the extension; a bad format is a one-line usage error.
  const forced = path.join(dir, "forced.img");
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", forced, "--format", "png"], io().io), 0);
  assert.equal(decodePng(fs.readFileSync(forced)).width, png.width);
  const bad = io();
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", forced, "--format", "gif"], bad.io), 2);
  assert.deepEqual(bad.lines, ["neuroforge: --format: must be svg or png, got 'gif'"]);
  const badWeights = io();
  assert.equal(await main(["node", "neuroforge", "plot", file, "--out", pngOut, "--weights", "1:0:4,1:x"], badWeights.io), 2);
  assert.deepEqual(badWeights.lines, ["neuroforge: --weights: '1:x' is not layer:neuron:weight (e.g. 1:0:2)"]);
});
