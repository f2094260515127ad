import type { RecordingPolicy } from "../record/policy";

/** The recording policy flags of `neuroforge train` (kernel/record/policy.ts), as given on the command line. */
export interface RecordPolicyFlags {
  /** `all`, or any of `first=N`, `every=K`, `last`, comma-separated. */
  readonly recordEpochs?: string;
  /** Layer indices, comma-separated: `1` or `0,2`. */
  readonly recordLayers?: string;
  /** `layer:neuron` pairs, comma-separated: `1:0,0:3`. */
  readonly recordNeurons?: string;
}

/** Thrown for a flag value that does not parse; the message names the flag. */
export class PolicyFlagError extends Error {}

const count = (flag: string, text: string): number => {
  if (!/^\d+$/.test(text)) throw new PolicyFlagError(`${flag}: expected a whole number ≥ 0, got '${text}'`);
  return Number(text);
};

const list = (text: string): string[] => text.split(",").map((s) => s.trim()).filter((s) => s !== "");

export function recordingPolicy(flags: RecordPolicyFlags): RecordingPolicy {
  const policy: { epochs?: RecordingPolicy["epochs"]; layers?: number[]; neurons?: { layer: number; neuron: number }[] } = {};
  if (flags.recordEpochs !== undefined && flags.recordEpochs.trim() !== "all") {
    const epochs: { first?: number; every?: number; last?: boolean } = {};
    for (const part of list(flags.recordEpochs)) {
      const [key, value] = part.split("=");
      if (key === "last" && value === undefined) epochs.last = true;
      else if ((key === "first" || key === "every") && value !== undefined) epochs[key] = count("--record-epochs", value);
      else throw new PolicyFlagError(`--record-epochs: unknown part '${part}'; give all, or any of first=N, every=K, last (comma-separated)`);
    }
    policy.epochs = epochs;
  }
  if (flags.recordLayers !== undefined) policy.layers = list(flags.recordLayers).map((l) => count("--record-layers", l));
  if (flags.recordNeurons !== undefined) {
    policy.neurons = list(flags.recordNeurons).map((pair) => {
      const m = /^(\d+):(\d+)$/.exec(pair);
      if (!m) throw new PolicyFlagError(`--record-neurons: expected layer:neuron pairs (1:0,0:3), got '${pair}'`);
      return { layer: Number(m[1]), neuron: Number(m[2]) };
    });
  }
  return policy;
}
