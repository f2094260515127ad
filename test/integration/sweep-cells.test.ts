/**
 * Sweeps from a cell (`runSweep`, what `import { runSweep } from "neuroforge"` gives): the same typed
 * spec as a `sweep:` block, a sweep object back. Checked against independent references: each member's
 * final loss against the same run trained alone (`train` with its overrides), the main effects against
 * means and S/N computed here from the members' losses, an adaptive search's rounds against `nextRound`
 * called by hand on the history before each round, and the record file's runs against the members.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { nextRound, type AdaptiveSpec, type Trial } from "../../kernel/engine/sweep/adaptive";
import { resolveSweep, type SweepSpec } from "../../kernel/engine/sweep/design";
import { NfrunReader } from "../../kernel/record";
import { configHash } from "../../kernel/record/config-hash";
import { mimeBundleOf } from "../../kernel/runtime/display/index";
import type { ComparisonPayload } from "../../kernel/record/compare/types";
import { ExperimentConfigError, train } from "../../kernel/runtime/kernel/experiments";
import { runSweep, type SweepObject } from "../../kernel/runtime/kernel/sweeps";

const repo = resolve(__dirname, "../..");
const config = join(repo, "samples/config/train.yaml");
const small = ["training.epochs=2", "data.count=40"];
const work = mkdtempSync(join(tmpdir(), "nf-sweep-cells-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Each round's members are what nextRound proposes from the members before it. */
function assertRounds(sweep: SweepObject, spec: AdaptiveSpec): void {
  const rounds = [...new Set(sweep.members.map((m) => m.round))];
  assert.deepEqual(rounds, rounds.map((_, r) => r), "rounds numbered 0, 1, …");
  for (const r of rounds) {
    const before: Trial[] = sweep.members.filter((m) => m.round < r).map((m) => ({ values: m.values, loss: m.metrics.loss ?? NaN }));
    const proposed = nextRound(spec, before);
    assert.deepEqual(sweep.members.filter((m) => m.round === r).map((m) => m.values), proposed.map((p) => p.values), `round ${r}`);
  }
}

