import type { LayerInfo } from "./model";

/**
 * Folds the leverage of `rows` samples into one layer's part of the blame bank: for every weight of
 * neuron j, out[w_jk] = ((from[w_jk] + x₁ₖ·δ₁ⱼ) + x₂ₖ·δ₂ⱼ) + …, samples added one at a time in order — the
 * bank as banking them one by one leaves it (bit-identical) — and the bias likewise with input 1.
 * x holds the samples' layer inputs (rows × inputs), d their blames (rows × units). `out` may be `from`.
 * With `divisor` ≠ 1 each result is then divided by it (the commit's avg = bank / count).
 */
export function foldLeverage(
  l: LayerInfo,
  x: Float64Array,
  d: Float64Array,
  rows: number,
  from: Float64Array,
  out: Float64Array,
  divisor: number,
): void {
  if (rows === 1) foldOne(l, x, d, from, out);
  else foldRows(l, x, d, rows, from, out);
  if (divisor !== 1) {
    for (let i = l.offset, end = l.offset + l.units * (l.inputs + 1); i < end; i++) out[i] = out[i]! / divisor;
  }
}

/** One sample: four neurons per pass over the inputs, so each input is loaded once per four neurons. */
function foldOne(l: LayerInfo, x: Float64Array, d: Float64Array, from: Float64Array, out: Float64Array): void {
  const inputs = l.inputs;
  const stride = inputs + 1;
  const units = l.units;
  let j = 0;
  let base = l.offset;
  for (; j + 4 <= units; j += 4, base += 4 * stride) {
    const base1 = base + stride;
    const base2 = base1 + stride;
    const base3 = base2 + stride;
    const d0 = d[j]!;
    const d1 = d[j + 1]!;
    const d2 = d[j + 2]!;
    const d3 = d[j + 3]!;
    for (let k = 0; k < inputs; k++) {
      const xk = x[k]!;
      out[base + k] = from[base + k]! + xk * d0;
      out[base1 + k] = from[base1 + k]! + xk * d1;
      out[base2 + k] = from[base2 + k]! + xk * d2;
      out[base3 + k] = from[base3 + k]! + xk * d3;
    }
    out[base + inputs] = from[base + inputs]! + d0;
    out[base1 + inputs] = from[base1 + inputs]! + d1;
    out[base2 + inputs] = from[base2 + inputs]! + d2;
    out[base3 + inputs] = from[base3 + inputs]! + d3;
  }
  for (; j < units; j++, base += stride) {
    const dj = d[j]!;
    for (let k = 0; k < inputs; k++) out[base + k] = from[base + k]! + x[k]! * dj;
    out[base + inputs] = from[base + inputs]! + dj;
  }
}

/**
 * Several samples: a small matrix product, each weight's sum over the samples kept in a register.
 * Four neurons × two inputs at a time: eight independent addition chains, six loads per eight products,
 * and each bank entry is read and written once per batch instead of once per sample.
 */
function foldRows(l: LayerInfo, x: Float64Array, d: Float64Array, rows: number, from: Float64Array, out: Float64Array): void {
  const inputs = l.inputs;
  const stride = inputs + 1;
  const units = l.units;
  let j = 0;
  let base = l.offset;
  for (; j + 4 <= units; j += 4, base += 4 * stride) {
    const base1 = base + stride;
    const base2 = base1 + stride;
    const base3 = base2 + stride;
    let k = 0;
    for (; k + 2 <= inputs; k += 2) {
      let a0 = from[base + k]!;
      let a1 = from[base1 + k]!;
      let a2 = from[base2 + k]!;
      let a3 = from[base3 + k]!;
      let b0 = from[base + k + 1]!;
      let b1 = from[base1 + k + 1]!;
      let b2 = from[base2 + k + 1]!;
      let b3 = from[base3 + k + 1]!;
      for (let r = 0, xo = k, dO = j; r < rows; r++, xo += inputs, dO += units) {
        const xa = x[xo]!;
        const xb = x[xo + 1]!;
        const d0 = d[dO]!;
        const d1 = d[dO + 1]!;
        const d2 = d[dO + 2]!;
        const d3 = d[dO + 3]!;
        a0 += xa * d0;
        a1 += xa * d1;
        a2 += xa * d2;
        a3 += xa * d3;
        b0 += xb * d0;
        b1 += xb * d1;
        b2 += xb * d2;
        b3 += xb * d3;
      }
      out[base + k] = a0;
      out[base1 + k] = a1;
      out[base2 + k] = a2;
      out[base3 + k] = a3;
      out[base + k + 1] = b0;
      out[base1 + k + 1] = b1;
      out[base2 + k + 1] = b2;
      out[base3 + k + 1] = b3;
    }
    for (; k <= inputs; k++) {
      // The last odd input, then the bias (input 1: the sum of the blames).
      const bias = k === inputs;
      let a0 = from[base + k]!;
      let a1 = from[base1 + k]!;
      let a2 = from[base2 + k]!;
      let a3 = from[base3 + k]!;
      for (let r = 0, xo = k, dO = j; r < rows; r++, xo += inputs, dO += units) {
        if (bias) {
          a0 += d[dO]!;
          a1 += d[dO + 1]!;
          a2 += d[dO + 2]!;
          a3 += d[dO + 3]!;
        } else {
          const xk = x[xo]!;
          a0 += xk * d[dO]!;
          a1 += xk * d[dO + 1]!;
          a2 += xk * d[dO + 2]!;
          a3 += xk * d[dO + 3]!;
        }
      }
      out[base + k] = a0;
      out[base1 + k] = a1;
      out[base2 + k] = a2;
      out[base3 + k] = a3;
    }
  }
  for (; j < units; j++, base += stride) {
    for (let k = 0; k <= inputs; k++) {
      let acc = from[base + k]!;
      if (k === inputs) for (let r = 0; r < rows; r++) acc += d[r * units + j]!;
      else for (let r = 0; r < rows; r++) acc += x[r * inputs + k]! * d[r * units + j]!;
      out[base + k] = acc;
    }
  }
}
