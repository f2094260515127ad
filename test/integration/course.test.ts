/**
 * The course (samples/course/*.ipynb), as CI must run it: Debian's `jupyter nbconvert --execute` with the
 * `neuroforge` kernelspec of this build runs every notebook top to bottom. Fails on any error output, on a
 * code cell without output, and on a cell whose outputs (output types and MIME types) differ from the
 * committed ones. Every committed output reads without the extension (text/plain, and an HTML/SVG/markdown
 * fallback beside each custom MIME type). Each exercise (a code cell tagged `exercise` whose metadata gives
 * its reference `answer` and a `wrong` one) is checked both ways: the committed notebook passes with the
 * reference answers, and a copy with every answer replaced by its wrong one makes each exercise's own check
 * fail, naming it ("Exercise k:"). The shipped runs (samples/course/runs/manifest.json) verify, stay under
 * 2 MB, and are what their documented command records (same config hash).
 * Skipped (with a message) when jupyter-nbconvert is not installed; .ci/run installs it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { NfrunReader } from "../../kernel/record/reader";
import { suiteSandbox } from "./support/jupyter-sandbox";
import { codeCells, errorsOf, executeNotebook, hasNbconvert, readNotebook, type Notebook, type NotebookCell } from "./support/notebooks";

const repo = path.resolve(__dirname, "../..");
const courseDir = path.join(repo, "samples", "course");
const cli = path.join(repo, "bin", "neuroforge.cjs");
const PROGRESS = "application/vnd.neuroforge.progress+json";

const source = (c: NotebookCell) => (Array.isArray(c.source) ? c.source.join("") : c.source);
/** What a reader sees of a cell: its outputs' types and MIME types (the progress bar comes and goes with speed). */
const shape = (c: NotebookCell) =>
  (c.outputs ?? [])
    .filter((o) => o.output_type !== "stream" && !(o.data && PROGRESS in o.data))
    .map((o) => `${o.output_type}[${Object.keys(o.data ?? {}).sort().join(",")}]`);
const notebooks = fs.readdirSync(courseDir).filter((f) => /^\d\d-.+\.ipynb$/.test(f)).sort();

