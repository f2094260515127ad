import { z } from "zod";
import { ExperimentConfigError, problemsFromZod } from "../config/errors";
import { Rng } from "../math/rng";
import { ARRAY_NAMES, columnsFor, orthogonalArray, type ArrayName } from "./orthogonal-arrays";
import { nextRound, type Proposal, type Trial } from "./adaptive";
import { distribution, drawValue, isLevels, value, type Distribution, type SweepValue } from "./values";

export type { Distribution, SweepValue } from "./values";

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
export const sweepSchema = z.strictObject({
  design: z.enum(["grid", "random", ...ARRAY_NAMES, "bandit", "evolution"]),
  params: z.record(z.string().min(1), z.union([z.array(value).min(1), distribution])),
  count: z.int().min(1).max(100_000).optional(),
  seed: z.int().min(0).optional(),
  /** Adaptive designs (./adaptive): runs in all, members per round, population, mutation rate, UCB's c. */
  budget: z.int().min(1).max(100_000).optional(),
  batch: z.int().min(1).max(10_000).optional(),
  population: z.int().min(2).max(10_000).optional(),
  mutation: z.number().min(0).max(1).optional(),
  c: z.number().min(0).optional(),
});

export type SweepSpec = z.input<typeof sweepSchema>;

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
  /** Adaptive designs: how many members the history held when this round was proposed. */
  readonly history?: number;
  readonly members: readonly SweepMember[];
}

const PLAIN = /^[\w.+\-/]+$/;

/** A value as override text: plain words and numbers as they are, anything else as JSON (YAML flow). */
export function overrideText(v: SweepValue): string {
  if (typeof v === "string") return PLAIN.test(v) && !/^(true|false|null|~|[-+]?[\d.]+(e[-+]?\d+)?)$/i.test(v) ? v : JSON.stringify(v);
  return typeof v === "number" ? String(v) : JSON.stringify(v);
}

/**
 * Validates a `sweep:` block (or a cell's spec) and spells out its members — for an adaptive design
 * (bandit, evolution) the next round's, from `history` (the members run so far). Errors name `sweep.<field>`.
 */
export function resolveSweep(input: unknown, file?: string, history: readonly Trial[] = []): ResolvedSweep {
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
  const adaptiveKeys = (["budget", "batch", "population", "mutation", "c"] as const).filter((k) => spec[k] !== undefined);
  if (spec.design === "bandit" || spec.design === "evolution") {
    if (spec.budget === undefined) throw new ExperimentConfigError("sweep.budget", `design: ${spec.design} needs budget (how many runs in all)`, file);
    if (spec.count !== undefined) throw new ExperimentConfigError("sweep.count", `design: ${spec.design} takes budget, not count`, file);
    let proposals: Proposal[];
    try {
      proposals = nextRound({ ...spec, design: spec.design, budget: spec.budget }, history);
    } catch (error) {
      const m = /^params\.([^:]+): (.*)$/.exec(error instanceof Error ? error.message : String(error));
      throw new ExperimentConfigError(m ? `sweep.params.${m[1]}` : "sweep", m ? m[2]! : String(error), file);
    }
    const members = proposals.map((p, k) => ({
      index: history.length + k,
      levels: factors.map((f) => (isLevels(f.values) ? f.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(p.values[f.name])) : -1)),
      overrides: [...factors.map((f) => `${f.name}=${overrideText(p.values[f.name]!)}`), ...(p.seed === undefined ? [] : [`seed=${p.seed}`])],
    }));
    return { design: spec.design, factors, seed: spec.seed ?? 0, history: history.length, members };
  }
  if (adaptiveKeys.length > 0) throw new ExperimentConfigError(`sweep.${adaptiveKeys[0]}`, `only the adaptive designs (bandit, evolution) take ${adaptiveKeys[0]}`, file);
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
  return { level: -1, value: drawValue(f, rng) };
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
