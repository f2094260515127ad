/**
 * `layer:neuron:weight` lists (`1:0:2, 0:3:1`; weight = inputs is the bias), as `neuroforge plot --weights`
 * and the .nfrun editor's weights field take them. Pure: no Node, so a webview imports it too.
 */
export interface WeightAddress {
  readonly layer: number;
  readonly neuron: number;
  readonly weight: number;
}

/** The addresses, or the first entry that is not one (as a phrase for the caller's error line). */
export function parseWeightList(text: string): WeightAddress[] | { readonly error: string } {
  const out: WeightAddress[] = [];
  for (const item of text.split(/[,\s]+/).filter((p) => p !== "")) {
    const m = /^(\d+):(\d+):(\d+)$/.exec(item);
    if (!m) return { error: `'${item}' is not layer:neuron:weight (e.g. 1:0:2)` };
    out.push({ layer: Number(m[1]), neuron: Number(m[2]), weight: Number(m[3]) });
  }
  return out;
}
