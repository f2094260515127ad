import type { TrainingObserver } from "../../engine/observer";
import type { FitResult, Trainer } from "../../engine/trainer";
import type { Dataset } from "../../engine/datasets/dataset";

/**
 * What the kernel process plugs into the `neuroforge` module a cell imports. Outside the kernel
 * (a plain Node program importing the same module) `kernelHooks.current` is null and nothing changes.
 */
export interface KernelHooks {
  /** An observer added to every Trainer created in a cell (interrupt checks, progress). */
  trainerObserver(trainer: () => Trainer): TrainingObserver | null;
  /** Called around Trainer.fit. */
  fitStarted(trainer: Trainer, data: Dataset, epochs: number): FitProgress | null;
  /** Observers passed to a Trainer (the kernel finalizes unfinished recorders on interrupt). */
  trainerCreated(trainer: Trainer, observers: readonly TrainingObserver[]): void;
  /** Sends a MIME bundle for display; returns the display id. */
  display(value: unknown, options?: { displayId?: string; update?: boolean }): string;
  /** The source text of the cell running now. */
  cellSource(): string;
}

export interface FitProgress {
  epoch(epoch: number, loss: number, samples: number): void;
  end(result: FitResult | null, error?: unknown): void;
}

export const kernelHooks: { current: KernelHooks | null } = { current: null };
