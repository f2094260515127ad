import { z } from "zod";
import { ExperimentConfigError, problemsFromZod } from "../config/errors";
import { Rng } from "../math/rng";
import { ARRAY_NAMES, columnsFor, orthogonalArray, type ArrayName } from "./orthogonal-arrays";

/**
 * A sweep's design, declared in a config's `sweep:` block or passed from a cell (the same shape):
 *   sweep:
 *     design: L9                 # grid | random | L4 L8 L9 L16 L18 L25 L27
 *     params:
 *       optimizer: [adam, sgd, adamw]          # a group selection, like an override
 *       optimizer.lr: [1.0e-3, 3.0e-3, 1.0e-2]
 *       training.batch_size: [4, 8, 16]
 * `random` also takes `count` and `seed`, and a parameter may be a distribution:
 *   {uniform: [lo, hi]}, {loguniform: [lo, hi]}, {int: [lo, hi]} (inclusive), beside a list (a choice).
 * Every member is a list of `key=value` overrides, applied after the command line's.
 */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const value = z.union([scalar, z.array(scalar), z.record(z.string(), scalar)]);
const range = z.tuple([z.number(), z.number()]);
const distribution = z.union([
  z.strictObject({ uniform: range }),
  z.strictObject({ loguniform: range }),
  z.strictObject({ int: range }),
]);
export const sweepSchema = z.strictObject({
  design: z.enum(["grid", "random", ...ARRAY_NAMES]),
  params: z.record(z.string().min(1), z.union([z.array(value).min(1), distribution])),
  count: z.int().min(1).max(100_000).optional(),
  seed: z.int().min(0).optional(),
});

export type SweepSpec = z.input<typeof sweepSchema>;
export type SweepValue = z.infer<typeof value>;
export type Distribution = z.infer<typeof distribution>;

export interface SweepMember {
  /** 0-based position in the sweep (stable across shards and machines). */
  readonly index: number;
  /** `key=value` overrides, one per factor. */
  readonly overrides: readonly string[];
  /** Per factor: the level index, or −1 for a value drawn from a distribution. */
  readonly levels: readonly number[];
}

/** The sweep with every member spelled out: exported and hashed like a resolved config. */
export interface ResolvedSweep {
  readonly design: SweepSpec["design"];
  readonly factors: readonly { readonly name: string; readonly values: readonly SweepValue[] | Distribution }[];
  readonly count?: number;
  readonly seed?: number;
  readonly members: readonly SweepMember[];
}

const PLAIN = /^[\w.+\-/]+$/;

/** A value as override text: plain words and numbers as they are, anything else as JSON (YAML flow). */
export function overrideText(v: SweepValue): string {
  if (typeof v === "string") return PLAIN.test(v) && !/^(true|false|null|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(v) ? v : JSON.stringify(v);
  return typeof v === "number" ? String(v) : JSON.stringify(v);
}

/** Validates a `sweep:` block (or a cell's spec) and spells out its members. Errors name `sweep.<field>`. */
export function resolveSweep(input: unknown, file?: string): ResolvedSweep {
  const parsed = sweepSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(sweepSchema, parsed.error.issues, "sweep");
    throw new ExperimentConfigError(problems[0]!.field, problems[0]!.message, file, problems);
  }
  const spec = parsed.data;
  const factors = Object.entries(spec.params).map(([name, values]) => ({ name, values }));
  if (factors.length === 0) throw new ExperimentConfigError("sweep.params", "lists no parameter to sweep", file);
  const lists = factors.map((f) => f.values);
  const isList = (v: (typeof lists)[number]): v is SweepValue[] => Array.isArray(v);
  for (const f of factors) {
    if (Array.isArray(f.values)) continue;
    const [kind, [lo, hi]] = Object.entries(f.values)[0] as [string, [number, number]];
    if (!(lo <= hi) || (kind === "loguniform" && !(lo > 0)) || (kind === "int" && !(Number.isInteger(lo) && Number.isInteger(hi)))) {
      const need = kind === "loguniform" ? "0 < lo ≤ hi" : kind === "int" ? "integers lo ≤ hi" : "lo ≤ hi";
      throw new ExperimentConfigError(`sweep.params.${f.name}.${kind}`, `expected [lo, hi] with ${need}, got [${lo}, ${hi}]`, file);
    }
  }
  if (spec.design !== "random") {
    const bad = factors.find((f) => !isList(f.values));
    if (bad) throw new ExperimentConfigError(`sweep.params.${bad.name}`, `a distribution needs design: random; ${spec.design} takes a list of levels`, file);
    if (spec.count !== undefined || spec.seed !== undefined) {
      throw new ExperimentConfigError(spec.count !== undefined ? "sweep.count" : "sweep.seed", `only design: random takes count and seed`, file);
    }
  }
  const text = (f: number, v: SweepValue) => `${factors[f]!.name}=${overrideText(v)}`;
  const member = (index: number, levels: number[], values: SweepValue[]): SweepMember => ({
    index,
    levels,
    overrides: values.map((v, f) => text(f, v)),
  });
  let members: SweepMember[];
  if (spec.design === "grid") {
    let rows: number[][] = [[]];
    for (const f of lists as SweepValue[][]) rows = rows.flatMap((r) => f.map((_, l) => [...r, l]));
    members = rows.map((levels, k) => member(k, levels, levels.map((l, f) => (lists[f] as SweepValue[])[l]!)));
  } else if (spec.design === "random") {
    if (spec.count === undefined) throw new ExperimentConfigError("sweep.count", "design: random needs count (how many members to draw)", file);
    const rng = new Rng(spec.seed ?? 0);
    members = Array.from({ length: spec.count }, (_, k) => {
      const drawn = lists.map((f) => draw(f, rng));
      return member(k, drawn.map((d) => d.level), drawn.map((d) => d.value));
    });
  } else {
    members = arrayMembers(spec.design, lists as SweepValue[][], factors.map((f) => f.name), file).map((levels, k) =>
      member(k, levels, levels.map((l, f) => (lists[f] as SweepValue[])[l]!)),
    );
  }
  return {
    design: spec.design,
    factors,
    ...(spec.count === undefined ? {} : { count: spec.count }),
    ...(spec.design === "random" ? { seed: spec.seed ?? 0 } : {}),
    members,
  };
}

function draw(f: SweepValue[] | Distribution, rng: Rng): { level: number; value: SweepValue } {
  if (Array.isArray(f)) {
    const level = rng.int(f.length);
    return { level, value: f[level]! };
  }
  if ("uniform" in f) return { level: -1, value: rng.uniform(f.uniform[0], f.uniform[1]) };
  if ("loguniform" in f) return { level: -1, value: Math.exp(rng.uniform(Math.log(f.loguniform[0]), Math.log(f.loguniform[1]))) };
  return { level: -1, value: f.int[0] + rng.int(f.int[1] - f.int[0] + 1) };
}

/** The array's rows restricted to one column per factor (each factor's level count must match a column). */
function arrayMembers(name: ArrayName, lists: readonly SweepValue[][], names: readonly string[], file?: string): number[][] {
  const array = orthogonalArray(name);
  const columns = columnsFor(array, lists.map((l) => l.length));
  if (columns === null) {
    const counts = lists.map((l, f) => `${names[f]} ${l.length}`).join(", ");
    const offer = [...new Set(array.levels)].map((l) => `${array.levels.filter((x) => x === l).length} of ${l}`).join(" and ");
    throw new ExperimentConfigError("sweep.design", `${name} has columns of ${offer} levels; the params give ${counts} levels`, file);
  }
  return array.rows.map((row) => columns.map((c) => row[c]!));
}
