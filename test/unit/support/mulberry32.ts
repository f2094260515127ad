/**
 * mulberry32: a small seeded generator, independent of the engine's Rng (uniform in [0, 1)). The
 * benchmarks' workloads draw from the same one; one copy, there.
 */
export { mulberry32 } from "../../../bench/mlp/workload";