describe("course notebooks (nbconvert --execute)", { skip: hasNbconvert ? false : "jupyter-nbconvert is not installed", timeout: 900_000, concurrency: 2 }, () => {
  const sandbox = suiteSandbox("nf-course-");

  /** Executes a copy of a notebook and returns the executed notebook. */
  async function execute(name: string, nb: Notebook, allowErrors: boolean): Promise<Notebook> {
    // A sibling of samples/course (same depth), so the lessons' relative paths (../config/…) hold.
    const dir = fs.mkdtempSync(path.join(courseDir, "..", ".executing-"));
    try {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(nb));
      return await executeNotebook(dir, name, sandbox.env, { timeoutS: 120, allowErrors });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("has the lessons the course README lists, in order", () => {
    assert.ok(notebooks.length >= 7, `lessons: ${notebooks.join(", ")}`);
    const readme = fs.readFileSync(path.join(courseDir, "README.md"), "utf8");
    const linked = [...readme.matchAll(/\]\((\d\d-[^)]+\.ipynb)\)/g)].map((m) => m[1]);
    assert.deepEqual(linked, notebooks);
  });

  for (const name of notebooks) {
    const committed = readNotebook(path.join(courseDir, name));

    it(`${name}: kernelspec neuroforge; every committed output has a fallback that reads without the extension`, () => {
      assert.equal(committed.metadata.kernelspec.name, "neuroforge");
      assert.equal(committed.metadata.kernelspec.language, "typescript");
      for (const [k, c] of codeCells(committed).entries()) {
        assert.ok(shape(c).length > 0, `code cell ${k + 1} has committed output`);
        for (const o of c.outputs ?? []) {
          assert.notEqual(o.output_type, "error", `code cell ${k + 1} committed with an error: ${o.evalue}`);
          if (!o.data) continue;
          const mimes = Object.keys(o.data);
          assert.ok(mimes.includes("text/plain"), `code cell ${k + 1}: ${mimes.join(", ")} has text/plain`);
          if (mimes.some((m) => m.startsWith("application/vnd.neuroforge."))) {
            assert.ok(mimes.some((m) => ["text/html", "image/svg+xml", "text/markdown"].includes(m)), `code cell ${k + 1}: ${mimes.join(", ")} has a rich fallback`);
          }
        }
      }
    });

    it(`${name}: runs top to bottom with the kernelspec, every cell's outputs as committed`, async () => {
      const executed = await execute(name, committed, false);
      const ran = codeCells(executed);
      const want = codeCells(committed);
      assert.equal(ran.length, want.length);
      for (const [k, c] of ran.entries()) {
        const errors = (c.outputs ?? []).filter((o) => o.output_type === "error");
        assert.deepEqual(errors, [], `code cell ${k + 1}: ${source(c).slice(0, 80)}`);
        assert.deepEqual(shape(c), shape(want[k]!), `code cell ${k + 1}'s outputs: ${source(c).slice(0, 80)}`);
      }
    });

    const exercises = codeCells(committed).filter((c) => c.metadata.neuroforge?.exercise);
    if (exercises.length === 0) continue;
    it(`${name}: each of its ${exercises.length} exercises' checks fails with the wrong answer, naming the exercise`, async () => {
      const wrong = structuredClone(committed);
      for (const c of codeCells(wrong)) {
        const ex = c.metadata.neuroforge?.exercise;
        if (!ex) continue;
        const text = source(c);
        assert.equal(text.split(ex.answer).length, 2, `the answer ${ex.answer} appears once in its cell`);
        c.source = text.replace(ex.answer, ex.wrong);
        c.outputs = [];
      }
      const executed = await execute(name, wrong, true);
      const errors = errorsOf(codeCells(executed));
      for (let k = 1; k <= exercises.length; k++) {
        assert.ok(errors.some((e) => e.startsWith(`AssertionError: Exercise ${k}:`)), `exercise ${k}'s check fails with a wrong answer; errors: ${errors.join(" | ")}`);
      }
    });
  }
});

interface ShippedRun {
  file: string;
  lesson: string;
  experiment: string;
  args: string[];
}

describe("course runs (samples/course/runs)", { timeout: 300_000 }, () => {
  const runsDir = path.join(courseDir, "runs");
  const manifest = JSON.parse(fs.readFileSync(path.join(runsDir, "manifest.json"), "utf8")) as ShippedRun[];
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nf-course-runs-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("ships a run file for lessons, each named in the manifest and nothing else", () => {
    assert.ok(manifest.length >= 3);
    assert.deepEqual(fs.readdirSync(runsDir).filter((f) => f.endsWith(".nfrun")).sort(), manifest.map((m) => m.file).sort());
    for (const m of manifest) assert.ok(fs.existsSync(path.join(courseDir, m.lesson)), `${m.file}: lesson ${m.lesson} exists`);
  });

  for (const m of manifest) {
    it(`${m.file}: under 2 MB, verified, and recorded by its documented command (same config hash)`, async () => {
      const shipped = path.join(runsDir, m.file);
      assert.ok(fs.statSync(shipped).size < 2 * 1024 * 1024, `${m.file} is ${fs.statSync(shipped).size} bytes`);
      const verify = spawnSync(process.execPath, [cli, "verify", shipped], { encoding: "utf8" });
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      const again = path.join(tmp, m.file);
      const train = spawnSync(process.execPath, [cli, "train", m.experiment, ...m.args, "--record", again], { cwd: runsDir, encoding: "utf8" });
      assert.equal(train.status, 0, train.stdout + train.stderr);
      const hashes = async (file: string) => {
        const reader = await NfrunReader.open(file);
        try {
          return reader.runs().map((r) => r.configHash);
        } finally {
          reader.close();
        }
      };
      assert.deepEqual(await hashes(shipped), await hashes(again));
    });
  }
});
