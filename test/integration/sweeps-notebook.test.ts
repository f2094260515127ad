/**
 * samples/notebooks/sweeps.ipynb executed by Jupyter's own `nbconvert --execute` with the neuroforge
 * kernel: no errors, every output as committed (the runs are seeded, so the committed numbers are the
 * ones a reader gets), and what its prose claims holds in the executed outputs — the learning rate has
 * the largest main effect with lr 0.03 best, the predicted combination is the L9's best run, the bandit
 * pulls the arm with the lowest mean loss most. Skipped (with a message) without nbconvert.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { suiteSandbox } from "./support/jupyter-sandbox";
import { codeCells, errorsOf, executeNotebook, hasNbconvert, readNotebook, resultText, text, type NotebookCell } from "./support/notebooks";

const notebooks = path.resolve(__dirname, "../../samples/notebooks");

describe("sample notebook sweeps.ipynb (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 600_000 }, () => {
  const sandbox = suiteSandbox("nf-sweeps-nb-");

  it("runs with every output as committed; the main effects and the bandit say what the notebook says", async () => {
    const committed = readNotebook(path.join(notebooks, "sweeps.ipynb"));
    assert.equal(committed.metadata.kernelspec.name, "neuroforge");
    // A sibling of samples/notebooks, so the cells' ../config/… paths hold.
    const dir = fs.mkdtempSync(path.join(notebooks, "..", ".executing-"));
    let executed: NotebookCell[];
    try {
      fs.copyFileSync(path.join(notebooks, "sweeps.ipynb"), path.join(dir, "sweeps.ipynb"));
      // 120 s a cell: each takes a few seconds on a quiet machine; a loaded one is several times slower.
      executed = codeCells(await executeNotebook(dir, "sweeps.ipynb", sandbox.env, { timeoutS: 120 }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(errorsOf(executed), []);
    const shown = (c: NotebookCell) => (c.outputs ?? []).map((o) => text(o.data?.["text/plain"] ?? o.text)).join("\n");
    codeCells(committed).forEach((c, k) => assert.equal(shown(executed[k]!), shown(c), `code cell ${k + 1}: output as committed`));

    const [l9, effects, confirm, bandit, arms] = executed.map(resultText);
    assert.match(l9!, /^sweep L9 of sweep-l9: 9 members, 9 completed; sweep sha256 [0-9a-f]{64}/);
    assert.match(l9!, /best: #8 optimizer=adamw optimizer\.lr=0\.03 training\.batch_size=10 \(final loss 0\.3633\)/);
    const ranges = [...effects!.matchAll(/^\s*'?(\S+)\s+range ([\d.]+)/gm)].map((m) => [m[1], Number(m[2])] as const);
    assert.deepEqual(ranges.map(([f]) => f), ["optimizer", "optimizer.lr", "training.batch_size"], effects);
    const lr = ranges.find(([f]) => f === "optimizer.lr")![1];
    assert.ok(ranges.every(([, r]) => r <= lr), `the learning rate's range is the largest: ${effects}`);
    assert.match(confirm!, /confirmation run optimizer=adamw optimizer\.lr=0\.03 training\.batch_size=10: final loss 0\.3633/);
    assert.match(bandit!, /^sweep bandit of search-bandit: 24 members of a budget of 24, 24 completed/);
    const pulls = [...arms!.matchAll(/(\w+ lr=[\d.]+)\s+(\d+) pulls, mean final loss ([\d.]+)/g)].map((m) => ({ arm: m[1]!, n: Number(m[2]), mean: Number(m[3]) }));
    assert.equal(pulls.length, 6, arms);
    assert.equal(pulls.reduce((s, p) => s + p.n, 0), 24);
    const most = pulls.reduce((a, b) => (b.n > a.n ? b : a));
    assert.equal(most.arm, "adam lr=0.03");
    assert.equal(most.n, 12);
    assert.ok(pulls.every((p) => p === most || p.mean > most.mean), `the most pulled arm has the lowest mean: ${arms}`);
  });
});
