/**
 * "How this commit adds up": the numbers between the table's columns that a person needs to redo the
 * commit by hand (docs/optimizers.md, docs/extension.md): t and the weight's rate (rate × schedule), the
 * hyperparameters, global-norm clipping (so the clipped g follows from Avg), the Adam family's bias
 * corrections, the effective per-weight rate (Scaled LR) and the adjustment from it, and the Lookahead
 * sync, so that Before − Adj = After reconciles at every commit or says why it does not.
 * Every number comes from the payload; only the arithmetic the line itself shows is done here.
 */
import type { CommitDetail, RebirthAtCommit, SanitizedAtCommit } from "../../../kernel/record/reader-types";
import { h } from "../../shared/dom";
import { fmt } from "../../shared/format";
import { checkLine, signed } from "./check-line";

/** Symbols of the usual hyperparameters (PyTorch's names are kept beside them). */
const SYMBOL: Readonly<Record<string, string>> = {
  beta1: "β₁",
  beta2: "β₂",
  eps: "ε",
  weight_decay: "λ",
  momentum: "μ",
  dampening: "τ",
  alpha: "α",
  rho: "ρ",
  lr_decay: "η",
  momentum_decay: "ψ",
};

/** A number in prose, with a true minus sign; negative operands of an operation in parentheses. */
const n = (x: number, digits = 4) => signed(fmt(x, digits));
const operand = (x: number) => (x < 0 ? `(${n(x)})` : n(x));

/**
 * How the adjustment follows from the audit columns: adj = [plus +] rate × times, with rate =
 * (`rate` column or LR) / (`divisor` column or 1). Matched by audit column names (built-in strategies;
 * a user's strategy with the same columns reads the same), first match wins.
 */
interface RateRule {
  readonly divisor?: string;
  readonly rate?: string;
  readonly times: string;
  readonly plus?: string;
  /** Only when this hyperparameter is 0 (RMSprop: with momentum the step is LR × b). */
  readonly zero?: string;
}
const RULES: readonly RateRule[] = [
  { divisor: "√v̂+ε", times: "m̂", plus: "γλθ" }, // Adam, AdamW (γλθ first), NAdam
  { divisor: "u", times: "m̂" }, // AdaMax
  { divisor: "√G+ε", rate: "γ̃", times: "g+λθ" }, // AdaGrad: the decayed rate γ̃ in place of LR
  { divisor: "√ṽ+ε", times: "g+λθ", zero: "momentum" }, // RMSprop without momentum
  { rate: "lr_vec", times: "g" }, // the curvature preconditioners
  { rate: "Lrn Rt", times: "g+λθ" }, // Simplex
  { rate: "Fixed Base α", times: "sign(g)" }, // MagDetox
  { times: "direction" }, // SGD, momentum, RMSprop with momentum
  { times: "Δ" }, // Adadelta
];

const line = (cls: string, ...text: string[]) => h("div", { class: `line ${cls}` }, text.join(""));

/** The gradient the strategy stepped on: Avg, scaled by the clip. */
function clipped(c: CommitDetail): number {
  return c.clip ? c.avg * c.clip.scale : c.avg;
}

function clipLine(c: CommitDetail): HTMLElement | null {
  const k = c.clip;
  if (!k) return null;
  if (k.scale === 1) return line("clip", `clipping: ‖Avg‖₂ over all weights = ${n(k.norm)} ≤ c = ${n(k.maxNorm)}: not clipped (scale 1), g = Avg = ${n(c.avg)}`);
  return line(
    "clip",
    `clipping: ‖Avg‖₂ over all weights = ${n(k.norm)} > c = ${n(k.maxNorm)}; scale = c / (‖Avg‖₂ + 1e-6) = ${n(k.scale)}; `,
    `g = Avg × scale = ${operand(c.avg)} × ${n(k.scale)} = ${n(clipped(c))}`,
  );
}

