import type { HyperValue, Strategy } from "./strategy";

/** A configuration problem, naming the offending field (e.g. `optimizer.beta1`). */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ConfigError";
  }
}

/** Closest candidate by edit distance, for "did you mean" hints; null when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Resolves a strategy's hyperparameters from user-given values: defaults fill the gaps; unknown keys,
 * wrong types, out-of-range values and missing required values throw a ConfigError naming the field.
 */
export function resolveHyperparameters(
  strategy: Strategy,
  given: Readonly<Record<string, unknown>>,
  prefix = "optimizer",
): Record<string, HyperValue> {
  const specs = strategy.hyperparameters;
  const names = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (!(key in specs)) {
      const hint = didYouMean(key, names);
      throw new ConfigError(
        `${prefix}.${key}`,
        `unknown hyperparameter for ${strategy.name}` +
          (hint ? ` (did you mean '${hint}'?)` : ` (known: ${names.join(", ")})`),
      );
    }
  }
  const resolved: Record<string, HyperValue> = {};
  for (const name of names) {
    const spec = specs[name]!;
    const field = `${prefix}.${name}`;
    const value = given[name] ?? spec.default;
    if (value === undefined) throw new ConfigError(field, `required for ${strategy.name}`);
    const expected = typeof spec.default === "boolean" ? "boolean" : "number";
    if (typeof value !== expected) {
      throw new ConfigError(field, `expected a ${expected}, got ${JSON.stringify(value)}`);
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new ConfigError(field, `must be a finite number, got ${value}`);
      if (spec.integer && !Number.isInteger(value)) throw new ConfigError(field, `must be an integer, got ${value}`);
      if (spec.min !== undefined && value < spec.min) throw new ConfigError(field, `must be ≥ ${spec.min}, got ${value}`);
      if (spec.max !== undefined && value > spec.max) throw new ConfigError(field, `must be ≤ ${spec.max}, got ${value}`);
      if (spec.greaterThan !== undefined && !(value > spec.greaterThan)) {
        throw new ConfigError(field, `must be > ${spec.greaterThan}, got ${value}`);
      }
    }
    resolved[name] = value as HyperValue;
  }
  const problem = strategy.validate?.(resolved);
  if (problem) throw new ConfigError(prefix, problem);
  return resolved;
}
