import { z } from "zod";
import type { Rng } from "../math/rng";

/** What a swept parameter takes: a list of levels (values as in an override), or a distribution to draw from. */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const value = z.union([scalar, z.array(scalar), z.record(z.string(), scalar)]);
const range = z.tuple([z.number(), z.number()]);
export const distribution = z.union([
  z.strictObject({ uniform: range }),
  z.strictObject({ loguniform: range }),
  z.strictObject({ int: range }),
]);

export type SweepValue = z.infer<typeof value>;
export type Distribution = z.infer<typeof distribution>;

/** A parameter's levels (a list), as opposed to a distribution. */
export const isLevels = (v: readonly SweepValue[] | Distribution): v is readonly SweepValue[] => Array.isArray(v);

/** A value drawn from a distribution. */
export function drawValue(f: Distribution, rng: Rng): number {
  if ("uniform" in f) return rng.uniform(f.uniform[0], f.uniform[1]);
  if ("loguniform" in f) return Math.exp(rng.uniform(Math.log(f.loguniform[0]), Math.log(f.loguniform[1])));
  return f.int[0] + rng.int(f.int[1] - f.int[0] + 1);
}
