/**
 * What the lifecycle did to one neuron at an evaluation, with the fitness terms it decided on:
 * - rebirth: killed and reborn, because it was among the lowest-fitness `fraction` of its layer
 *   (apoptosis), at or below the fitness `threshold`, or senescent past its grace (senescence);
 * - senescent: its fitness went flat (escalate: marked dying, learning rate × boost);
 * - recovered: a senescent neuron's fitness moved again.
 */
export type LifecycleEventKind = "rebirth" | "senescent" | "recovered";
export type LifecycleReason = "apoptosis" | "threshold" | "senescence";

export interface LifecycleEvent {
  readonly kind: LifecycleEventKind;
  /** Why a rebirth happened (senescent/recovered events: "senescence"). */
  readonly reason: LifecycleReason;
  /** The commit after which it happened. */
  readonly t: number;
  readonly layer: number;
  readonly neuron: number;
  /** Commits since the neuron's last birth, before this event. */
  readonly age: number;
  readonly fitness: number;
  readonly gradNorm: number;
  readonly activationVariance: number;
  readonly stagnation: number;
  /** The mean activation the next layer's biases absorbed at a rebirth (0 otherwise). */
  readonly absorbed: number;
}
