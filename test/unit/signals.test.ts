import assert from "node:assert/strict";
import { test } from "node:test";
import { descend } from "../../kernel/engine/precondition/descend";
import { curveFit } from "../../kernel/engine/precondition/problems/curve-fit";
import { quadratic } from "../../kernel/engine/precondition/problems/quadratic";
import { formatValue, planPanels, summarize } from "../../kernel/record/plot-recipe";
import { panelsSpec } from "../../kernel/record/plot-spec";
import type { Signal } from "../../kernel/record/signal-types";
import { descentSignals } from "../../kernel/record/signals";
import { vegaLiteToSvg } from "../../kernel/runtime/plot-svg";

test("summaries: RMS, norm and mean-abs by their formulas", () => {
  const v = [3, -4, 0, 1];
  assert.equal(summarize("norm", v), Math.sqrt(9 + 16 + 0 + 1));
  assert.equal(summarize("rms", v), Math.sqrt((9 + 16 + 0 + 1) / 4));
  assert.equal(summarize("mean-abs", v), (3 + 4 + 0 + 1) / 4);
});

test("descent signals through the index map: components with truth lines, residual summary, hybrid top-N, lr_vec", () => {
  const o = curveFit();
  const trace = descend(o, { optimizer: "precond_gn", hyperparameters: { lr: 0.05 }, maxSteps: 200 });
  const signals = descentSignals(trace, o);
  assert.deepEqual(signals.map((s) => s.name), ["loss", "grad_norm", "step_norm", "curve", "lr_vec.curve"]);
  const curve = signals.find((s) => s.name === "curve")!;
  assert.deepEqual(curve.components, ["a", "b", "c"]);
  assert.deepEqual(curve.truth, [2, 1.5, 0.5]);
  assert.equal(curve.values[1]![57], trace.theta![57 * 3 + 1]);

  const p = planPanels(signals, [
    { signals: ["curve"], mode: "components" },
    { signals: ["curve"], mode: "summary", summary: "rms" },
    { signals: ["curve"], mode: "hybrid", summary: "norm", top: 1 },
    { signals: ["loss"] },
  ]);
  const [components, summary, hybrid, loss] = p.panels;
  assert.deepEqual(components!.lines.map((l) => `${l.role}:${l.name}`), ["component:curve.a", "truth:curve.a truth", "component:curve.b", "truth:curve.b truth", "component:curve.c", "truth:curve.c truth"]);
  assert.deepEqual(components!.lines[1]!.values, [2, 2]);
  // The summary of the residual θ − truth, recomputed from the trace.
  const s = summary!.lines[0]!;
  assert.equal(s.name, "rms(curve − truth)");
  for (const k of [0, 10, 200]) {
    const r = [0, 1, 2].map((i) => trace.theta![k * 3 + i]! - [2, 1.5, 0.5][i]!);
    assert.ok(Math.abs(s.values[k]! - Math.sqrt((r[0]! ** 2 + r[1]! ** 2 + r[2]! ** 2) / 3)) < 1e-15);
  }
  // Hybrid: the norm, then the component with the largest final |residual|, with its truth.
  const last = trace.steps;
  const residuals = [0, 1, 2].map((i) => Math.abs(trace.theta![last * 3 + i]! - [2, 1.5, 0.5][i]!));
  const worst = ["a", "b", "c"][residuals.indexOf(residuals.reduce((a, b) => Math.max(a, b)))]!;
  assert.deepEqual(hybrid!.lines.map((l) => l.name), ["norm(curve − truth)", `curve.${worst}`, `curve.${worst} truth`]);
  // Final values in titles; units; log scale where the values span decades.
  assert.equal(loss!.title, `loss — final ${formatValue(trace.loss[last])}`);
  assert.equal(summary!.title, `curve — final ${formatValue(s.values[s.values.length - 1])}`);
  assert.equal(components!.unit, "θ");
  const losses = Array.from(trace.loss);
  assert.equal(loss!.logY, losses.reduce((a, b) => Math.max(a, b)) / losses.reduce((a, b) => Math.min(a, b)) > 100);
  assert.equal(components!.logY, false);
  assert.equal(planPanels(signals, [{ signals: ["loss"], logY: true }]).panels[0]!.logY, true);
  const long = descend(quadratic({ dim: 4, kappa: 100 }), { optimizer: "precond_gn", hyperparameters: { lr: 0.1 }, maxSteps: 300 });
  assert.equal(planPanels(descentSignals(long), [{ signals: ["loss"] }]).panels[0]!.logY, true, "a loss falling by decades goes logarithmic");
  assert.throws(() => planPanels(signals, [{ signals: ["lose"] }]), /panel 0: unknown signal 'lose' \(known: loss, grad_norm/);
});

test("long series are thinned to 1000 points keeping the first and the last", () => {
  const x = Array.from({ length: 5001 }, (_, k) => k);
  const signal: Signal = { name: "s", unit: "", xLabel: "t", x, components: ["s"], values: [x.map((k) => k * 2)] };
  const line = planPanels([signal], [{ signals: ["s"] }]).panels[0]!.lines[0]!;
  assert.equal(line.x.length, 1000);
  assert.equal(line.x[0], 0);
  assert.equal(line.x[999], 5000);
  assert.equal(line.values[999], 10000);
});

test("headless SVG: every panel's title (with its final value) and one path per line", async () => {
  const q = quadratic({ dim: 4, kappa: 100 });
  const trace = descend(q, { optimizer: "precond_hutchinson", hyperparameters: { lr: 0.1 }, maxSteps: 60, probes: 2 });
  const p = planPanels(descentSignals(trace, q), [{ signals: ["loss"] }, { signals: ["theta"], mode: "hybrid", top: 2 }, { signals: ["lr_vec.theta"] }], "quadratic");
  const svg = await vegaLiteToSvg(panelsSpec(p));
  assert.match(svg, /^<svg/);
  for (const panel of p.panels) assert.ok(svg.includes(panel.title.replace(/&/g, "&amp;")), panel.title);
  const lineCount = p.panels.reduce((n, panel) => n + panel.lines.length, 0);
  assert.equal(lineCount, 1 + (1 + 2 * 2) + 4);
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, lineCount, "one drawn path per line");
});
