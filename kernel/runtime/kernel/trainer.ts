/**
 * `Trainer` as a notebook cell gets it from `neuroforge`: the engine's Trainer plus the kernel's observer
 * (interrupt within a sample, one progress display for a long `fit`). Outside the kernel it behaves as
 * the engine's.
 */
import { Trainer as EngineTrainer, type FitResult, type TrainerOptions } from "../../engine/trainer";
import type { Dataset } from "../../engine/datasets/dataset";
import { kernelHooks } from "./hooks";

export class Trainer extends EngineTrainer {
  constructor(options: TrainerOptions) {
    const hooks = kernelHooks.current;
    let self: Trainer | null = null;
    const extra = hooks?.trainerObserver(() => self!) ?? null;
    super(extra ? { ...options, observers: [...(options.observers ?? []), extra] } : options);
    self = this;
    hooks?.trainerCreated(this, options.observers ?? []);
  }

  override fit(data: Dataset, epochs: number): FitResult {
    const progress = kernelHooks.current?.fitStarted(this, data, epochs) ?? null;
    if (!progress) return super.fit(data, epochs);
    let result: FitResult | null = null;
    try {
      result = super.fit(data, epochs);
      return result;
    } finally {
      progress.end(result);
    }
  }
}
