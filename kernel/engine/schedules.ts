/**
 * Learning-rate schedules, as torch.optim.lr_scheduler documents them. A schedule yields the learning
 * rate for a base rate γ at a counter k: the epoch (0-based) for `per: "epoch"` schedules, the number of
 * commits already made (t − 1) for `per: "step"`. The trainer applies it as a factor lr(k)/γ on every
 * weight's own rate, so per-weight rates keep their ratios. Linear warmup multiplies any schedule by
 * min(1, (t)/warmup_steps) with t the 1-based commit number (torch's LambdaLR idiom (k+1)/warmup).
 */
export type ScheduleSpec =
  | { readonly name: "constant" }
  | { readonly name: "step"; readonly step_size: number; readonly gamma?: number; readonly per?: "epoch" | "step" }
  | { readonly name: "exponential"; readonly gamma: number; readonly per?: "epoch" | "step" }
  | { readonly name: "cosine"; readonly t_max: number; readonly min_lr?: number; readonly per?: "epoch" | "step" }
  | {
      readonly name: "onecycle";
      readonly max_lr: number;
      readonly total_steps: number;
      readonly pct_start?: number;
      readonly div_factor?: number;
      readonly final_div_factor?: number;
    };

export type ScheduleName = ScheduleSpec["name"];
export const scheduleNames: readonly ScheduleName[] = ["constant", "step", "exponential", "cosine", "onecycle"];

/** The learning rate a schedule gives for base rate `base` at commit t (1-based) in `epoch` (0-based). */
export function scheduledRate(spec: ScheduleSpec, base: number, t: number, epoch: number): number {
  switch (spec.name) {
    case "constant":
      return base;
    case "step":
      return base * Math.pow(spec.gamma ?? 0.1, Math.floor(counter(spec.per, t, epoch) / spec.step_size));
    case "exponential":
      return base * Math.pow(spec.gamma, counter(spec.per, t, epoch));
    case "cosine": {
      const minLr = spec.min_lr ?? 0;
      const k = Math.min(counter(spec.per, t, epoch), spec.t_max);
      return minLr + 0.5 * (base - minLr) * (1 + Math.cos((Math.PI * k) / spec.t_max));
    }
    case "onecycle":
      return oneCycle(spec, t - 1);
  }
}

function counter(per: "epoch" | "step" | undefined, t: number, epoch: number): number {
  return per === "step" ? t - 1 : epoch;
}

/** torch OneCycleLR with cosine annealing and two phases (three_phase=False); k = steps taken. */
function oneCycle(spec: Extract<ScheduleSpec, { name: "onecycle" }>, k: number): number {
  const pctStart = spec.pct_start ?? 0.3;
  const initial = spec.max_lr / (spec.div_factor ?? 25);
  const min = initial / (spec.final_div_factor ?? 1e4);
  const warmEnd = pctStart * spec.total_steps - 1;
  const lastEnd = spec.total_steps - 1;
  const anneal = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  if (k <= warmEnd) return anneal(initial, spec.max_lr, k / warmEnd);
  return anneal(spec.max_lr, min, Math.min(1, (k - warmEnd) / (lastEnd - warmEnd)));
}

/** Linear warmup factor at commit t (1-based): min(1, t / warmup). */
export function warmupFactor(warmupSteps: number, t: number): number {
  return warmupSteps > 0 ? Math.min(1, t / warmupSteps) : 1;
}

/** Builds the trainer's schedule callback: factor on the per-weight rates at commit t in `epoch`. */
export function scheduleFactor(
  spec: ScheduleSpec,
  base: number,
  warmupSteps = 0,
): (t: number, epoch: number) => number {
  if (!(base > 0)) throw new RangeError("scheduler: needs the optimizer's lr > 0");
  return (t, epoch) => (scheduledRate(spec, base, t, epoch) / base) * warmupFactor(warmupSteps, t);
}
