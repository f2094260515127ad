/**
 * The notebook language service as the VS Code extension uses it: the LanguageClient and its worker
 * thread (dist/language-worker.js, run `npm run build` first), on a generated `cells`-cell notebook
 * (default 30: an import from neuroforge, then cells declaring data, functions, interfaces and values
 * that use earlier cells).
 *   - first call: a new worker → sync + completions (TypeScript, the lib and neuroforge declarations loaded);
 *   - warm completion: an edit of one cell (its text changes, as on every keystroke), then completions at a
 *     member access in it (`rows<k>[0].`), client-side round trip, p50/p95 over `calls`, the edited cell
 *     moving through the notebook — target p95 ≤ 200 ms;
 *   - whole-notebook diagnostics after such an edit (what the squiggles wait for, after the 300 ms debounce).
 * `npm run bench -- language [--cells=30] [--calls=200] [--checks=20]`
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LanguageClient, bundledLanguageOptions } from "../kernel/runtime/language/client";
import { intOption, median, quantile, type Benchmark, type BenchOptions } from "./lib/harness";

const dist = path.resolve(__dirname, "../dist");

function notebook(cells: number): string[] {
  const out = [`import { Model, Trainer, display } from "neuroforge";\nconst seed = 7;`];
  for (let i = 1; i < cells; i++) {
    const prev = i > 1 ? `rows${i - 1}.length` : "seed";
    out.push(
      [
        `const data${i} = Array.from({ length: 20 }, (_, j) => [Math.sin(j * ${i}), Math.cos(j + ${prev})]);`,
        `function score${i}(xs: number[][]): number { return xs.reduce((s, [a, b]) => s + a * b, 0); }`,
        `interface Row${i} { x: number; y: number; label: string }`,
        `const rows${i}: Row${i}[] = data${i}.map(([x, y]) => ({ x, y, label: String(score${i}([[x, y]])) }));`,
        `let total${i} = rows${i}.length + score${i}(data${i});`,
      ].join("\n"),
    );
  }
  return out;
}

async function run(options: BenchOptions): Promise<void> {
  if (!fs.existsSync(path.join(dist, "language-worker.js"))) throw new Error("dist/language-worker.js is missing: run `npm run build` first");
  const count = intOption(options, "cells", 30, 2);
  const calls = intOption(options, "calls", 200);
  const checks = intOption(options, "checks", 20);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nf-bench-language-"));
  const client = new LanguageClient(bundledLanguageOptions(dist));
  try {
    const cells = notebook(count);
    const nb = "bench";
    const edit = (k: number, n: number): { cells: string[]; offset: number } => {
      const text = `${cells[k]}\n// edit ${n}\nrows${k}[0].`;
      return { cells: cells.map((c, i) => (i === k ? text : c)), offset: text.length };
    };
    const completeAt = async (k: number, n: number): Promise<number> => {
      const e = edit(k, n);
      await client.call("sync", { notebook: nb, root, cells: e.cells });
      const answer = await client.call("completions", { notebook: nb, cell: k, offset: e.offset });
      if (!answer.entries.some((x) => x.name === "label")) throw new Error(`cell ${k}: completions lack the member 'label'`);
      return answer.entries.length;
    };

    let t0 = performance.now();
    await completeAt(count - 1, 0);
    const first = performance.now() - t0;
    console.log(`first call (worker start, sync, completions in cell ${count}): ${first.toFixed(0)} ms`);

    const times: number[] = [];
    const cpu: number[] = [];
    for (let n = 1; n <= calls; n++) {
      const k = 1 + (n % (count - 1));
      const c0 = process.cpuUsage();
      t0 = performance.now();
      await completeAt(k, n);
      times.push(performance.now() - t0);
      // Process-wide CPU (the worker thread included): what the call costs when it does not wait for a core.
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    console.log(
      `warm completion after an edit (${count} cells): p50 ${median(times).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, ` +
        `max ${times.reduce((a, b) => Math.max(a, b), 0).toFixed(1)} ms over ${calls} calls — target p95 ≤ 200 ms; ` +
        `CPU per call p50 ${median(cpu).toFixed(1)} ms, p95 ${quantile(cpu, 0.95).toFixed(1)} ms; load ${os.loadavg()[0]!.toFixed(1)}`,
    );

    const diag: number[] = [];
    for (let n = 1; n <= checks; n++) {
      const e = edit(1 + (n % (count - 1)), calls + n);
      t0 = performance.now();
      await client.call("sync", { notebook: nb, root, cells: e.cells });
      await client.call("diagnostics", { notebook: nb });
      diag.push(performance.now() - t0);
    }
    console.log(`diagnostics of every cell after an edit: p50 ${median(diag).toFixed(0)} ms, p95 ${quantile(diag, 0.95).toFixed(0)} ms over ${checks}`);
  } finally {
    await client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const languageBenchmark: Benchmark = {
  name: "language",
  description: "notebook language service: first call, warm completion p95 in a 30-cell notebook, diagnostics",
  run,
};
