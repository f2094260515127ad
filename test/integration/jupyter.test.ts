/**
 * The Jupyter kernel: `neuroforge kernel install --prefix` into a temporary folder, then Jupyter's own
 * `jupyter nbconvert --to notebook --execute` runs every samples/notebooks/*.ipynb with it (Debian's
 * jupyter packages; .ci/run installs them). Checks output values and MIME types, and uninstall.
 * Skipped (with a message) when jupyter-nbconvert is not installed.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { jupyterSandbox } from "./support/jupyter-sandbox";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "bin", "neuroforge.cjs");
const hasNbconvert = spawnSync("jupyter-nbconvert", ["--version"], { stdio: "ignore" }).status === 0;

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  execution_count?: number | null;
  source: string | string[];
  outputs?: Output[];
}
const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : String(v ?? ""));

describe("Jupyter kernel (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 180_000 }, () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-jupyter-"));
    // Everything Jupyter writes stays in the temporary folder.
    const sandbox = jupyterSandbox(tmp);
    env = sandbox.env;
    const out = sandbox.installed;
    assert.match(out, /installed kernelspec neuroforge/);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("registers the kernelspec neuroforge (NeuroForge (TypeScript), typescript)", () => {
    const list = JSON.parse(execFileSync("jupyter", ["kernelspec", "list", "--json"], { env, encoding: "utf8" })) as {
      kernelspecs: Record<string, { spec: { display_name: string; language: string; argv: string[] } }>;
    };
    const spec = list.kernelspecs.neuroforge?.spec;
    assert.ok(spec, "kernelspec neuroforge is listed");
    assert.equal(spec.display_name, "NeuroForge (TypeScript)");
    assert.equal(spec.language, "typescript");
    assert.ok(fs.existsSync(spec.argv[1]!), "the kernelspec runs this build's dist/jupyter-kernel.js");
  });

  it("executes samples/notebooks/xor-explained.ipynb with the expected values and MIME types", () => {
    const source = path.join(repo, "samples", "notebooks", "xor-explained.ipynb");
    const nb = JSON.parse(fs.readFileSync(source, "utf8")) as { metadata: { kernelspec: { name: string; language: string } } };
    assert.equal(nb.metadata.kernelspec.name, "neuroforge");
    assert.equal(nb.metadata.kernelspec.language, "typescript");
    const work = path.join(tmp, "nb");
    fs.mkdirSync(work);
    fs.copyFileSync(source, path.join(work, "xor.ipynb"));
    const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", "xor.ipynb"], {
      cwd: work,
      env,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const executed = JSON.parse(fs.readFileSync(path.join(work, "executed.ipynb"), "utf8")) as { cells: Cell[] };
    const code = executed.cells.filter((c) => c.cell_type === "code");
    for (const c of code) {
      assert.ok(!c.outputs!.some((o) => o.output_type === "error"), `no errors: ${JSON.stringify(c.outputs)}`.slice(0, 800));
    }
    // execute_input gives every cell its count, also those without a result (saved as In [n], not In [ ]).
    assert.deepEqual(code.map((c) => c.execution_count), code.map((_, k) => k + 1));
    const result = (c: Cell) => c.outputs!.find((o) => o.output_type === "execute_result");
    const displays = (c: Cell) => c.outputs!.filter((o) => o.output_type === "display_data");

    // 1. the model: network MIME + SVG + text
    const model = result(code[0]!)!;
    assert.ok(model.data!["application/vnd.neuroforge.network+json"]);
    assert.match(text(model.data!["image/svg+xml"]), /^<svg /);
    assert.equal(text(model.data!["text/plain"]), "Model 2 → 4 tanh → 1 sigmoid (17 weights incl. biases)");
    // 2. training: completed, and at most one progress display (updated in place)
    assert.match(text(result(code[1]!)!.data!["text/plain"]), /completed after 1500 epochs, final loss 0\.0\d+/);
    assert.ok(displays(code[1]!).length <= 1);
    // 3. XOR learned
    assert.equal(text(result(code[2]!)!.data!["text/plain"]), "'0.00 1.00 1.00 0.00'");
    // 4. display(model): one display, no result
    assert.equal(displays(code[3]!).length, 1);
    assert.equal(result(code[3]!), undefined);
    // 5. the audit table of one weight at one commit
    const audit = result(code[4]!)!;
    const trace = audit.data!["application/vnd.neuroforge.audit+json"] as { kind: string; t: number; rows: unknown[]; commit: { count: number } };
    assert.equal(trace.kind, "weight-trace");
    assert.equal(trace.t, 10);
    assert.equal(trace.rows.length, 2, "batch size 2: two samples in the blame bank");
    assert.equal(trace.commit.count, 2);
    assert.match(text(audit.data!["text/html"]), /<table>/);
    assert.match(text(audit.data!["text/plain"]), /layer 1, neuron 0, weight 0 at commit t=10/);
    // 6. the loss plot
    const plot = result(code[5]!)!;
    for (const mime of ["application/vnd.neuroforge.signals+json", "application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]) {
      assert.ok(plot.data![mime], `plot carries ${mime}`);
    }
    assert.equal((plot.data!["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema, "https://vega.github.io/schema/vega-lite/v5.json");
    // 7. weightAudit of a hidden weight: the neuron per sample of the batch and the weight's epoch summary
    const full = result(code[6]!)!.data!["application/vnd.neuroforge.audit+json"] as { kind: string; layer: number; neurons: { kind: string }[]; epochSummary: { kind: string; commits: unknown[] } };
    assert.equal(full.kind, "weight-trace");
    assert.equal(full.layer, 0);
    assert.deepEqual(full.neurons.map((n) => n.kind), ["neuron-snapshot", "neuron-snapshot"]);
    assert.equal(full.epochSummary.kind, "epoch-summary");
    assert.equal(full.epochSummary.commits.length, 2, "two commits per epoch");
    // 8. networkTrace at t=10 and at the last commit: weights, traces, neuron snapshots and the run file's path embedded
    const net = result(code[7]!)!.data!["application/vnd.neuroforge.network+json"] as { recording: { file: string; commits: { t: number; traces: unknown[]; neurons: unknown[][] }[] } };
    assert.deepEqual(net.recording.commits.map((c) => c.t), [10, 3000]);
    assert.ok(net.recording.commits.every((c) => c.traces.length === 17 && c.neurons.length === 5));
    assert.ok(path.isAbsolute(net.recording.file) && net.recording.file.endsWith(".nfrun"));
  });

  it("executes samples/notebooks/custom-optimizer.ipynb: a strategy defined in a cell, verified, its audit shown and checked by hand", () => {
    const work = path.join(tmp, "custom");
    fs.mkdirSync(work);
    fs.copyFileSync(path.join(repo, "samples", "notebooks", "custom-optimizer.ipynb"), path.join(work, "custom.ipynb"));
    const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", "custom.ipynb"], { cwd: work, env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const code = (JSON.parse(fs.readFileSync(path.join(work, "executed.ipynb"), "utf8")) as { cells: Cell[] }).cells.filter((c) => c.cell_type === "code");
    for (const c of code) assert.ok(!c.outputs!.some((o) => o.output_type === "error"), `no errors: ${JSON.stringify(c.outputs)}`.slice(0, 800));
    const result = (c: Cell) => text(c.outputs!.find((o) => o.output_type === "execute_result")?.data?.["text/plain"]);
    assert.equal(result(code[0]!), "'Signum: m ← βm + (1−β)g;  adj = γ·sign(m)'");
    assert.match(result(code[1]!), /^'completed after 400 epochs \(800 commits\)/);
    assert.equal(result(code[3]!), "'verified: 800 commits, 13600 weight adjustments'");
    const audit = code[4]!.outputs!.find((o) => o.output_type === "execute_result")!.data!;
    const trace = audit["application/vnd.neuroforge.audit+json"] as { t: number; strategy: { formula: string; builtin: boolean }; commit: { audit: Record<string, number>; lr: number } };
    assert.equal(trace.t, 301);
    assert.equal(trace.strategy.formula, "m ← βm + (1−β)g;  adj = γ·sign(m)");
    assert.equal(trace.strategy.builtin, false);
    assert.deepEqual(Object.keys(trace.commit.audit), ["m", "sign(m)"]);
    assert.equal(trace.commit.lr, 0.01, "the rate set mid-run");
    assert.match(text(audit["text/html"]), /<th>sign\(m\)<\/th>/);
    assert.match(text(audit["text/plain"]), /Signum/);
    assert.match(result(code[5]!), /: true; Adj = LR × sign\(m\): true; LR before\/after the change: 0\.02 → 0\.01'$/);
  });

  it("uninstalls the kernelspec", () => {
    const out = execFileSync(process.execPath, [cli, "kernel", "uninstall", "--prefix", path.join(tmp, "prefix")], { env, encoding: "utf8" });
    assert.match(out, /removed kernelspec neuroforge/);
    const list = JSON.parse(execFileSync("jupyter", ["kernelspec", "list", "--json"], { env, encoding: "utf8" })) as { kernelspecs: Record<string, unknown> };
    assert.equal(list.kernelspecs.neuroforge, undefined);
  });
});
