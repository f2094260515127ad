/**
 * Sweep designs: every orthogonal array balanced in every column pair, main effects against a hand
 * computation, grid order, seeded random draws, and the `sweep:` block's errors naming their field.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExperimentConfigError } from "../../kernel/engine/config/errors";
import { resolveSweep, overrideText } from "../../kernel/engine/sweep/design";
import { mainEffects, signalToNoise } from "../../kernel/engine/sweep/main-effects";
import { ARRAY_NAMES, orthogonalArray, smallestArrayFor } from "../../kernel/engine/sweep/orthogonal-arrays";

const SHAPES: Record<string, [rows: number, levels: number[]]> = {
  L4: [4, [2, 2, 2]],
  L8: [8, Array(7).fill(2)],
  L9: [9, Array(4).fill(3)],
  L16: [16, Array(15).fill(2)],
  L18: [18, [2, ...Array(7).fill(3)]],
  L25: [25, Array(6).fill(5)],
  L27: [27, Array(13).fill(3)],
};

describe("orthogonal arrays", () => {
  for (const name of ARRAY_NAMES) {
    it(`${name}: its published shape, and every column pair balanced`, () => {
      const a = orthogonalArray(name);
      const [rows, levels] = SHAPES[name]!;
      assert.equal(a.rows.length, rows);
      assert.deepEqual(a.levels, levels);
      for (const row of a.rows) row.forEach((x, c) => assert.ok(Number.isInteger(x) && x >= 0 && x < a.levels[c]!, `${name} entry ${x}`));
      for (let i = 0; i < a.levels.length; i++) {
        for (let j = i + 1; j < a.levels.length; j++) {
          const counts = new Map<string, number>();
          for (const row of a.rows) counts.set(`${row[i]},${row[j]}`, (counts.get(`${row[i]},${row[j]}`) ?? 0) + 1);
          const cells: number = a.levels[i]! * a.levels[j]!;
          assert.equal(counts.size, cells, `${name} columns ${i},${j}: every level pair occurs`);
          for (const n of counts.values()) assert.equal(n, rows / cells, `${name} columns ${i},${j} unbalanced`);
        }
      }
    });
  }

  it("the smallest array for some factors", () => {
    assert.equal(smallestArrayFor([3, 3, 3])?.name, "L9");
    assert.equal(smallestArrayFor([2, 3, 3, 3])?.name, "L18");
    assert.equal(smallestArrayFor([2, 2, 2, 2])?.name, "L8");
    assert.equal(smallestArrayFor([5, 5])?.name, "L25");
    assert.equal(smallestArrayFor([4]), null);
  });
});

describe("main effects", () => {
  it("mean and S/N per level equal a hand computation on an L4", () => {
    // L4 rows (A, B): (0,0) (0,1) (1,0) (1,1) as the GF(2) construction orders them.
    const sweep = resolveSweep({ design: "L4", params: { a: [1, 2], b: ["x", "y"] } });
    assert.deepEqual(sweep.members.map((m) => m.levels), [[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = [0.1, 0.3, 0.2, 0.6];
    const [a, b] = mainEffects(sweep, y);
    // A at level 0: runs 1, 2 → mean 0.2, S/N = −10·log10((0.01 + 0.09)/2) = 13.0103 dB.
    assert.ok(Math.abs(a!.levels[0]!.mean - 0.2) < 1e-15);
    assert.ok(Math.abs(a!.levels[0]!.sn - 13.010299956639813) < 1e-12);
    assert.ok(Math.abs(a!.levels[1]!.mean - 0.4) < 1e-15);
    assert.ok(Math.abs(a!.levels[1]!.sn - -10 * Math.log10(0.2)) < 1e-12);
    assert.ok(Math.abs(b!.levels[0]!.mean - 0.15) < 1e-15 && Math.abs(b!.levels[1]!.mean - 0.45) < 1e-15);
    assert.ok(Math.abs(b!.range - 0.3) < 1e-15);
    assert.equal(a!.best!.value, 1);
    assert.equal(b!.best!.value, "x");
    assert.ok(Math.abs(signalToNoise([2, 4], "larger") - -10 * Math.log10((0.25 + 0.0625) / 2)) < 1e-12);
    // A failed member (NaN) is left out of its levels.
    const [a2] = mainEffects(sweep, [NaN, 0.3, 0.2, 0.6]);
    assert.equal(a2!.levels[0]!.count, 1);
    assert.equal(a2!.levels[0]!.mean, 0.3);
    assert.throws(() => mainEffects(sweep, [1, 2]), /responses: expected 4/);
  });
});

describe("sweep designs", () => {
  it("grid: the cartesian product, first parameter slowest; overrides spelled as on the command line", () => {
    const s = resolveSweep({ design: "grid", params: { optimizer: ["adam", "sgd"], "optimizer.lr": [0.001, 0.01], "optimizer.betas": [[0.9, 0.99]] } });
    assert.deepEqual(s.members.map((m) => m.overrides.join(" ")), [
      "optimizer=adam optimizer.lr=0.001 optimizer.betas=[0.9,0.99]",
      "optimizer=adam optimizer.lr=0.01 optimizer.betas=[0.9,0.99]",
      "optimizer=sgd optimizer.lr=0.001 optimizer.betas=[0.9,0.99]",
      "optimizer=sgd optimizer.lr=0.01 optimizer.betas=[0.9,0.99]",
    ]);
    assert.equal(overrideText("true"), '"true"');
    assert.equal(overrideText("a b"), '"a b"');
  });

  it("L9: nine members, each level of each factor three times", () => {
    const s = resolveSweep({ design: "L9", params: { "optimizer.lr": [1e-3, 3e-3, 1e-2], "training.batch_size": [4, 8, 16], optimizer: ["adam", "sgd", "adamw"] } });
    assert.equal(s.members.length, 9);
    for (let f = 0; f < 3; f++) for (let l = 0; l < 3; l++) assert.equal(s.members.filter((m) => m.levels[f] === l).length, 3);
  });

  it("random: seeded (same seed, same members; another seed, others), within the ranges", () => {
    const spec = { design: "random", count: 20, seed: 7, params: { "optimizer.lr": { loguniform: [1e-4, 1e-1] }, "training.batch_size": { int: [2, 5] }, optimizer: ["adam", "sgd"] } } as const;
    const a = resolveSweep(spec);
    assert.deepEqual(resolveSweep(spec), a);
    assert.notDeepEqual(resolveSweep({ ...spec, seed: 8 }).members, a.members);
    for (const m of a.members) {
      const lr = Number(m.overrides[0]!.split("=")[1]);
      const batch = Number(m.overrides[1]!.split("=")[1]);
      assert.ok(lr >= 1e-4 && lr <= 1e-1, String(lr));
      assert.ok(Number.isInteger(batch) && batch >= 2 && batch <= 5);
      assert.deepEqual(m.levels.slice(0, 2), [-1, -1]);
      assert.equal(m.overrides[2], `optimizer=${["adam", "sgd"][m.levels[2]!]}`);
    }
    assert.equal(a.seed, 7);
  });

  const errors: [string, unknown, string, RegExp][] = [
    ["unknown design", { design: "L7", params: { a: [1] } }, "sweep.design", /unknown value "L7"/],
    ["levels that fit no column", { design: "L9", params: { a: [1, 2] } }, "sweep.design", /L9 has columns of 4 of 3 levels; the params give a 2 levels/],
    ["a distribution outside random", { design: "grid", params: { a: { uniform: [0, 1] } } }, "sweep.params.a", /needs design: random/],
    ["random without count", { design: "random", params: { a: [1, 2] } }, "sweep.count", /needs count/],
    ["loguniform from 0", { design: "random", count: 2, params: { a: { loguniform: [0, 1] } } }, "sweep.params.a.loguniform", /0 < lo ≤ hi/],
    ["count on a grid", { design: "grid", count: 3, params: { a: [1] } }, "sweep.count", /only design: random/],
    ["no params", { design: "grid", params: {} }, "sweep.params", /lists no parameter/],
    ["an unknown key", { design: "grid", params: { a: [1] }, sed: 1 }, "sweep.sed", /unknown key/],
  ];
  for (const [what, spec, field, pattern] of errors) {
    it(`error names its field: ${what}`, () => {
      assert.throws(
        () => resolveSweep(spec, "/cfg/train.yaml"),
        (e: unknown) => e instanceof ExperimentConfigError && e.field === field && pattern.test(e.message) && e.file === "/cfg/train.yaml",
      );
    });
  }
});
