/**
 * The notebook kernel process over its own protocol (kernel/runtime/kernel/protocol.ts): state across
 * cells, redeclaration, top-level await, `neuroforge` with nothing installed, relative imports, packages
 * from the notebook folder, cell-relative error lines, interrupt (busy loop, training with a recorder),
 * progress display, restart. Runs the built dist/kernel.js (npm test builds first).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { NfrunReader } from "../../kernel/record";
import { KernelClient } from "../../kernel/runtime/kernel/client";
import type { KernelMessage } from "../../kernel/runtime/kernel/protocol";

const kernelPath = path.resolve(__dirname, "../../dist/kernel.js");

function notebookFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nf-kernel-"));
  fs.writeFileSync(path.join(dir, "helper.ts"), "export function double(x: number): number {\n  return x * 2;\n}\n");
  fs.writeFileSync(path.join(dir, "plain.js"), "exports.greet = (name) => `hello ${name}`;\n");
  fs.mkdirSync(path.join(dir, "node_modules", "tiny-pkg"), { recursive: true });
  fs.writeFileSync(path.join(dir, "node_modules", "tiny-pkg", "package.json"), JSON.stringify({ name: "tiny-pkg", main: "index.js" }));
  fs.writeFileSync(path.join(dir, "node_modules", "tiny-pkg", "index.js"), "exports.answer = 42;\n");
  return dir;
}

const XOR_SETUP = `import { Model, Trainer, generateDataset, getStrategy } from "neuroforge";
const data = generateDataset("xor", {});
const model = new Model({ inputs: 2, layers: [{ units: 4, activation: "tanh" }, { units: 1, activation: "sigmoid" }] });
model.initialize({ name: "xavier_uniform" }, 1);`;

describe("kernel process", { timeout: 120_000 }, () => {
  let dir: string;
  let kernel: KernelClient;

  before(async () => {
    assert.ok(fs.existsSync(kernelPath), "dist/kernel.js is built (node esbuild.mjs)");
    dir = notebookFolder();
    kernel = await KernelClient.start({ cwd: dir, kernelPath });
  });
  after(async () => {
    await kernel?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps state across cells, allows redeclaring, shows the last expression", async () => {
    const a = await kernel.execute("let x: number = 20;\nconst y = 1;\nconsole.log('x is', x);\nx + y");
    assert.equal(a.status, "ok");
    assert.equal(a.stdout, "x is 20\n");
    assert.equal(a.result?.data["text/plain"], "21");
    const b = await kernel.execute("let x = 'now a string';\nx.toUpperCase() + y");
    assert.equal(b.status, "ok", JSON.stringify(b.error));
    assert.equal(b.result?.data["text/plain"], "'NOW A STRING1'");
    const c = await kernel.execute("function twice(n: number) { return 2 * n; }\ninterface P { v: number }");
    assert.equal(c.status, "ok");
    assert.equal(c.result, undefined);
    const d = await kernel.execute("const p: P = { v: twice(4) };\np.v");
    assert.equal(d.result?.data["text/plain"], "8");
    assert.ok(d.executionCount > c.executionCount);
  });

  it("supports top-level await", async () => {
    const r = await kernel.execute("const v = await new Promise<number>((resolve) => setTimeout(() => resolve(7), 20));\nv * 6");
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    assert.equal(r.result?.data["text/plain"], "42");
  });

  it("resolves neuroforge with nothing installed, relative .ts/.js imports and node_modules packages", async () => {
    assert.ok(!fs.existsSync(path.join(dir, "node_modules", "neuroforge")));
    const r = await kernel.execute(`${XOR_SETUP}\nmodel`);
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    assert.match(String(r.result?.data["text/plain"]), /2 → 4 tanh → 1 sigmoid/);
    assert.ok(r.result?.data["application/vnd.neuroforge.network+json"]);
    const t = await kernel.execute("model.spec.inputs = 'two';");
    assert.equal(t.status, "error", "the engine's types reach the type checker");
    assert.equal(t.error?.ename, "TypeError");
    const imp = await kernel.execute("import { double } from './helper';\nimport { greet } from './plain.js';\nimport { answer } from 'tiny-pkg';\n`${double(21)} ${greet('nf')} ${answer}`");
    assert.equal(imp.status, "ok", JSON.stringify(imp.error));
    assert.equal(imp.result?.data["text/plain"], "'42 hello nf 42'");
  });

  it("reports type errors at cell-relative lines and stays usable", async () => {
    const r = await kernel.execute("const ok = 1;\n\nconst bad: number = 'text';\n");
    assert.equal(r.status, "error");
    assert.equal(r.error?.ename, "TypeError");
    assert.equal(r.error?.diagnostics?.[0]?.line, 3);
    assert.equal(r.error?.diagnostics?.[0]?.column, 7);
    assert.equal(r.error?.diagnostics?.[0]?.code, 2322);
    assert.match(r.error!.traceback[0]!, /line 3, column 7: error TS2322/);
    const next = await kernel.execute("1 + 1");
    assert.equal(next.result?.data["text/plain"], "2");
  });

  it("reports runtime errors at cell-relative lines (also from functions of earlier cells)", async () => {
    const r = await kernel.execute("// a comment\ntype T = { a: number };\nconst t: T = { a: 1 };\n\nif (t.a > 0) {\n  throw new RangeError('too big: ' + t.a);\n}");
    assert.equal(r.status, "error");
    assert.equal(r.error?.ename, "RangeError");
    assert.equal(r.error?.evalue, "too big: 1");
    assert.equal(r.error?.line, 6);
    const def = await kernel.execute("function explode(n: number): number {\n  if (n > 2) {\n    throw new Error('exploded at ' + n);\n  }\n  return n;\n}");
    const call = await kernel.execute("\nexplode(5);");
    assert.equal(call.status, "error");
    assert.ok(call.error!.traceback.some((l) => l.includes(`explode (cell [${def.executionCount}], line 3)`)), call.error!.traceback.join("\n"));
    assert.ok(call.error!.traceback.some((l) => l.includes(`(cell [${call.executionCount}], line 2)`)), call.error!.traceback.join("\n"));
    const next = await kernel.execute("explode(1)");
    assert.equal(next.result?.data["text/plain"], "1");
  });

  it("interrupts a synchronous busy loop within 1 s and runs the next cell", async () => {
    for (const code of ["let spins = 0;\nwhile (true) { spins++; }", "await new Promise((r) => setTimeout(r, 20));\nwhile (true) {}"]) {
      const running = kernel.execute(code);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      kernel.interrupt();
      const r = await running;
      const took = performance.now() - t0;
      assert.equal(r.status, "interrupted");
      assert.equal(r.error?.ename, "Interrupted");
      assert.ok(took < 1000, `stopped after ${took.toFixed(0)} ms`);
      const next = await kernel.execute("await new Promise((r) => setTimeout(r, 5));\nprocess.nextTick(() => {});\n'still alive'");
      assert.equal(next.result?.data["text/plain"], "'still alive'");
    }
  });

  it("interrupts a long trainer.fit within 1 s; the recording is saved and marked interrupted", async () => {
    const file = path.join(dir, "interrupted.nfrun");
    const setup = await kernel.execute(
      `${XOR_SETUP}\nimport { RunRecorder } from "neuroforge";\nconst recorder = await RunRecorder.create(${JSON.stringify(file)}, { data, checkpointSeconds: 3600 });\nconst trainer = new Trainer({ model, loss: "bce", strategy: getStrategy("sgd"), hyperparameters: { lr: 0.5 }, batchSize: 2, observers: [recorder] });`,
    );
    assert.equal(setup.status, "ok", JSON.stringify(setup.error));
    const messages: KernelMessage[] = [];
    const running = kernel.execute("const result = trainer.fit(data, 1000000);\nresult", (m) => messages.push(m));
    // Interrupt only once training is visibly under way (its progress display has appeared and been
    // updated): a fixed delay is not enough on a loaded machine.
    const deadline = performance.now() + 20_000;
    while (messages.filter((m) => m.type === "update").length < 1 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = performance.now();
    kernel.interrupt();
    const r = await running;
    const took = performance.now() - t0;
    assert.equal(r.status, "interrupted");
    assert.ok(took < 1000, `stopped after ${took.toFixed(0)} ms`);
    assert.match(r.stderr, /run recording saved as interrupted/);
    // One progress display, updated in place; its last state says interrupted.
    const progress = messages.filter((m) => m.type === "display" || m.type === "update");
    assert.ok(progress.length >= 2, `progress messages: ${progress.length}`);
    assert.equal(progress.filter((m) => m.type === "display").length, 1, "one progress display");
    const ids = new Set(progress.map((m) => (m.type === "display" || m.type === "update" ? m.displayId : "")));
    assert.equal(ids.size, 1, "every update replaces the same display");
    const last = progress.at(-1)!;
    assert.ok(last.type === "update");
    assert.equal((last.data["application/vnd.neuroforge.progress+json"] as { status: string }).status, "interrupted");
    assert.match(String(last.data["text/plain"]), /^epoch \d+\/1000000 .* loss .* samples\/s/);
    const reader = await NfrunReader.open(file);
    try {
      const [run] = reader.runs();
      assert.equal(run!.status, "interrupted");
      assert.ok(run!.commits > 0);
    } finally {
      reader.close();
    }
    const next = await kernel.execute("trainer.t > 0");
    assert.equal(next.result?.data["text/plain"], "true");
  });

  it("restart clears all state", async () => {
    await kernel.execute("const keep = 'here';");
    await kernel.restart();
    const r = await kernel.execute("typeof keep");
    assert.equal(r.status, "error", "keep is no longer declared");
    const ok = await kernel.execute("const keep = 1;\nkeep");
    assert.equal(ok.result?.data["text/plain"], "1");
  });
});
