import type { LifecycleEvent } from "./events";

const f = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** The event log's line for a lifecycle event. */
export function lifecycleMessage(e: LifecycleEvent): string {
  const who = `layer ${e.layer} neuron ${e.neuron} (age ${e.age})`;
  const terms = `fitness ${f(e.fitness)} = α·${f(e.gradNorm)} + β·${f(e.activationVariance)} − γ·${f(e.stagnation)}`;
  if (e.kind === "senescent") return `${who} senescent after commit t=${e.t}: fitness flat; ${terms}`;
  if (e.kind === "recovered") return `${who} recovered from senescence after commit t=${e.t}; ${terms}`;
  return `${who} reborn after commit t=${e.t} (${e.reason}): incoming weights re-drawn, outgoing zero; ${terms}`;
}
