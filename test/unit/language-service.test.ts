/**
 * The notebook language service (kernel/runtime/language/service.ts) on the project's TypeScript and the
 * generated `neuroforge` declarations (dist/neuroforge-types, built by `node esbuild.mjs`): completions,
 * quick info and diagnostics across cells, with the kernel's semantics (later cells see earlier
 * declarations, may redeclare them and assign to an earlier `let`).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import ts from "typescript";
import { NotebookLanguageService } from "../../kernel/runtime/language/service";

const repo = path.resolve(__dirname, "../..");
const typesDir = path.join(repo, "dist", "neuroforge-types");
const root = path.join(repo, "samples", "notebooks");

/** The cell text with `|` marking the cursor, and the cursor's offset. */
function at(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf("|");
  assert.ok(offset >= 0, "the cell marks its cursor with |");
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

describe("notebook language service", { timeout: 120_000 }, () => {
  let service: NotebookLanguageService;
  before(() => {
    service = new NotebookLanguageService({ root, typesDir });
  });

  it("completes members of globals and of neuroforge's classes", () => {
    const math = at("Math.ma|");
    const trainer = at("const m = new Model({ inputs: 2, layers: [] } as never);\nm.|");
    service.setCells([`import { Model, Trainer } from "neuroforge";`, math.text, trainer.text]);
    const c = service.completions(1, math.offset);
    assert.ok(c.entries.some((e) => e.name === "max" && e.kind === "method"));
    assert.deepEqual([c.start, c.end], [5, 7], "the entries replace `ma`");
    const members = service.completions(2, trainer.offset).entries.map((e) => e.name);
    assert.ok(members.includes("predict"), `Model members: ${members.slice(0, 20).join(", ")}`);
  });

  it("completes the exports of neuroforge in an import, and names of earlier cells (not later ones)", () => {
    const imp = at(`import { Trai| } from "neuroforge";`);
    const use = at("const y = lear|");
    service.setCells([imp.text, "let learningRate = 0.1;", use.text, "const learnLater = 1;"]);
    assert.ok(service.completions(0, imp.offset).entries.some((e) => e.name === "Trainer"));
    const names = service.completions(2, use.offset).entries.map((e) => e.name);
    assert.ok(names.includes("learningRate"));
    assert.ok(!names.includes("learnLater"), "a later cell's declaration is not visible");
    assert.ok(!names.some((n) => n.startsWith("__neuroforge_cell_")), "our cell modules are not offered");
  });

  it("shows quick info: the declaration of an earlier cell's name, a class with its constructor", () => {
    const hover = at("count = 2;\nc|ount;");
    service.setCells([`import { Trainer } from "neuroforge";\nlet count = 1;`, hover.text, "Trainer"]);
    const info = service.quickInfo(1, hover.offset)!;
    assert.equal(info.signature, "let count: number");
    assert.deepEqual([info.start, info.end], [11, 16]);
    const trainer = service.quickInfo(2, "Trainer".length)!;
    assert.match(trainer.signature, /^\(alias\) class Trainer\nimport Trainer\nnew Trainer\(options: TrainerOptions\): Trainer$/);
    assert.equal(service.quickInfo(2, 0)!.signature, trainer.signature);
  });

  it("reports type errors with the cell and offsets (strict, as the kernel), and nothing for what the kernel allows", () => {
    const cells = [
      `import { Model } from "neuroforge";\nlet count = 1;\nconst label = "a";`,
      "count = count + 1;\nconst n: number = label;",
      'let label = 3;\nconst m: number = label;\nconst bad: string = count;\nlabel = "x";',
      "Math.ma;\nconst maybe: string = null;",
    ];
    service.setCells(cells);
    const found = service.diagnostics().map((d) => ({ cell: d.cell, text: cells[d.cell]!.slice(d.start, d.end), code: d.code }));
    assert.deepEqual(found, [
      { cell: 1, text: "n", code: 2322 }, // string is not assignable to number
      { cell: 2, text: "bad", code: 2322 }, // number is not assignable to string
      { cell: 2, text: "label", code: 2322 }, // label is a number since this cell redeclared it
      { cell: 3, text: "ma", code: 2339 }, // no property ma on Math
      { cell: 3, text: "maybe", code: 2322 }, // null is not a string: strict, as the kernel checks cells
    ]);
    const message = service.diagnostics().find((d) => d.cell === 3)!.message;
    assert.equal(message, "Property 'ma' does not exist on type 'Math'.");
  });

  it("reports syntax errors, and none from the text it appends to a cell", () => {
    service.setCells(["const a = (1 + ;", "a"]);
    const d = service.diagnostics();
    assert.equal(d.length, 1);
    assert.equal(d[0]!.cell, 0);
    assert.equal(d[0]!.code, 1109); // Expression expected.
  });

  it("accepts every code cell of the sample notebooks (they run in the kernel)", () => {
    const dir = path.join(repo, "samples", "notebooks");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
      const cells = nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
      assert.ok(cells.length > 0);
      service.setCells(cells);
      assert.deepEqual(service.diagnostics(), [], file);
    }
  });

  it("keeps two notebooks of one folder apart when they share a document registry (as in the worker)", () => {
    // The worker shares one registry between notebooks; files named by folder and cell index alone made a
    // notebook see another's cell text of the same version (no squiggles in VS Code once a second
    // notebook of the folder was open).
    const registry = ts.createDocumentRegistry();
    const first = new NotebookLanguageService({ root, typesDir, registry });
    const second = new NotebookLanguageService({ root, typesDir, registry });
    first.setCells(["const rate = 0.5;", "const fine = rate;"]);
    second.setCells(["const rate = 0.5;", "const wrong: string = rate;"]);
    assert.deepEqual(first.diagnostics(), []);
    assert.deepEqual(
      second.diagnostics().map((d) => [d.cell, d.code, d.message]),
      [[1, 2322, "Type 'number' is not assignable to type 'string'."]],
    );
    assert.ok(first.completions(1, "const fine = ".length).entries.some((e) => e.name === "rate"));
    assert.equal(second.quickInfo(1, "const wrong: string = ra".length)!.signature, "const rate: 0.5");
    first.dispose();
    second.dispose();
  });

  it("names a cell that does not exist", () => {
    service.setCells(["1"]);
    assert.throws(() => service.completions(3, 0), /cell 3 does not exist \(the notebook has 1 TypeScript cells\)/);
  });
});
