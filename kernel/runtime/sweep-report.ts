/**
 * A designed sweep's main effects as text (the CLI's closing table, a notebook output's fallback):
 * per factor its range of level means, then per level the members, mean final loss and S/N.
 */
import type { FactorEffect } from "../engine/sweep/main-effects";

const num = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : "—");

export function formatMainEffects(effects: readonly FactorEffect[], response = "final loss"): string[] {
  const lines = [`main effects on ${response} (S/N in dB, higher is better):`];
  const ranked = [...effects].sort((a, b) => (b.range || 0) - (a.range || 0));
  for (const f of ranked) {
    lines.push(`  ${f.factor}  range ${num(f.range)}${f.best ? `, best ${JSON.stringify(f.best.value)}` : ""}`);
    for (const l of f.levels) lines.push(`    ${JSON.stringify(l.value).padEnd(12)} n ${l.count}  mean ${num(l.mean).padEnd(10)} S/N ${num(l.sn)}`);
  }
  return lines;
}
