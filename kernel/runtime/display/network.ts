import type { Model } from "../../engine/model";
import { MIME, type MimeBundle } from "./mime";

export function networkBundle(model: Model): MimeBundle {
  const arch = [String(model.spec.inputs), ...model.spec.layers.map((l) => `${l.units} ${l.activation}`)].join(" → ");
  return {
    [MIME.network]: { inputs: model.spec.inputs, layers: model.spec.layers.map((l) => ({ units: l.units, activation: l.activation })) },
    "text/plain": `Model ${arch} (${model.weightCount} weights incl. biases)`,
  };
}
