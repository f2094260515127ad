import { z } from "zod";
import type { HealthOptions } from "../health/monitor";
import { nonfinitePolicies, type NonfinitePolicy } from "../health/sanitize";
import type { InitializerName } from "../initializers";
import type { LifecycleOptions } from "../lifecycle/options";
import { initSchema } from "./init-schema";

/**
 * The experiment file's `lifecycle:` and `health:` blocks (docs/configs.md, docs/lifecycle.md). Only
 * what the user wrote is kept in the resolved experiment (the engine fills the defaults), so a run
 * without them hashes as before. Ranges here; cross-field rules (seniority ≥ maturity) in the engine.
 */
const steps = z.int().min(1);
const number = z.number();

export const lifecycleSchema = z.strictObject({
  every: steps.optional(),
  alpha: number.optional(),
  beta: number.optional(),
  gamma: number.optional(),
  ema_decay: number.min(0).max(1).optional(),
  maturity: z.int().min(0).optional(),
  seniority: z.int().min(0).optional(),
  fraction: number.min(0).max(1).optional(),
  threshold: number.optional(),
  senescence: z
    .strictObject({
      steps: steps.optional(),
      flat: number.min(0).optional(),
      exit: number.min(1).optional(),
      boost: number.min(0).optional(),
      grace: z.int().min(0).optional(),
    })
    .optional(),
  temperature: z.strictObject({ start: number.min(0), decay: number.positive() }).optional(),
  init: initSchema.optional(),
  seed: z.int().min(0).max(0xffffffff).optional(),
});

export const healthSchema = z.strictObject({
  every: steps.optional(),
  dormant_threshold: number.min(0).optional(),
  nonfinite: z.enum(nonfinitePolicies as [NonfinitePolicy, ...NonfinitePolicy[]]).optional(),
});

export type LifecycleConfig = z.output<typeof lifecycleSchema>;
export type HealthConfig = z.output<typeof healthSchema>;

/** The engine's options for a `lifecycle:` block. */
export function lifecycleOptions(c: LifecycleConfig): LifecycleOptions {
  const { ema_decay, init, senescence, temperature, ...same } = c;
  return {
    ...same,
    ...(ema_decay === undefined ? {} : { emaDecay: ema_decay }),
    ...(init === undefined ? {} : { init: { ...init, name: init.name as InitializerName } }),
    ...(senescence === undefined ? {} : { senescence }),
    ...(temperature === undefined ? {} : { temperature }),
  };
}

/** The engine's options for a `health:` block: the monitor's and the non-finite guard's policy. */
export function healthOptions(c: HealthConfig): { health: HealthOptions; nonfinite?: NonfinitePolicy } {
  return {
    health: { ...(c.every === undefined ? {} : { every: c.every }), ...(c.dormant_threshold === undefined ? {} : { dormantThreshold: c.dormant_threshold }) },
    ...(c.nonfinite === undefined ? {} : { nonfinite: c.nonfinite }),
  };
}
