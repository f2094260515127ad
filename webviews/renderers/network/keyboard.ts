/**
 * Arrow keys walk the drawn graph: on a weight, ↑/↓ go to the previous/next weight into the same neuron,
 * ← to the neuron it comes from (a bias: its neuron), → to the neuron it feeds; on a neuron, ↑/↓ go
 * along its column, ← to its first incoming weight, → to its first outgoing weight.
 */
export interface NavWeight {
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
  readonly isBias: boolean;
}

export interface NavNeuron {
  /** 0 = inputs, c ≥ 1 = layer c − 1. */
  readonly column: number;
  readonly index: number;
}

export function arrowTarget<W extends NavWeight, N extends NavNeuron>(key: string, at: W | N, weights: readonly W[], neurons: readonly N[]): W | N | null {
  const neuron = (column: number, index: number) => neurons.find((n) => n.column === column && n.index === index) ?? null;
  if ("weight" in at) {
    const siblings = weights.filter((w) => w.layer === at.layer && w.neuron === at.neuron);
    const k = siblings.indexOf(at);
    if (key === "ArrowUp") return siblings[k - 1] ?? null;
    if (key === "ArrowDown") return siblings[k + 1] ?? null;
    if (key === "ArrowLeft") return at.isBias ? neuron(at.layer + 1, at.neuron) : neuron(at.layer, at.weight);
    if (key === "ArrowRight") return neuron(at.layer + 1, at.neuron);
    return null;
  }
  if (key === "ArrowUp") return neuron(at.column, at.index - 1);
  if (key === "ArrowDown") return neuron(at.column, at.index + 1);
  if (key === "ArrowLeft") return at.column === 0 ? null : (weights.find((w) => w.layer === at.column - 1 && w.neuron === at.index) ?? null);
  if (key === "ArrowRight") return weights.find((w) => w.layer === at.column && !w.isBias && w.weight === at.index) ?? null;
  return null;
}
