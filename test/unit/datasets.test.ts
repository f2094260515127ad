/**
 * Built-in generators (determinism, shapes, balance, geometry from their documented formulas, option
 * validation), the CSV loader (parsing and its errors) and the scalers (statistics from their formulas,
 * exact inverse, constant columns, JSON).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Dataset } from "../../kernel/engine/datasets/dataset";
import { loadCsvFile, parseCsv, parseCsvRecords } from "../../kernel/engine/datasets/csv";
import { generateDataset, generatorNames, generators, generatorSpecs, type GeneratorName } from "../../kernel/engine/datasets/generators";
import * as engine from "../../kernel/engine/index";
import { Rng } from "../../kernel/engine/math/rng";
import { DatasetScaler, Scaler } from "../../kernel/engine/scalers";

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const row = (a: Float64Array, width: number, i: number): number[] => Array.from(a.subarray(i * width, (i + 1) * width));
/** Class of sample i: the binary target, or the index of the one-hot 1. */
const classOf = (d: Dataset, i: number): number => (d.targetSize === 1 ? d.targets[i]! : row(d.targets, d.targetSize, i).indexOf(1));
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};
/** Angle difference reduced to (−π, π]. */
const angleDiff = (a: number, b: number): number => {
  const d = (((a - b) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI);
  return d - Math.PI;
};

function rangeError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RangeError, `expected a RangeError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

describe("generators: registry", () => {
  test("names, registry and index exports agree", () => {
    assert.deepEqual([...generatorNames].sort(), ["and", "circles", "gaussian", "moons", "or", "plane", "sine", "spiral", "xor"]);
    assert.deepEqual(Object.keys(generators).sort(), [...generatorNames].sort());
    assert.deepEqual(Object.keys(generatorSpecs).sort(), [...generatorNames].sort());
    assert.equal(engine.generators, generators);
    assert.equal(typeof engine.parseCsv, "function");
    assert.equal(typeof engine.DatasetScaler, "function");
  });

  for (const name of generatorNames) {
    test(`${name}: deterministic per seed, different across seeds, never touches Math.random`, () => {
      const random = Math.random;
      Math.random = () => {
        throw new Error("Math.random used");
      };
      try {
        const a = generators[name]({ seed: 12 });
        const b = generators[name]({ seed: 12 });
        const c = generators[name]({ seed: 13 });
        assert.ok(bytes(a.inputs).equals(bytes(b.inputs)) && bytes(a.targets).equals(bytes(b.targets)), "same seed, same data");
        assert.ok(!bytes(a.inputs).equals(bytes(c.inputs)) || !bytes(a.targets).equals(bytes(c.targets)), "another seed, other data");
      } finally {
        Math.random = random;
      }
    });

    test(`${name}: shape and names`, () => {
      const d = generators[name]({ count: 37 });
      assert.equal(d.name, name);
      assert.equal(d.count, 37);
      assert.equal(d.inputs.length, 37 * d.inputSize);
      assert.equal(d.targets.length, 37 * d.targetSize);
      assert.equal(d.inputNames.length, d.inputSize);
      assert.equal(d.targetNames.length, d.targetSize);
      assert.equal(d.inputSize, name === "sine" ? 1 : 2);
      assert.equal(d.targetSize, 1);
      assert.ok(d.inputs.every(Number.isFinite) && d.targets.every(Number.isFinite));
      assert.equal(generators[name]().count, 200, "default count");
    });
  }

  test("generateDataset looks names up, with a did-you-mean for typos", () => {
    assert.equal(generateDataset("moons", { count: 5 }).count, 5);
    rangeError(() => generateDataset("spirla"), /^data\.generator: unknown 'spirla' \(did you mean 'spiral'\?\)/);
    rangeError(() => generateDataset("mnist"), /^data\.generator: unknown 'mnist' \(known: xor, and, or/);
    rangeError(() => generateDataset("constructor"), /^data\.generator: unknown 'constructor'/);
  });
});

describe("generators: class balance and targets", () => {
  const binary: GeneratorName[] = ["circles", "spiral", "gaussian", "moons"];
  for (const name of binary) {
    test(`${name}: binary 0/1 target, balanced to within one sample, interleaved`, () => {
      for (const count of [200, 7]) {
        const d = generators[name]({ count });
        assert.deepEqual(d.targetNames, ["y"]);
        const ones = d.targets.filter((t) => t === 1).length;
        const zeros = d.targets.filter((t) => t === 0).length;
        assert.equal(ones + zeros, count, "only 0 and 1");
        assert.equal(zeros, Math.ceil(count / 2));
        assert.equal(ones, Math.floor(count / 2));
        for (let i = 0; i < count; i++) assert.equal(d.targets[i], i % 2);
      }
    });
  }

  for (const name of ["spiral", "gaussian"] as const) {
    test(`${name} with 4 classes: one-hot targets class0…class3, balanced`, () => {
      const d = generators[name]({ count: 103, classes: 4 });
      assert.equal(d.targetSize, 4);
      assert.deepEqual(d.targetNames, ["class0", "class1", "class2", "class3"]);
      const perClass = [0, 0, 0, 0];
      for (let i = 0; i < d.count; i++) {
        const r = row(d.targets, 4, i);
        assert.deepEqual([...r].sort(), [0, 0, 0, 1], `sample ${i} is one-hot`);
        assert.equal(r.indexOf(1), i % 4);
        perClass[r.indexOf(1)]++;
      }
      assert.deepEqual(perClass, [26, 26, 26, 25]);
    });
  }

  test("xor / and / or with count 4 and noise 0 are the truth tables", () => {
    const table = (name: "xor" | "and" | "or") => {
      const d = generators[name]({ count: 4, noise: 0 });
      return Array.from({ length: 4 }, (_, i) => [...row(d.inputs, 2, i), d.targets[i]]);
    };
    assert.deepEqual(table("xor"), [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]);
    assert.deepEqual(table("and"), [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]);
    assert.deepEqual(table("or"), [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]);
  });

  test("xor: samples scatter around their corner with std ≈ noise, labels follow the corner", () => {
    const noise = 0.1;
    const d = generators.xor({ count: 4000, noise, seed: 5 });
    const corners = [[0, 0], [0, 1], [1, 0], [1, 1]];
    for (let c = 0; c < 4; c++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = c; i < d.count; i += 4) {
        xs.push(d.inputs[2 * i]!);
        ys.push(d.inputs[2 * i + 1]!);
        assert.equal(d.targets[i], corners[c]![0]! ^ corners[c]![1]!);
      }
      // 1000 samples per corner: the mean's standard error is 0.1/√1000 ≈ 0.003.
      assert.ok(Math.abs(mean(xs) - corners[c]![0]!) < 0.015 && Math.abs(mean(ys) - corners[c]![1]!) < 0.015, `corner ${c} mean`);
      assert.ok(Math.abs(std(xs) - noise) < 0.01 && Math.abs(std(ys) - noise) < 0.01, `corner ${c} std`);
    }
  });
});

describe("generators: geometry (noise 0) from the documented formulas", () => {
  test("circles: class 0 on radius 1, class 1 on radius 0.5, evenly spaced angles", () => {
    const d = generators.circles({ count: 40, noise: 0 });
    for (let i = 0; i < d.count; i++) {
      const [x, y] = row(d.inputs, 2, i) as [number, number];
      assert.ok(Math.abs(Math.hypot(x, y) - (d.targets[i] === 0 ? 1 : 0.5)) < 1e-12, `sample ${i} radius`);
      // m-th of 20 in its class at angle 2πm/20.
      assert.ok(Math.abs(angleDiff(Math.atan2(y, x), (2 * Math.PI * Math.floor(i / 2)) / 20)) < 1e-12, `sample ${i} angle`);
    }
  });

  test("moons: sklearn's make_moons half circles, θ from 0 to π", () => {
    const d = generators.moons({ count: 30, noise: 0 });
    for (let i = 0; i < d.count; i++) {
      const [x, y] = row(d.inputs, 2, i) as [number, number];
      const theta = (Math.PI * Math.floor(i / 2)) / 14;
      const expected = d.targets[i] === 0 ? [Math.cos(theta), Math.sin(theta)] : [1 - Math.cos(theta), 1 - Math.sin(theta) - 0.5];
      assert.ok(Math.abs(x - expected[0]!) < 1e-12 && Math.abs(y - expected[1]!) < 1e-12, `sample ${i}`);
    }
    assert.deepEqual(row(d.inputs, 2, 0), [1, 0], "outer moon starts at (1, 0)");
    assert.ok(Math.abs(d.inputs[2 * 28]! + 1) < 1e-12 && Math.abs(d.inputs[2 * 28 + 1]!) < 1e-12, "outer moon ends at (−1, 0)");
  });

  test("spiral: radius t ∈ (0, 1) and angle 2πk/K + 3πt on arm k", () => {
    for (const classes of [2, 3, 5]) {
      const d = generators.spiral({ count: 60, noise: 0, classes });
      for (let i = 0; i < d.count; i++) {
        const [x, y] = row(d.inputs, 2, i) as [number, number];
        const k = classOf(d, i);
        const t = Math.hypot(x, y);
        assert.ok(t > 0 && t < 1);
        assert.ok(Math.abs(angleDiff(Math.atan2(y, x), (2 * Math.PI * k) / classes + 3 * Math.PI * t)) < 1e-9, `K=${classes} sample ${i}`);
      }
    }
  });

  test("gaussian: class means near centres 2·(cos 2πk/K, sin 2πk/K), spread ≈ noise", () => {
    const noise = 0.4;
    const d = generators.gaussian({ count: 3000, noise, classes: 3, seed: 8 });
    for (let k = 0; k < 3; k++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = k; i < d.count; i += 3) {
        xs.push(d.inputs[2 * i]!);
        ys.push(d.inputs[2 * i + 1]!);
      }
      const angle = (2 * Math.PI * k) / 3;
      // 1000 per class: standard error 0.4/√1000 ≈ 0.013.
      assert.ok(Math.abs(mean(xs) - 2 * Math.cos(angle)) < 0.05 && Math.abs(mean(ys) - 2 * Math.sin(angle)) < 0.05, `class ${k} mean`);
      assert.ok(Math.abs(std(xs) - noise) < 0.04 && Math.abs(std(ys) - noise) < 0.04, `class ${k} std`);
    }
  });

  test("plane: y = a·x1 + b·x2 + c exactly without noise; residual std ≈ noise with it", () => {
    const d = generators.plane({ count: 50, noise: 0, a: 3, b: -0.5, c: 7 });
    for (let i = 0; i < d.count; i++) {
      const [x1, x2] = row(d.inputs, 2, i) as [number, number];
      assert.ok(x1 >= -1 && x1 < 1 && x2 >= -1 && x2 < 1);
      assert.ok(Math.abs(d.targets[i]! - (3 * x1 - 0.5 * x2 + 7)) < 1e-12);
    }
    const n = generators.plane({ count: 4000, noise: 0.2, seed: 3 });
    const residuals = Array.from({ length: n.count }, (_, i) => n.targets[i]! - (2 * n.inputs[2 * i]! - n.inputs[2 * i + 1]! + 0.5));
    assert.ok(Math.abs(mean(residuals)) < 0.02 && Math.abs(std(residuals) - 0.2) < 0.01, "defaults a=2, b=−1, c=0.5, noise std");
  });

  test("sine: x ∈ [−π, π), y = sin x without noise", () => {
    const d = generators.sine({ count: 100, noise: 0 });
    for (let i = 0; i < d.count; i++) {
      assert.ok(d.inputs[i]! >= -Math.PI && d.inputs[i]! < Math.PI);
      assert.equal(d.targets[i], Math.sin(d.inputs[i]!));
    }
  });
});

describe("generators: option validation", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["count 0", () => generators.xor({ count: 0 }), /^data\.count: must be an integer ≥ 1, got 0$/],
    ["count 2.5", () => generators.moons({ count: 2.5 }), /^data\.count: must be an integer ≥ 1, got 2\.5$/],
    ["count as a string", () => generators.sine({ count: "10" as never }), /^data\.count: must be an integer ≥ 1, got "10"$/],
    ["negative noise", () => generators.circles({ noise: -0.1 }), /^data\.noise: must be a finite number ≥ 0/],
    ["NaN noise", () => generators.plane({ noise: NaN }), /^data\.noise:/],
    ["infinite noise", () => generators.sine({ noise: Infinity }), /^data\.noise:/],
    ["negative seed", () => generators.and({ seed: -1 }), /^data\.seed: must be an integer in \[0, 4294967295\]/],
    ["seed ≥ 2³²", () => generators.or({ seed: 2 ** 32 }), /^data\.seed:/],
    ["fractional seed", () => generators.xor({ seed: 0.5 }), /^data\.seed:/],
    ["classes 1", () => generators.spiral({ classes: 1 }), /^data\.classes: must be an integer ≥ 2, got 1$/],
    ["classes 2.5", () => generators.gaussian({ classes: 2.5 }), /^data\.classes:/],
    ["classes > count", () => generators.spiral({ classes: 5, count: 4 }), /^data\.count: must be ≥ classes \(5\)/],
    ["classes on a two-class generator", () => generators.moons({ classes: 3 }), /^data\.classes: not an option of the 'moons' generator \(options: count, noise, seed\)$/],
    ["plane coefficients elsewhere", () => generators.sine({ a: 1 }), /^data\.a: not an option of the 'sine' generator/],
    ["a typo", () => generators.xor({ nosie: 0.2 } as never), /^data\.nosie: not an option of the 'xor' generator \(did you mean 'noise'\?\)$/],
    ["non-finite coefficient", () => generators.plane({ b: NaN }), /^data\.b: must be a finite number/],
    ["options not an object", () => generators.xor(5 as never), /^data: expected an object of options/],
  ];
  for (const [name, fn, message] of cases) test(name, () => rangeError(fn, message));

  test("the path prefix follows `where`", () => {
    rangeError(() => generators.xor({ count: -3 }, "experiment.data"), /^experiment\.data\.count:/);
    rangeError(() => generateDataset("xor", { count: -3 }, "run.data"), /^run\.data\.count:/);
  });

  test("undefined options take their defaults; noise 0 and seed 0 and 2³²−1 are valid", () => {
    assert.equal(generators.xor({ count: undefined }).count, 200);
    assert.equal(generators.xor({ noise: 0, seed: 0, count: 1 }).count, 1);
    assert.equal(generators.xor({ seed: 2 ** 32 - 1, count: 1 }).count, 1);
  });
});

describe("CSV", () => {
  const text = ["x1,x2,label", "0.5,-1,1", "1e-3,+2.5,0", ".25, 3 ,1"].join("\n");

  test("header, default columns (last = target), numbers in every decimal notation", () => {
    const d = parseCsv(text);
    assert.equal(d.count, 3);
    assert.deepEqual(d.inputNames, ["x1", "x2"]);
    assert.deepEqual(d.targetNames, ["label"]);
    assert.deepEqual(Array.from(d.inputs), [0.5, -1, 0.001, 2.5, 0.25, 3]);
    assert.deepEqual(Array.from(d.targets), [1, 0, 1]);
  });

  test("inputs and targets chosen by name, in the given order", () => {
    const d = parseCsv(text, { inputs: ["label", "x1"], targets: ["x2"] });
    assert.deepEqual(d.inputNames, ["label", "x1"]);
    assert.deepEqual(Array.from(d.inputs), [1, 0.5, 0, 0.001, 1, 0.25]);
    assert.deepEqual(Array.from(d.targets), [-1, 2.5, 3]);
    const two = parseCsv(text, { targets: ["x1", "label"] });
    assert.deepEqual(two.inputNames, ["x2"]);
    assert.equal(two.targetSize, 2);
    assert.deepEqual(Array.from(two.targets), [0.5, 1, 0.001, 0, 0.25, 1]);
  });

  test("quoted fields: delimiters, doubled quotes and line breaks inside quotes", () => {
    const records = parseCsvRecords('a,"b, ""quoted""",c\n"multi\nline",2,"3"\n4,5,6');
    assert.deepEqual(records, [
      { line: 1, fields: ["a", 'b, "quoted"', "c"] },
      { line: 2, fields: ["multi\nline", "2", "3"] },
      { line: 4, fields: ["4", "5", "6"] },
    ]);
    const d = parseCsv('"x, one","y"\n"1.5","2"\n');
    assert.deepEqual(d.inputNames, ["x, one"]);
    assert.deepEqual(Array.from(d.inputs), [1.5]);
  });

  test("CRLF, a byte-order mark, blank and whitespace-only lines, no final newline", () => {
    const d = parseCsv("\ufeffa,b\r\n\r\n1,2\r\n   \r\n\t\r\n3,4");
    assert.deepEqual(d.inputNames, ["a"]);
    assert.deepEqual(Array.from(d.inputs), [1, 3]);
    assert.deepEqual(Array.from(d.targets), [2, 4]);
  });

  test("another delimiter", () => {
    const d = parseCsv("a;b\n1.5;2\n", { delimiter: ";", inputs: ["b"], targets: ["a"] });
    assert.deepEqual([Array.from(d.inputs), Array.from(d.targets)], [[2], [1.5]]);
    rangeError(() => parseCsv("a;b\n1,5;2\n", { delimiter: ";" }), /line 2, column 'a': "1,5" is not a number/);
    assert.deepEqual(Array.from(parseCsv("a\tb\n1\t2\n", { delimiter: "\t" }).inputs), [1]);
    rangeError(() => parseCsv(text, { delimiter: '"' }), /delimiter must be one character/);
    rangeError(() => parseCsv(text, { delimiter: ";;" }), /delimiter must be one character/);
  });

  const errors: [string, string, object, RegExp][] = [
    ["missing column with a hint", text, { inputs: ["x3"] }, /^data\.inputs: no column 'x3' in csv \(did you mean 'x1'\?\)$/],
    ["missing target with a hint", text, { targets: ["lable"] }, /^data\.targets: no column 'lable' in csv \(did you mean 'label'\?\)$/],
    ["missing column without a hint", text, { inputs: ["temperature"] }, /^data\.inputs: no column 'temperature' in csv \(columns: x1, x2, label\)$/],
    ["non-numeric cell: line and column", "a,b\n1,2\n\n3,abc\n", {}, /^csv line 4, column 'b': "abc" is not a number$/],
    ["empty cell", "a,b\n1,\n", {}, /^csv line 2, column 'b': an empty cell is not a number$/],
    ["NaN is not data", "a,b\nNaN,1\n", {}, /^csv line 2, column 'a': "NaN" is not a number$/],
    ["hex is not decimal", "a,b\n0x10,1\n", {}, /^csv line 2, column 'a': "0x10" is not a number$/],
    ["overflow", "a,b\n1e400,1\n", {}, /^csv line 2, column 'a': 1e400 overflows a float64$/],
    ["line number after a multi-line quoted header", 'a,"b\nc"\n1,2\n3,?\n', {}, /^csv line 4, column 'b\nc': "\?" is not a number$/],
    ["too many fields", "a,b\n1,2,3\n", {}, /^csv line 2: 3 fields but the header has 2$/],
    ["too few fields", "a,b\n1,2\n3\n", {}, /^csv line 3: 1 fields but the header has 2$/],
    ["unterminated quote", 'a,b\n1,"2\n3,4\n', {}, /^csv line 2: unterminated quoted field$/],
    ["text after a closing quote", 'a,b\n"1"x,2\n', {}, /^csv line 2: unexpected "x" after a closing quote$/],
    ["quote inside an unquoted field", 'a,b\n1,2"\n', {}, /^csv line 2: a quote inside an unquoted field/],
    ["header only", "a,b\n\n", {}, /^csv: no data rows after the header$/],
    ["empty text", "\n  \n", {}, /^csv: empty file/],
    ["empty column name", "a,,b\n1,2,3\n", {}, /^csv line 1: column 2 has an empty name$/],
    ["input that is also a target", text, { inputs: ["x1", "label"], targets: ["label"] }, /^data\.inputs: column 'label' is also a target$/],
    ["a column listed twice", text, { inputs: ["x1", "x1"] }, /^data\.inputs: column 'x1' is listed twice$/],
    ["ambiguous header", "a,a,b\n1,2,3\n", { inputs: ["a"] }, /^data\.inputs: column 'a' appears twice in the header of csv$/],
    ["no targets", text, { targets: [] }, /^data\.targets: choose at least one target column$/],
    ["no inputs", "y\n1\n", {}, /^data\.inputs: choose at least one input column$/],
    ["the dataset name in messages", "a,b\n1,x\n", { name: "iris.csv" }, /^iris\.csv line 2, column 'b'/],
  ];
  for (const [name, csv, options, message] of errors) test(`error: ${name}`, () => rangeError(() => parseCsv(csv, options), message));

  test("loadCsvFile reads a file and names the dataset after it; a missing file is a RangeError naming the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "nf-csv-"));
    try {
      const path = join(dir, "points.csv");
      writeFileSync(path, "u,v,w\n1,2,3\n4,5,6\n");
      const d = loadCsvFile(path, { inputs: ["u", "w"], targets: ["v"] });
      assert.equal(d.name, "points.csv");
      assert.deepEqual(Array.from(d.inputs), [1, 3, 4, 6]);
      assert.deepEqual(Array.from(d.targets), [2, 5]);
      writeFileSync(path, "u,v\n1,oops\n");
      rangeError(() => loadCsvFile(path), /^points\.csv line 2, column 'v': "oops" is not a number$/);
      const missing = join(dir, "nope.csv");
      rangeError(() => loadCsvFile(missing), new RegExp(`^data\\.csv: cannot read '${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scalers", () => {
  // Columns: [2, 4, 10], [−1, −1, −1] (constant), [1, 2, 6].
  const values = Float64Array.from([2, -1, 1, 4, -1, 2, 10, -1, 6]);

  test("minmax: shift = min, scale = max − min (constant column: scale 1); fitted data maps into [0, 1]", () => {
    const s = Scaler.fit("minmax", values, 3);
    assert.deepEqual(Array.from(s.shift), [2, -1, 1]);
    assert.deepEqual(Array.from(s.scale), [8, 1, 5]);
    assert.deepEqual(Array.from(s.transformRows(values)), [0, 0, 0, 0.25, 0, 0.2, 1, 0, 1]);
  });

  test("zscore: mean and population std (σ² = Σ(x − μ)²/n); constant column: scale 1", () => {
    const s = Scaler.fit("zscore", values, 3);
    // Column 0: μ = 16/3, σ² = ((−10/3)² + (−4/3)² + (14/3)²)/3 = (100 + 16 + 196)/27 = 104/9.
    assert.ok(Math.abs(s.shift[0]! - 16 / 3) < 1e-15);
    assert.ok(Math.abs(s.scale[0]! - Math.sqrt(104 / 9)) < 1e-14);
    assert.equal(s.shift[1], -1);
    assert.equal(s.scale[1], 1);
    // Column 2: μ = 3, σ² = (4 + 1 + 9)/3 = 14/3.
    assert.equal(s.shift[2], 3);
    assert.ok(Math.abs(s.scale[2]! - Math.sqrt(14 / 3)) < 1e-14);
    const t = s.transformRows(values);
    for (const k of [0, 2]) {
      const col = [t[k]!, t[3 + k]!, t[6 + k]!];
      assert.ok(Math.abs(mean(col)) < 1e-15, `column ${k} mean 0`);
      assert.ok(Math.abs(std(col) - 1) < 1e-15, `column ${k} population std 1`);
    }
    assert.deepEqual([t[1], t[4], t[7]], [0, 0, 0], "constant column maps to 0");
  });

  test("zscore is accurate on data with a large offset (two-pass, no cancellation)", () => {
    const s = Scaler.fit("zscore", [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4], 1);
    assert.equal(s.shift[0], 1e9 + 2.5);
    assert.ok(Math.abs(s.scale[0]! - Math.sqrt(1.25)) < 1e-12, `σ = ${s.scale[0]}`);
  });

  test("none is the identity", () => {
    const s = Scaler.fit("none", values, 3);
    assert.deepEqual(Array.from(s.transformRows(values)), Array.from(values));
    assert.deepEqual(Array.from(s.inverse([7, 8, 9])), [7, 8, 9]);
  });

  for (const kind of ["minmax", "zscore"] as const) {
    test(`${kind}: inverse(transform(x)) = x to 1e-12 (relative), for fitted and unseen vectors`, () => {
      const rng = new Rng(4);
      const width = 3;
      const data = Float64Array.from({ length: 300 }, (_, i) => [1e-3, 1, 1e6][i % width]! * rng.normal(5, 3));
      const s = Scaler.fit(kind, data, width);
      for (let r = 0; r < 120; r++) {
        const x = r < 100 ? row(data, width, r) : [rng.normal(0, 1e-2), rng.normal(0, 100), rng.normal(0, 1e8)];
        const back = s.inverse(s.transform(x));
        for (let k = 0; k < width; k++) assert.ok(Math.abs(back[k]! - x[k]!) <= 1e-12 * Math.max(Math.abs(x[k]!), s.scale[k]!), `row ${r} column ${k}`);
      }
    });
  }

  test("DatasetScaler: fit, transform returns a new dataset, predictions back in target units", () => {
    const raw = engine.datasetFromRows("rent", [[30, 1], [50, 2], [70, 3]], [[500], [900], [1300]], { inputs: ["m2", "rooms"], targets: ["euro"] });
    const copy = Float64Array.from(raw.inputs);
    const scaler = DatasetScaler.fit(raw, { inputs: "zscore", targets: "minmax" });
    const scaled = scaler.transform(raw);
    assert.notEqual(scaled.inputs, raw.inputs);
    assert.ok(bytes(raw.inputs).equals(bytes(copy)), "original untouched");
    assert.deepEqual(scaled.inputNames, ["m2", "rooms"]);
    assert.deepEqual(scaled.targetNames, ["euro"]);
    assert.deepEqual(Array.from(scaled.targets), [0, 0.5, 1]);
    // Inputs: μ = (50, 2), σ = √(800/3), √(2/3).
    assert.ok(Math.abs(scaled.inputs[0]! - -20 / Math.sqrt(800 / 3)) < 1e-14);
    assert.ok(Math.abs(scaled.inputs[1]! - -1 / Math.sqrt(2 / 3)) < 1e-14);
    assert.deepEqual(Array.from(scaler.inverseTarget([0.25])), [700]);
    assert.deepEqual(Array.from(scaler.transformInput([50, 2])), [0, 0]);
    const defaults = DatasetScaler.fit(raw);
    assert.equal(defaults.inputs.kind, "none");
    assert.equal(defaults.targets.kind, "none");
    rangeError(() => scaler.transform(engine.datasetFromRows("x", [[1]], [[1]])), /fitted for 2 inputs \/ 1 targets/);
    rangeError(() => scaler.inverseTarget([1, 2]), /expected a vector of 1 values, got 2/);
  });

  test("JSON round trip is exact", () => {
    const raw = generators.plane({ count: 50, seed: 2 });
    const scaler = DatasetScaler.fit(raw, { inputs: "zscore", targets: "minmax" });
    const back = DatasetScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
    const a = scaler.transform(raw);
    const b = back.transform(raw);
    assert.ok(bytes(a.inputs).equals(bytes(b.inputs)) && bytes(a.targets).equals(bytes(b.targets)));
    assert.deepEqual(back.toJSON(), scaler.toJSON());
    assert.equal(scaler.toJSON().format, "neuroforge.scalers");
  });

  const malformed: [string, unknown, RegExp][] = [
    ["not an object", "zscore", /^scalers: expected an object$/],
    ["wrong format", { format: "sklearn" }, /^scalers\.format:/],
    ["wrong version", { format: "neuroforge.scalers", version: 9 }, /^scalers\.version: unsupported version 9$/],
    ["unknown kind", { format: "neuroforge.scalers", version: 1, inputs: { kind: "robust", shift: [0], scale: [1] } }, /^scalers\.inputs\.kind:/],
    ["missing targets", { format: "neuroforge.scalers", version: 1, inputs: { kind: "none", shift: [0], scale: [1] } }, /^scalers\.targets: expected an object$/],
    ["zero scale", { format: "neuroforge.scalers", version: 1, inputs: { kind: "minmax", shift: [0], scale: [0] }, targets: {} }, /^scalers\.inputs\.scale\[0\]: must not be 0$/],
    ["string value", { format: "neuroforge.scalers", version: 1, inputs: { kind: "minmax", shift: ["1"], scale: [1] }, targets: {} }, /^scalers\.inputs\.shift\[0\]: expected a finite number$/],
    ["length mismatch", { format: "neuroforge.scalers", version: 1, inputs: { kind: "zscore", shift: [0, 1], scale: [1] }, targets: {} }, /^scalers\.inputs\.scale: expected 2 numbers/],
  ];
  for (const [name, json, message] of malformed) test(`fromJSON: ${name}`, () => rangeError(() => DatasetScaler.fromJSON(json), message));

  test("fit errors", () => {
    rangeError(() => Scaler.fit("robust" as never, values, 3), /^scaler: unknown scaler 'robust'/);
    rangeError(() => Scaler.fit("minmax", values, 2), /do not form rows of 2/);
    rangeError(() => Scaler.fit("zscore", [1, NaN], 1), /non-finite/);
    rangeError(() => Scaler.fit("minmax", [], 1), /need at least one row/);
  });
});