describe("sweeps from a cell: runSweep", () => {
  it("an L4: members with overrides, values, status and losses (each = the run alone); main effects by hand; hash of the resolved sweep", async () => {
    const spec: SweepSpec = { design: "L4", params: { optimizer: ["adam", "sgd"], "optimizer.lr": [0.01, 0.1] } };
    const sweep = await runSweep(config, { overrides: small, sweep: spec });
    assert.equal(sweep.kind, "sweep");
    assert.equal(sweep.experiment, "train");
    assert.deepEqual(sweep.params, ["optimizer", "optimizer.lr"]);
    assert.deepEqual(sweep.resolved, resolveSweep(spec));
    assert.equal(sweep.hash, configHash(resolveSweep(spec)));
    assert.deepEqual(sweep.members.map((m) => m.label), ["optimizer=adam optimizer.lr=0.01", "optimizer=adam optimizer.lr=0.1", "optimizer=sgd optimizer.lr=0.01", "optimizer=sgd optimizer.lr=0.1"]);
    assert.deepEqual(sweep.members.map((m) => m.values), [
      { optimizer: "adam", "optimizer.lr": 0.01 },
      { optimizer: "adam", "optimizer.lr": 0.1 },
      { optimizer: "sgd", "optimizer.lr": 0.01 },
      { optimizer: "sgd", "optimizer.lr": 0.1 },
    ]);
    for (const m of sweep.members) {
      assert.equal(m.status, "completed");
      assert.equal(m.epochs, 2);
      const [alone] = await train(config, { overrides: [...small, ...m.overrides] });
      assert.equal(m.metrics.loss, alone!.result.loss, m.label);
      assert.equal(m.configHash, alone!.configHash);
    }
    const losses = sweep.members.map((m) => m.metrics.loss!);
    const best = losses.reduce((b, x, k) => (x < losses[b]! ? k : b), 0);
    assert.equal(sweep.best, best);
    assert.ok(sweep.effects);
    sweep.resolved.factors.forEach((factor, f) => {
      const effect = sweep.effects![f]!;
      assert.equal(effect.factor, factor.name);
      effect.levels.forEach((level, l) => {
        const ys = sweep.resolved.members.filter((m) => m.levels[f] === l).map((m) => losses[m.index]!);
        const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
        assert.equal(level.count, 2);
        assert.ok(Math.abs(level.mean - mean) < 1e-15);
        assert.ok(Math.abs(level.sn - -10 * Math.log10(ys.reduce((a, y) => a + y * y, 0) / ys.length)) < 1e-12);
      });
    });
    // Shown as a table: one row per member, the best, the main effects; text and HTML.
    const bundle = mimeBundleOf(sweep);
    const text = String(bundle["text/plain"]);
    assert.match(text, new RegExp(`^sweep L4 of train: 4 members, 4 completed; sweep sha256 ${sweep.hash}`));
    for (const m of sweep.members) assert.match(text, new RegExp(`\\n  ${m.index}\\s+${m.values.optimizer}\\s+${m.values["optimizer.lr"]}\\s+completed\\s+`));
    assert.match(text, new RegExp(`best: #${best} ${sweep.members[best]!.label.replace(/\./g, "\\.")}`));
    assert.match(text, /main effects on final loss/);
    assert.match(String(bundle["text/html"]), /<th style="text-align:left">optimizer\.lr<\/th>/);
    // … and the comparison views (the comparison renderer): every member by name with its final loss.
    const payload = bundle["application/vnd.neuroforge.comparison+json"] as ComparisonPayload;
    assert.equal(payload.kind, "run-comparison");
    assert.deepEqual(payload.comparison.runs.map((r) => r.metrics.loss), losses);
    for (const [k, r] of payload.comparison.runs.entries()) {
      assert.ok(r.name.includes(`optimizer=${sweep.members[k]!.values.optimizer}`) && r.name.includes(`lr=${sweep.members[k]!.values["optimizer.lr"]}`), r.name);
    }
    assert.ok(bundle["application/vnd.vegalite.v5+json"], "the parallel coordinates' Vega-Lite fallback");
  });

  it("a bandit runs round after round to its budget, each round nextRound's proposal; recorded; resumed from the record file", async () => {
    const spec = { design: "bandit" as const, budget: 5, batch: 2, c: 1, seed: 3, params: { "optimizer.lr": [0.01, 0.1], "training.batch_size": [10, 20] } };
    const record = join(work, "bandit.nfrun");
    const sweep = await runSweep(config, { overrides: small, sweep: spec, record });
    assert.equal(sweep.design, "bandit");
    assert.equal(sweep.budget, 5);
    assert.deepEqual(sweep.members.map((m) => m.round), [0, 0, 1, 1, 2]);
    assert.deepEqual(sweep.members.map((m) => m.index), [0, 1, 2, 3, 4]);
    assertRounds(sweep, spec);
    // The arms are the grid in order first; each pull of an arm has its own seed.
    assert.deepEqual(sweep.members.slice(0, 4).map((m) => m.values), [
      { "optimizer.lr": 0.01, "training.batch_size": 10 },
      { "optimizer.lr": 0.01, "training.batch_size": 20 },
      { "optimizer.lr": 0.1, "training.batch_size": 10 },
      { "optimizer.lr": 0.1, "training.batch_size": 20 },
    ]);
    // A pull's seed is the base seed + the arm's earlier pulls.
    const pulls = sweep.members.map((m, k) => sweep.members.slice(0, k).filter((e) => JSON.stringify(e.values) === JSON.stringify(m.values)).length);
    assert.deepEqual(sweep.members.map((m) => m.overrides.at(-1)), pulls.map((p) => `seed=${spec.seed + p}`));
    assert.equal(pulls[4], 1, "the fifth run pulls an arm again");
    assert.equal(sweep.effects, null);
    assert.equal(sweep.hash, configHash(sweep.resolved));
    const reader = await NfrunReader.open(record);
    try {
      assert.deepEqual(reader.runIds(), sweep.members.map((m) => m.runId));
      assert.deepEqual(reader.runs().map((r) => r.finalLoss), sweep.members.map((m) => m.metrics.loss));
    } finally {
      reader.close();
    }
    // With a larger budget, the search goes on from the runs in the file (as the CLI does).
    const more = await runSweep(config, { overrides: small, sweep: { ...spec, budget: 7 }, record });
    assert.deepEqual(more.members.map((m) => m.index), [5, 6]);
    const history: Trial[] = sweep.members.map((m) => ({ values: m.values, loss: m.metrics.loss! }));
    assert.deepEqual(more.members.map((m) => m.values), nextRound({ ...spec, budget: 7 }, history).map((p) => p.values));
  });

  it("an evolution: generations of the population, each proposed from the ones before", async () => {
    const spec = { design: "evolution" as const, budget: 6, population: 3, mutation: 0.3, seed: 1, params: { "optimizer.lr": { loguniform: [0.003, 0.3] as [number, number] }, optimizer: ["adam", "sgd"] } };
    const sweep = await runSweep(config, { overrides: small, sweep: spec });
    assert.deepEqual(sweep.members.map((m) => m.round), [0, 0, 0, 1, 1, 1]);
    assertRounds(sweep, spec);
    assert.ok(sweep.members.every((m) => m.status === "completed" && m.metrics.loss !== null));
  });

  it("the HTML table escapes what came from the config (experiment name, values, overrides)", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    const member = { index: 0, round: 0, label: `name=${hostile}`, overrides: [`name=${hostile}`], values: { name: hostile }, status: "completed" as const, epochs: 1, seconds: 0, metrics: { loss: 0.5, testLoss: null, testAccuracy: null }, configHash: "0" };
    const sweep: SweepObject = { kind: "sweep", experiment: hostile, design: "grid", params: ["name"], resolved: { design: "grid", factors: [{ name: "name", values: [hostile] }], members: [{ index: 0, levels: [0], overrides: member.overrides }] }, hash: "h", members: [member], effects: [{ factor: "name", levels: [{ level: 0, value: hostile, count: 1, mean: 0.5, sn: 6 }], range: 0, best: null }], best: 0 };
    const html = String(mimeBundleOf(sweep)["text/html"]);
    assert.ok(!html.includes("<img"), html);
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  });

  it("without a sweep: an ExperimentConfigError naming sweep", async () => {
    await assert.rejects(runSweep(config, { overrides: small }), (e: unknown) => e instanceof ExperimentConfigError && /no sweep to run/.test(e.message));
  });
});
