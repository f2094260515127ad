import { clipScale } from "../engine/clipping";
import { Lookahead } from "../engine/lookahead";
import type { Model } from "../engine/model";
import type { HyperValue } from "../engine/optimizers/strategy";
import type { StrategyState } from "../engine/optimizers/strategy-state";
import { noDecayGroups } from "../engine/param-groups";
import type { Trainer } from "../engine/trainer";
import { NfrunError } from "./errors";

/**
 * The training mechanisms a replay must reproduce, read from a run's stored config (the resolved
 * experiment's `training.clip_grad_norm`, `auto_param_groups`, `lookahead`). Absent keys mean off, so
 * runs recorded before these existed replay as before. Clipping needs nothing else stored: the norm is
 * ‖avg‖ (the commits' grad_norm column) and the scale follows from it and c. Lookahead needs its slow
 * weights at each snapshot (table `lookahead_slow`); its syncs follow from t, k and α.
 */
export interface RunMechanisms {
  /** Global-norm clipping threshold (0: off). */
  readonly clip: number;
  readonly noDecay: { readonly patterns: readonly string[]; readonly weightDecay: number } | null;
  /** Lookahead(k, α) (null: off). */
  readonly lookahead: { readonly k: number; readonly alpha: number } | null;
}

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function runMechanisms(config: unknown): RunMechanisms {
  const c = isMapping(config) ? config : {};
  const training = isMapping(c.training) ? c.training : {};
  const clip = typeof training.clip_grad_norm === "number" ? training.clip_grad_norm : 0;
  const g = isMapping(c.auto_param_groups) ? c.auto_param_groups : {};
  const noDecay =
    g.enabled === true && Array.isArray(g.no_decay_patterns) && g.no_decay_patterns.length > 0
      ? {
          patterns: g.no_decay_patterns.map(String),
          weightDecay: typeof g.override_no_decay_weight === "number" ? g.override_no_decay_weight : 0,
        }
      : null;
  // Defaults as the resolved experiment's (kernel/engine/config/experiment.ts): α 0.5, k 6.
  const la = isMapping(c.lookahead) && c.lookahead.enabled === true ? c.lookahead : null;
  const lookahead = la ? { k: typeof la.k === "number" ? la.k : 6, alpha: typeof la.alpha === "number" ? la.alpha : 0.5 } : null;
  return { clip, noDecay, lookahead };
}

/** The mechanism keys to add to a config derived from the trainer (none when all are off). */
export function trainerMechanismConfig(trainer: Trainer): Record<string, unknown> {
  return {
    ...(trainer.clipGradNorm > 0 ? { training: { clip_grad_norm: trainer.clipGradNorm } } : {}),
    ...(trainer.noDecay
      ? { auto_param_groups: { enabled: true, no_decay_patterns: trainer.noDecay.patterns, override_no_decay_weight: trainer.noDecay.weightDecay } }
      : {}),
    ...(trainer.lookahead ? { lookahead: { enabled: true, k: trainer.lookahead.k, alpha: trainer.lookahead.alpha } } : {}),
  };
}

/** Refuses a given config that does not describe the trainer's clipping, parameter groups or Lookahead. */
export function checkRecordable(trainer: Trainer, config: unknown): void {
  const m = runMechanisms(config);
  const groups = trainer.noDecay;
  const sameGroups =
    (groups === null && m.noDecay === null) ||
    (groups !== null && m.noDecay !== null && groups.weightDecay === m.noDecay.weightDecay && groups.patterns.join("\n") === m.noDecay.patterns.join("\n"));
  const la = trainer.lookahead;
  const sameLookahead = (la === null && m.lookahead === null) || (la !== null && m.lookahead !== null && la.k === m.lookahead.k && la.alpha === m.lookahead.alpha);
  if (m.clip !== trainer.clipGradNorm || !sameGroups || !sameLookahead) {
    throw new NfrunError(
      "bad-argument",
      "the config given to the recorder does not describe the trainer's clipping / parameter groups / Lookahead " +
        "(training.clip_grad_norm, auto_param_groups, lookahead): pass the resolved experiment, or no config",
    );
  }
}

/** What clipping did at one commit: ‖avg‖ before clipping and the factor on the strategy's g. */
export interface ClipAtCommit {
  readonly maxNorm: number;
  readonly norm: number;
  readonly scale: number;
}

/**
 * A run's mechanisms bound to its model: the one code path by which every replay (verify's whole-run
 * replay, the reader's weightTrace / weightsAfter) applies clipping, parameter groups and Lookahead,
 * with the engine's own functions (clipScale, noDecayGroups, StrategyState.useParamGroups, Lookahead).
 */
export class MechanismReplay {
  /** Per weight: its parameter group (null: one group) and the groups' hyperparameters. */
  readonly groupOf: Uint8Array | null;
  readonly groups: readonly Readonly<Record<string, HyperValue>>[];

  /** Throws a RangeError when the stored no-decay patterns match no parameter of the model. */
  constructor(
    readonly mechanisms: RunMechanisms,
    model: Model,
    readonly h: Readonly<Record<string, HyperValue>>,
  ) {
    if (mechanisms.noDecay) {
      this.groupOf = noDecayGroups(model, mechanisms.noDecay.patterns).mask;
      this.groups = [h, { ...h, weight_decay: mechanisms.noDecay.weightDecay }];
    } else {
      this.groupOf = null;
      this.groups = [h];
    }
  }

  /** Configures a StrategyState for the whole model (verify). */
  configure(state: StrategyState): void {
    if (this.groupOf) state.useParamGroups(this.groupOf, this.groups);
  }

  /** The hyperparameters flat weight i steps with (its group's; `prepare` still sees `h`). */
  hyperparametersOf(i: number): Readonly<Record<string, HyperValue>> {
    return this.groupOf ? this.groups[this.groupOf[i]!]! : this.h;
  }

  /** Clipping at a commit whose ‖avg‖ (= the commits' grad_norm) is `norm`; null when clipping is off. */
  clip(norm: number): ClipAtCommit | null {
    const c = this.mechanisms.clip;
    return c > 0 ? { maxNorm: c, norm, scale: clipScale(norm, c) } : null;
  }

  /** The factor on the strategy's gradient at that commit (1 without clipping). */
  gradScale(norm: number): number {
    return this.clip(norm)?.scale ?? 1;
  }

  /** A Lookahead over `weightCount` weights whose slow weights start as `slow` (null: no Lookahead). */
  lookahead(weightCount: number, slow: Float64Array | null): Lookahead | null {
    const la = this.mechanisms.lookahead;
    if (!la) return null;
    const l = new Lookahead(la, weightCount);
    if (slow) l.slow.set(slow);
    return l;
  }
}
