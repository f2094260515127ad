import type { Trainer } from "../engine/trainer";
import { NfrunError } from "./errors";

/**
 * The training mechanisms a replay must reproduce, read from a run's stored config (the resolved
 * experiment's `training.clip_grad_norm`, `auto_param_groups`, `lookahead`). Absent keys mean off, so
 * runs recorded before these existed replay as before. Clipping needs nothing else stored: the norm is
 * ‖avg‖ (the commits' grad_norm column) and the scale follows from it and c.
 */
export interface RunMechanisms {
  /** Global-norm clipping threshold (0: off). */
  readonly clip: number;
  readonly noDecay: { readonly patterns: readonly string[]; readonly weightDecay: number } | null;
  readonly lookahead: boolean;
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
  const lookahead = isMapping(c.lookahead) && c.lookahead.enabled === true;
  return { clip, noDecay, lookahead };
}

/** The mechanism keys to add to a config derived from the trainer (none when all are off). */
export function trainerMechanismConfig(trainer: Trainer): Record<string, unknown> {
  return {
    ...(trainer.clipGradNorm > 0 ? { training: { clip_grad_norm: trainer.clipGradNorm } } : {}),
    ...(trainer.noDecay
      ? { auto_param_groups: { enabled: true, no_decay_patterns: trainer.noDecay.patterns, override_no_decay_weight: trainer.noDecay.weightDecay } }
      : {}),
  };
}

/**
 * Refuses runs a replay could not verify: Lookahead (its syncs and slow weights are not stored yet),
 * and a given config that does not describe the trainer's clipping or parameter groups.
 */
export function checkRecordable(trainer: Trainer, config: unknown): void {
  if (trainer.lookahead) {
    throw new NfrunError("bad-argument", "recording Lookahead runs is not supported yet: verify cannot replay its syncs (train without --record, or turn lookahead off)");
  }
  const m = runMechanisms(config);
  const groups = trainer.noDecay;
  const sameGroups =
    (groups === null && m.noDecay === null) ||
    (groups !== null && m.noDecay !== null && groups.weightDecay === m.noDecay.weightDecay && groups.patterns.join("\n") === m.noDecay.patterns.join("\n"));
  if (m.clip !== trainer.clipGradNorm || !sameGroups) {
    throw new NfrunError(
      "bad-argument",
      "the config given to the recorder does not describe the trainer's clipping / parameter groups " +
        "(training.clip_grad_norm, auto_param_groups): pass the resolved experiment, or no config",
    );
  }
}
