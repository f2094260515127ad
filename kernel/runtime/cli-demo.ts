import { version } from "../../package.json";
import { buildExperiment, type BuiltExperiment } from "../engine/config/build";
import { resolveExperiment } from "../engine/config/experiment";
import { StopSignals } from "./stop-signals";
import { describeExperiment, EXIT, reportResult, trainInterruptibly, type Print } from "./cli-run";
import { progressModeFor, ProgressReporter } from "./progress";

/**
 * The demo experiment: XOR, the smallest problem that needs a hidden layer. The same object could be
 * written as an experiment file (samples/experiments/xor.yaml is its twin).
 */
export const demoExperiment = {
  name: "demo-xor",
  seed: 0,
  model: {
    layers: [
      { units: 4, activation: "tanh" },
      { units: 1, activation: "sigmoid" },
    ],
    init: { name: "xavier_uniform" },
  },
  data: { generator: "xor", count: 4, noise: 0 },
  loss: "bce",
  optimizer: { name: "sgd", lr: 0.5, momentum: 0.9 },
  training: { batch_size: 4, epochs: 300 },
} as const;

export interface DemoOptions {
  readonly quiet: boolean;
}

/** Predict every sample: input, target, prediction (the model's output for each sample). */
function truthTable(b: BuiltExperiment, print: Print, title: string): void {
  const ds = b.dataset;
  print(title);
  print(`  ${ds.inputNames.join("  ")}   ${ds.targetNames.map((n) => `target ${n}`).join("  ")}   prediction`);
  for (let i = 0; i < ds.count; i++) {
    const x = Array.from(ds.inputs.subarray(i * ds.inputSize, (i + 1) * ds.inputSize));
    const y = Array.from(ds.targets.subarray(i * ds.targetSize, (i + 1) * ds.targetSize));
    const p = Array.from(b.model.predict(ds.inputs, i * ds.inputSize));
    print(`  ${x.map((v) => v.toFixed(0).padStart(2)).join("  ")}   ${y.map((v) => v.toFixed(0).padStart(8)).join("  ")}   ${p.map((v) => v.toFixed(4)).join("  ")}`);
  }
}

export async function runDemo(options: DemoOptions, io: { out: Print; err: Print }): Promise<number> {
  const { experiment, dataset } = resolveExperiment({ raw: structuredClone(demoExperiment), baseDir: process.cwd() });
  const epochs = experiment.training.epochs;
  const reporter = new ProgressReporter({ mode: progressModeFor(options.quiet), epochs, print: io.out });
  const built = buildExperiment({ experiment, dataset }, { observers: [reporter] });
  const out: Print = options.quiet ? () => {} : io.out;

  out(`NeuroForge ${version} demo: a network learns XOR, one weight update (commit) per epoch.`);
  out("");
  describeExperiment(built, out);
  out("");
  out("Each epoch: Predict (forward pass) → Blame (each neuron's error signal dLoss/dz) → Adjust");
  out("(leverage = input × blame, summed in the blame bank, averaged and stepped by the optimizer at the commit).");
  out("");
  truthTable(built, out, "before training:");
  out("");
  reporter.start();
  const stop = new StopSignals();
  try {
    const result = await trainInterruptibly(built, epochs, stop);
    const code = reportResult(built, result, reporter, io.out, io.err, stop);
    if (code !== EXIT.ok) return code;
  } finally {
    stop.dispose();
  }
  out("");
  truthTable(built, out, "after training:");
  out("");
  out("Next: neuroforge train samples/experiments/circles.yaml   (experiment files: see README.md)");
  return EXIT.ok;
}
