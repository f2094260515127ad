import type { Arena } from "./math/arena";
import type { LayerInfo } from "./model";

/**
 * Folds the leverage of `rows` samples into one layer's part of the blame bank: for every weight of
 * neuron j, out[w_jk] = ((from[w_jk] + x₁ₖ·δ₁ⱼ) + x₂ₖ·δ₂ⱼ) + …, samples added one at a time in order — the
 * bank as banking them one by one leaves it (bit-identical) — and the bias likewise with input 1.
 * x holds the samples' layer inputs (rows × inputs), d their blames (rows × units): their byte addresses
 * in the arena. `out` may be `from`.
 * With `divisor` ≠ 1 each result is then divided by it (the commit's avg = bank / count). The work is
 * the `fold` kernel (kernels.wat). A bank from outside the arena (a
 * caller's own) is folded through an arena scratch copy of this layer's part.
 */
export function foldLeverage(
  arena: Arena,
  l: LayerInfo,
  x: number,
  d: number,
  rows: number,
  from: Float64Array,
  out: Float64Array,
  divisor: number,
): void {
  if (arena.owns(out) && arena.owns(from)) {
    arena.kernels.fold(arena.address(out, l.offset), arena.address(from, l.offset), x, d, l.inputs, l.units, rows, divisor);
    return;
  }
  const size = l.units * (l.inputs + 1);
  const staged = arena.scratch(size);
  staged.set(from.subarray(l.offset, l.offset + size));
  arena.kernels.fold(arena.address(staged), arena.address(staged), x, d, l.inputs, l.units, rows, divisor);
  out.set(staged.subarray(0, size), l.offset);
}
