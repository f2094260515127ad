/**
 * Clipping by global gradient norm, as torch.nn.utils.clip_grad_norm_ (1.13) computes it:
 *   ‖g‖ = √(Σᵢ avgᵢ²) over every weight of the model (avg = blame bank / count),
 *   scale = min(1, c / (‖g‖ + 1e-6)),
 * and the strategy steps on avg × scale. torch adds 1e-6 to the norm (so a norm exactly at c still
 * scales by c/(c+1e-6) < 1); we follow torch rather than the textbook `‖g‖ > c ? c/‖g‖ : 1`.
 */
export const CLIP_EPSILON = 1e-6;

/** ‖bank / count‖₂, summed in weight order (the same order and operations as StrategyState.gradNorm). */
export function globalGradNorm(bank: Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0, n = bank.length; i < n; i++) {
    const avg = bank[i]! / count;
    sum += avg * avg;
  }
  return Math.sqrt(sum);
}

/** torch's clip coefficient, clamped to 1: min(1, maxNorm / (norm + 1e-6)). NaN for a non-finite norm. */
export function clipScale(norm: number, maxNorm: number): number {
  if (!Number.isFinite(norm)) return NaN;
  return Math.min(1, maxNorm / (norm + CLIP_EPSILON));
}
