/**
 * samples/notebooks/neuron-lifecycle.ipynb executed by Jupyter's own `nbconvert --execute` with the
 * neuroforge kernel (as jupyter.test.ts does for the other samples): no errors, and the experiment's
 * numbers say what the notebook and docs/lifecycle.md claim — the lifecycle leaves fewer dead ReLU
 * neurons and a lower loss than the same run without it. Skipped (with a message) without nbconvert.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { suiteSandbox } from "./support/jupyter-sandbox";
import { codeCells, errorsOf, executeNotebook, hasNbconvert, resultText as result } from "./support/notebooks";

const repo = path.resolve(__dirname, "../..");
describe("sample notebook neuron-lifecycle.ipynb (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 300_000 }, () => {
  const sandbox = suiteSandbox("nf-lifecycle-nb-");

  it("runs; the lifecycle run ends with fewer dead neurons and a lower loss than the plain run", async () => {
    fs.copyFileSync(path.join(repo, "samples", "notebooks", "neuron-lifecycle.ipynb"), path.join(sandbox.dir, "nb.ipynb"));
    const code = codeCells(await executeNotebook(sandbox.dir, "nb.ipynb", sandbox.env));
    assert.deepEqual(errorsOf(code), []);
    const table = result(code[1]!);
    const rows = [...table.matchAll(/^\s*'?\s*(\d+)\s+([\d.]+)\s+([\d.]+) %/gm)].map((m) => ({ epoch: Number(m[1]), loss: Number(m[2]), dead: Number(m[3]) }));
    assert.equal(rows.length, 8, table);
    const plain = rows.slice(0, 4);
    const lifecycle = rows.slice(4);
    assert.deepEqual(plain.map((x) => x.epoch), [50, 100, 150, 200]);
    const rebirths = Number(/lifecycle: (\d+) rebirths/.exec(table)?.[1]);
    assert.ok(rebirths > 0, table);
    assert.ok(plain[3]!.dead >= 30, `the plain run has many dead neurons: ${table}`);
    assert.ok(lifecycle[3]!.dead < plain[3]!.dead / 3, `the lifecycle leaves far fewer dead: ${table}`);
    assert.ok(lifecycle[3]!.loss < plain[3]!.loss, `and a lower loss: ${table}`);
    assert.match(result(code[2]!), /layer 0: dormant \d+ %, weights mean -?[\d.]+ std [\d.]+, percentiles \[(-?[\d.]+, ){8}-?[\d.]+\], NaN 0, Inf 0/);
  });
});
