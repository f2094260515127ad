/**
 * samples/notebooks/signals-and-preconditioning.ipynb executed by Jupyter (`jupyter nbconvert --execute`,
 * Debian's nbconvert, with this build's `neuroforge` kernelspec in a sandbox): no cell fails, the plots
 * carry the signals MIME type with their fallbacks, the step counts of the preconditioning comparison are
 * those of `descend` run here, the network trained with `precond_gn` verifies, and the committed outputs are
 * what a fresh execution gives (text results).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { descend, quadratic } from "../../kernel/engine";
import { suiteSandbox } from "./support/jupyter-sandbox";
import { codeCells, errorsOf, executeNotebook, hasNbconvert, readNotebook, resultText as result } from "./support/notebooks";

const repo = path.resolve(__dirname, "../..");
const sample = path.join(repo, "samples", "notebooks", "signals-and-preconditioning.ipynb");
describe("signals and preconditioning sample notebook (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 300_000 }, () => {
  const sandbox = suiteSandbox("nf-signals-nb-");

  it("runs every cell; test metrics, signals panels and the κ = 1e4 comparison as committed", async () => {
    fs.copyFileSync(sample, path.join(sandbox.dir, "nb.ipynb"));
    const code = codeCells(await executeNotebook(sandbox.dir, "nb.ipynb", sandbox.env));
    assert.deepEqual(errorsOf(code), []);
    assert.match(result(code[0]!), /^'160 training \/ 40 held-out samples; after 40 epochs: test loss 0\.\d{4}, test accuracy \d+\.\d %'$/);
    assert.match(result(code[1]!), /320 commits; loss .*test accuracy per 10 epochs: .*output bias θ\[t\]: 0\.0000 → /s);
    for (const k of [2, 3, 5]) {
      const data = code[k]!.outputs!.find((o) => o.output_type === "execute_result")!.data!;
      for (const mime of ["application/vnd.neuroforge.signals+json", "application/vnd.vegalite.v5+json", "text/html", "text/plain"]) assert.ok(data[mime], `cell ${k} carries ${mime}`);
    }
    assert.match(result(code[2]!), /test_loss — final .*test_accuracy — final/s);
    assert.match(result(code[3]!), /weights — rms\(weights\) /);
    // The comparison's numbers are descend's, computed here.
    const q = quadratic({ dim: 10, kappa: 1e4 });
    const steps = ([optimizer, lr]: [string, number]) => descend(q, { optimizer, hyperparameters: { lr }, maxSteps: 60000, tolerance: 1e-6, probes: 10, seed: 0, keepTheta: false }).steps;
    const [gd, adam, hutchinson] = ([["sgd", 1.78e-4], ["adam", 1], ["precond_hutchinson", 0.0178]] as [string, number][]).map(steps);
    assert.ok(hutchinson! < gd! / 50, "the preconditioner needs far fewer steps than plain GD");
    assert.equal(result(code[4]!), `'sgd: loss ≤ 1e-6 after ${gd} steps\\n' +\n  'adam: loss ≤ 1e-6 after ${adam} steps\\n' +\n  'precond_hutchinson: loss ≤ 1e-6 after ${hutchinson} steps'`);
    // A network trained with precond_gn: verified, and one weight's popup numbers reconcile (the audit's lr_vec × Avg, Before − Adj).
    assert.match(result(code[6]!), /^'160 commits, loss 0\.\d{4}; verify: every adjustment replayed bit for bit\\n' \+\n  'curv_est [\d.e-]+, curv [\d.e-]+, lr_vec = clip\(0\.4\/√\(max\(curv, floor\)\+ε\)\) = [\d.e-]+\\n' \+\n  'Adj = lr_vec × Avg = /);
    // The committed notebook shows what it computes now.
    const committed = codeCells(readNotebook(sample));
    assert.equal(committed.length, code.length);
    code.forEach((c, k) => assert.equal(result(committed[k]!), result(c), `committed output of code cell ${k}`));
  });
});
