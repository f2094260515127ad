import type { Arena } from "./math/arena";
import type { LayerInfo } from "./model";

/**
 * Folds the leverage of `rows` samples into one layer's part of the blame bank: for every weight of
 * neuron j, out[w_jk] = ((from[w_jk] + x₁ₖ·δ₁ⱼ) + x₂ₖ·δ₂ⱼ) + …, samples added one at a time in order — the
 * bank as banking them one by one leaves it (bit-identical) — and the bias likewise with input 1.
 * x holds the samples' layer inputs (rows × inputs), d their blames (rows × units): their byte addresses
 * in the arena. `out` may be `from`; `from` null stands for all +0 (a bank the batch has not touched),
 * which then need not be read.
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
  from: Float64Array | null,
  out: Float64Array,
  divisor: number,
): void {
  const fromZero = from === null ? 1 : 0;
  if (arena.owns(out) && (!from || arena.owns(from))) {
    // Owned, so byteOffset is the address (arena.address would check ownership again: ~20 ns a check).
    const at = out.byteOffset + l.offset * 8;
    arena.kernels.fold(at, from ? from.byteOffset + l.offset * 8 : at, x, d, l.inputs, l.units, rows, divisor, fromZero);
    return;
  }
  const size = l.units * (l.inputs + 1);
  const staged = arena.scratch(size);
  if (from) staged.set(from.subarray(l.offset, l.offset + size));
  const at = arena.address(staged);
  arena.kernels.fold(at, at, x, d, l.inputs, l.units, rows, divisor, fromZero);
  out.set(staged.subarray(0, size), l.offset);
}
