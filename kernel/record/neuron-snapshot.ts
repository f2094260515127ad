import type { NfrunReader } from "./reader";
import type { NeuronSnapshot, NotRecorded } from "./reader-types";
import { findCommit, notRecorded } from "./reader-util";
import { checkWeight, inputOf, weightsAfter } from "./weight-trace";

/**
 * One neuron for one sample of one epoch: the forward pass (inputs × weights = products, Σ, z,
 * activation), its blame and blame sources (downstream weight × downstream blame), and per weight
 * the backprop rows (input × blame = leverage, bank so far). Weights are those before the batch's commit.
 */
export function neuronSnapshot(r: NfrunReader, runId: string, layer: number, neuron: number, epoch: number, sample: number): NeuronSnapshot | NotRecorded {
  const ctx = r.context(runId);
  const l = checkWeight(r, ctx, layer, neuron, 0);
  if (!ctx.recorded.has(epoch)) return notRecorded(`epoch ${epoch} was not recorded (recording policy)`);
  const c = ctx.col[layer]![neuron]!;
  if (c < 0) return notRecorded(`neuron [layer ${layer}, neuron ${neuron}] was not recorded (recording policy)`);
  if (layer > 0 && Array.from(ctx.col[layer - 1]!).some((v) => v < 0)) return notRecorded(`the inputs of neuron [layer ${layer}, neuron ${neuron}] were not recorded`);
  const position = r.positionOfSample(runId, epoch, sample);
  if (position === null) return notRecorded(`sample ${sample} of epoch ${epoch} is not recorded`);
  const batch = Math.floor(position / ctx.info.batchSize);
  const slot = position % ctx.info.batchSize;
  const t = findCommit(ctx, epoch, batch);
  if (t === null) return notRecorded(`batch ${batch} of epoch ${epoch} has no commit in the file`);
  const w = weightsAfter(r, ctx, t - 1, layer, neuron);
  if (!w) return notRecorded(`the weights of neuron [layer ${layer}, neuron ${neuron}] before commit t=${t} are not recorded`);
  const { chunk, i } = r.samplAt(runId, epoch, position)!;
  const R = ctx.R;
  const inputs: { weight: number; input: number; value: number; product: number }[] = [];
  let sum = 0;
  for (let k = 0; k < l.inputs; k++) {
    const input = inputOf(ctx, layer, k, chunk, i);
    const product = input * w[k]!;
    sum += product;
    inputs.push({ weight: k, input, value: w[k]!, product });
  }
  sum = sum + w[l.inputs]!;
  // z is not stored (schema 2): the engine computes it in this order, so the sum is z bit-exactly
  // (verify checks a = f(z) with the engine's own forward pass).
  const z = sum;
  const a = chunk.a[i * R + c]!;
  const blame = chunk.blame[i * R + c]!;
  const fPrime = l.activation.name === "softmax" ? null : l.activation.derivative(z, a);
  type Source = { neuron: number; weight: number; downstreamBlame: number; product: number };
  let sources: Source[] | null = null;
  let sourcesSum: number | null = null;
  const next = ctx.layers[layer + 1];
  if (next) {
    const list: Source[] = [];
    let acc = 0;
    for (let k = 0; k < next.units; k++) {
      const ck = ctx.col[layer + 1]![k]!;
      const wk = ck < 0 ? null : weightsAfter(r, ctx, t - 1, layer + 1, k);
      if (ck < 0 || !wk) {
        list.length = 0;
        break;
      }
      const weight = wk[neuron]!;
      const downstreamBlame = chunk.blame[i * R + ck]!;
      const product = weight * downstreamBlame;
      acc += product;
      list.push({ neuron: k, weight, downstreamBlame, product });
    }
    if (list.length === next.units) {
      sources = list;
      sourcesSum = acc;
    }
  }
  // Backprop rows: this sample's leverage and the bank of the batch up to and including it.
  const backprop: NeuronSnapshot["backprop"][number][] = [];
  const first = batch * ctx.info.batchSize;
  const batchSamples = Array.from({ length: slot + 1 }, (_, s2) => r.samplAt(runId, epoch, first + s2)!);
  for (let k = 0; k <= l.inputs; k++) {
    let cumulative = 0;
    let leverage = 0;
    let input = 0;
    for (let s2 = 0; s2 <= slot; s2++) {
      const at2 = batchSamples[s2]!;
      const x = inputOf(ctx, layer, k, at2.chunk, at2.i);
      const lv = x * at2.chunk.blame[at2.i * R + c]!;
      cumulative += lv;
      if (s2 === slot) {
        leverage = lv;
        input = x;
      }
    }
    backprop.push({ weight: k, input, blame, leverage, cumulative });
  }
  return {
    kind: "neuron-snapshot",
    runId,
    layer,
    neuron,
    epoch,
    position,
    sample,
    batch,
    slot,
    t,
    loss: chunk.loss[i]!,
    forward: { inputs, bias: w[l.inputs]!, sum, z, activation: l.activation.name, a },
    blame,
    fPrime,
    sources,
    sourcesSum,
    backprop,
  };
}
