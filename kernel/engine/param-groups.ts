import type { Model } from "./model";

/**
 * Parameter names and pattern-based parameter groups. A dense layer l has two parameters, named as
 * torch names an nn.Linear inside a Sequential called `layers`: `layers.<l>.weight` (every weight
 * index < inputs of every neuron) and `layers.<l>.bias` (weight index = inputs).
 *
 * A pattern matches a parameter when it occurs in the name on dot boundaries: `bias` matches
 * `layers.0.bias`; `layers.1` matches `layers.1.weight` and `layers.1.bias` but not `layers.10.weight`;
 * `layers.0.weight` matches that one parameter. (Hugging Face's `any(nd in name …)` idiom matches raw
 * substrings; dot boundaries avoid the `layers.1`/`layers.10` surprise.)
 */
export function parameterNames(model: Model): string[] {
  return model.layers.flatMap((l) => [`layers.${l.index}.weight`, `layers.${l.index}.bias`]);
}

export function patternMatches(pattern: string, name: string): boolean {
  return `.${name}.`.includes(`.${pattern}.`);
}

export interface NoDecayGroups {
  /** Per weight: 1 when it is in the no-decay group, else 0. */
  readonly mask: Uint8Array;
  /** The parameter names in the no-decay group, in model order. */
  readonly parameters: readonly string[];
  /** Weights in the no-decay group. */
  readonly weights: number;
}

/**
 * The no-decay group for `patterns`. Throws a RangeError naming the pattern when one matches no
 * parameter of the model (a misspelt pattern would otherwise silently decay everything).
 */
export function noDecayGroups(model: Model, patterns: readonly string[]): NoDecayGroups {
  const names = parameterNames(model);
  patterns.forEach((p, k) => {
    if (!names.some((n) => patternMatches(p, n))) {
      throw new RangeError(`no_decay_patterns[${k}]: '${p}' matches no parameter of this model (parameters: ${names.join(", ")})`);
    }
  });
  const mask = new Uint8Array(model.weightCount);
  const parameters: string[] = [];
  let weights = 0;
  for (const l of model.layers) {
    const weight = `layers.${l.index}.weight`;
    const bias = `layers.${l.index}.bias`;
    const w = patterns.some((p) => patternMatches(p, weight));
    const b = patterns.some((p) => patternMatches(p, bias));
    if (w) parameters.push(weight);
    if (b) parameters.push(bias);
    for (let j = 0; j < l.units; j++) {
      const base = l.offset + j * (l.inputs + 1);
      for (let q = 0; q < l.inputs; q++) if (w) mask[base + q] = 1;
      if (b) mask[base + l.inputs] = 1;
    }
    weights += (w ? l.units * l.inputs : 0) + (b ? l.units : 0);
  }
  return { mask, parameters, weights };
}