/** What the non-finite guard did to a batch holding samples with a non-finite loss (payloads saved before the field lack it). */
function sanitizedBatchLine(c: CommitDetail): HTMLElement | null {
  const b = c.sanitizedBatch;
  if (!b) return null;
  const bank = b.zeroed ? "this weight's BatchTot was not finite and counts as 0, so Avg = 0" : "this weight's BatchTot stayed finite";
  return line("sanitized-batch", `sample${b.samples.length === 1 ? "" : "s"} ${b.samples.map((i) => `#${i}`).join(", ")} of this batch had a non-finite loss (non-finite guard, nonfinite: sanitize): left out of the loss; ${bank}`);
}

function hyperLine(c: CommitDetail): HTMLElement | null {
  // Payloads saved before these fields existed lack them: those lines are left out.
  const parts = Object.entries(c.hyperparameters ?? {})
    .filter(([k]) => k !== "lr")
    .map(([k, v]) => `${SYMBOL[k] ? `${SYMBOL[k]} (${k})` : k} = ${typeof v === "number" ? n(v) : String(v)}`);
  return parts.length ? line("hyperparameters", parts.join(" · ")) : null;
}

/** 1 − β₁ᵗ and 1 − β₂ᵗ with the m̂ and v̂ they make (Adam, AdamW, AdaMax; NAdam: only v̂, its m̂ is two terms). */
function biasCorrectionLines(c: CommitDetail, t: number): HTMLElement[] {
  const a = c.audit;
  const hp = c.hyperparameters ?? {};
  if (!a) return [];
  const out: HTMLElement[] = [];
  const nadam = "(1−μₜ)g/(1−Πμ≤ₜ)" in a;
  if (typeof hp.beta1 === "number" && "m̂" in a && "m" in a && !nadam) {
    const bc1 = 1 - hp.beta1 ** t;
    out.push(line("bias-correction", `1 − β₁ᵗ = 1 − ${n(hp.beta1)}^${t} = ${n(bc1)}; m̂ = m / (1 − β₁ᵗ) = ${operand(a.m!)} / ${n(bc1)} = ${n(a["m̂"]!)}`));
  }
  if (typeof hp.beta2 === "number" && "v̂" in a) {
    const bc2 = 1 - hp.beta2 ** t;
    const amsgrad = hp.amsgrad === true;
    const v = amsgrad ? a.v_max! : a.v!;
    out.push(line("bias-correction", `1 − β₂ᵗ = 1 − ${n(hp.beta2)}^${t} = ${n(bc2)}; v̂ = ${amsgrad ? "v_max" : "v"} / (1 − β₂ᵗ) = ${n(v)} / ${n(bc2)} = ${n(a["v̂"]!)}`));
  }
  return out;
}

/** Scaled LR (the effective per-weight rate) and the adjustment it makes. */
function rateLines(c: CommitDetail): HTMLElement[] {
  const a = c.audit;
  if (!a) return [];
  const rule = RULES.find(
    (r) => (r.times === "g" || r.times in a) && (!r.divisor || r.divisor in a) && (!r.rate || r.rate in a) && (!r.zero || c.hyperparameters?.[r.zero] === 0),
  );
  if (!rule) return [];
  const times = rule.times === "g" ? clipped(c) : a[rule.times]!;
  const timesName = rule.times === "g" ? "g" : rule.times;
  const rate = rule.rate ? a[rule.rate]! : c.lr;
  const rateName = rule.rate ?? "LR";
  const out: HTMLElement[] = [];
  let scaled = rate;
  if (rule.divisor) {
    scaled = rate / a[rule.divisor]!;
    out.push(line("scaled-lr", `Scaled LR = ${rateName} / (${rule.divisor}) = ${n(rate)} / ${n(a[rule.divisor]!)} = ${n(scaled)}: this weight's effective rate at t`));
  } else if (rule.rate) {
    out.push(line("scaled-lr", `Scaled LR = ${rateName} = ${n(scaled)}: this weight's effective rate at t`));
  }
  const name = rule.divisor ? "Scaled LR" : rateName;
  const plus = rule.plus && rule.plus in a ? a[rule.plus]! : null;
  const adj = (plus ?? 0) + scaled * times;
  const lhs = `${plus === null ? "" : `${rule.plus} + `}${name} × ${timesName}`;
  const rhs = `${plus === null ? "" : `${operand(plus)} + `}${n(scaled)} × ${operand(times)}`;
  // The product is done here in display order; the engine's own order may differ in the last bits.
  const note = fmt(adj) === fmt(c.adjustment) ? "" : ` (the recorded Adj is ${n(c.adjustment)}: the engine computes it in another order)`;
  out.push(line("adj-from-rate", `Adj = ${lhs} = ${rhs} = ${n(adj)}${note}`));
  return out;
}

/** Enough significant digits to tell all of `xs` apart (up to 17). */
function digitsFor(xs: readonly number[]): number {
  let d = 4;
  const distinct = new Set(xs).size;
  while (d < 17 && new Set(xs.map((x) => fmt(x, d))).size < distinct) d++;
  return d;
}

const CHANGE: Readonly<Record<RebirthAtCommit["change"], string>> = {
  "re-drawn": "re-drawn from the initializer",
  zeroed: "zeroed (an outgoing weight of the reborn neuron)",
  absorbed: "absorbed the reborn neuron's mean contribution (bias + w_out × its mean activation)",
};

/** The jump a rebirth made after this commit: not training, so no Adj explains it. */
function rebirthText(b: RebirthAtCommit): string {
  return `reborn at t=${b.t} (lifecycle, neuron [layer ${b.layer}, neuron ${b.neuron}]): ${CHANGE[b.change]} → ${n(b.value, 17)}; the next commit's Before, with this weight's optimizer state restarted`;
}

/** The non-finite guard's write after this commit: not training, so no Adj explains it. */
function sanitizedText(s: SanitizedAtCommit): string {
  return `sanitized at t=${s.t} (non-finite guard, nonfinite: sanitize): this commit left the weight non-finite → ${n(s.value, 17)}; the next commit's Before, with this weight's optimizer state restarted`;
}

/** Before − Adj = After, or, at a Lookahead sync, Before − Adj = fast and the sync that makes After. */
function checkLines(c: CommitDetail, t: number): HTMLElement[] {
  const fast = c.before - c.adjustment;
  const la = c.lookahead;
  if (la) {
    const d = digitsFor([la.slowBefore, fast, la.slowAfter, c.before]);
    return [
      h("div", { class: "muted check" }, `${checkLine(c.before, c.adjustment)}: the fast weight before the sync`),
      h(
        "div",
        { class: "muted check-lookahead" },
        `Lookahead sync after t=${t} (k = ${la.k}, α = ${n(la.alpha)}): After = slow + α × (fast − slow) = ${n(la.slowBefore, d)} + ${n(la.alpha)} × (${n(fast, d)} − ${operand(la.slowBefore)}) = ${n(la.slowAfter, d)}; the fast weight restarts from it`,
      ),
    ];
  }
  const out = [h("div", { class: "muted check" }, checkLine(c.before, c.adjustment))];
  if (c.rebirth) out.push(h("div", { class: "muted check-rebirth" }, rebirthText(c.rebirth)));
  // A sanitized commit's After is not finite (JSON carries it as null): the line says what replaced it.
  if (c.sanitized) out.push(h("div", { class: "muted check-sanitized" }, sanitizedText(c.sanitized)));
  else if (fast !== c.after) {
    out.push(h("div", { class: "error check-mismatch", role: "alert" }, `After ${n(c.after, 17)} is not Before − Adj ${n(fast, 17)}, and this run's mechanisms do not explain it`));
  }
  return out;
}

/** The lines under the commit's tables, in the order the commit computes them. */
export function reconcilePanel(c: CommitDetail, t: number): HTMLElement {
  // A reborn or sanitized weight's optimizer restarted: its own timestep counts from then (payloads saved before stepT lack it).
  const stepT = c.stepT ?? t;
  const restarted = stepT !== t ? ` · this weight's optimizer restarted after t=${t - stepT} (a rebirth or sanitization reset it): its step ${stepT} (t below)` : "";
  const rate =
    typeof c.rate === "number"
      ? line("rate", `t = ${t} (commits so far) · LR = rate × schedule = ${n(c.rate)} × ${n(c.lrScale)} = ${n(c.lr)}${restarted}`)
      : line("rate", `t = ${t} (commits so far) · LR = ${n(c.lr)}${restarted}`);
  return h("div", { class: "reconcile" }, rate, sanitizedBatchLine(c), hyperLine(c), clipLine(c), ...biasCorrectionLines(c, stepT), ...rateLines(c), ...checkLines(c, t));
}
