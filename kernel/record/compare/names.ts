/**
 * Run names from the runs' stored configs: the experiment name followed by the parameters whose value
 * differs between the runs (`train · lr=0.1 · optimizer=adam`), as a person would tell the runs apart.
 * A group choice (`optimizer.name`) is labelled by its group (`optimizer`), and keys whose value follows
 * from a group choice (AdamW's default weight decay, the parameter groups its file switches on) stay out.
 */
import type { ComparedParam, ParamValue } from "./types";

/** Config leaves by dotted key; a list of plain values is one leaf (its JSON), a list of objects is indexed. */
export function flattenConfig(config: unknown, prefix = "", out = new Map<string, ParamValue>()): Map<string, ParamValue> {
  const plain = (v: unknown): v is ParamValue => v === null || ["string", "number", "boolean"].includes(typeof v);
  if (plain(config)) out.set(prefix, config);
  else if (Array.isArray(config) && config.every(plain)) out.set(prefix, JSON.stringify(config));
  else if (typeof config === "object" && config !== null) {
    for (const [k, v] of Object.entries(config)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

const GROUP_CHOICE = /^(.+)\.(name|id)$/;
const same = (a: ParamValue, b: ParamValue): boolean => JSON.stringify(a) === JSON.stringify(b);
/** Whether `p`'s value follows from `q`'s in every run (runs that agree on q agree on p). */
const follows = (p: readonly ParamValue[], q: readonly ParamValue[]): boolean => p.every((v, i) => q.every((w, j) => !same(w, q[i]!) || same(v, p[j]!)));

/** A label per key: a group choice by its group, else the shortest dotted suffix no other key shares. */
function labels(keys: readonly string[]): string[] {
  const segments = keys.map((k) => {
    const group = GROUP_CHOICE.exec(k);
    return (group ? group[1]! : k).split(".");
  });
  const depth: number[] = segments.map((s) => (s.length > 1 && /^\d+$/.test(s[s.length - 1]!) ? 2 : 1));
  const text = (i: number) => segments[i]!.slice(-depth[i]!).join(".");
  // Every key of a clash grows by one segment at once (else the last of them keeps the short label).
  for (let changed = true; changed; ) {
    const clashing = keys.map((_, i) => depth[i]! < segments[i]!.length && keys.some((_, j) => j !== i && text(j) === text(i)));
    clashing.forEach((c, i) => c && (depth[i] = depth[i]! + 1));
    changed = clashing.includes(true);
  }
  return keys.map((_, i) => text(i));
}

/** A value as a name shows it: text as it is, anything else as JSON (`0.01`, `true`, `[0.9,0.99]`). */
export function valueText(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
}

export interface RunNames {
  /** Keys present in every run whose values differ (but the experiment's name), in the first run's config order. */
  readonly params: readonly ComparedParam[];
  /** values[run][param]. */
  readonly values: readonly (readonly ParamValue[])[];
  readonly names: readonly string[];
  /**
   * The params that are factors of the design (indices): not implied by a group choice, and not following
   * from an earlier factor (a schedule length derived from the epochs): independent settings only.
   */
  readonly factors: readonly number[];
}

/** Names for runs given their stored configs (`ids` break ties between runs whose configs agree). */
export function runNames(configs: readonly unknown[], ids: readonly string[]): RunNames {
  const flat = configs.map((c) => flattenConfig(c));
  const keys = flat.length < 2 ? [] : [...flat[0]!.keys()].filter((k) => k !== "name" && flat.every((f) => f.has(k)) && new Set(flat.map((f) => JSON.stringify(f.get(k)))).size > 1);
  const values = flat.map((f) => keys.map((k) => f.get(k)!));
  const columns = keys.map((_, p) => values.map((v) => v[p]!));
  const params = labels(keys).map((label, p) => ({ key: keys[p]!, label }));
  // A key whose value follows from a group choice (the group file's defaults: AdamW's weight decay, the
  // parameter groups it switches on) says nothing the choice does not: it stays out of names.
  const choice = keys.map((k) => GROUP_CHOICE.test(k));
  const implied = keys.map((_, p) => !choice[p] && keys.some((_, q) => choice[q] && follows(columns[p]!, columns[q]!)));
  const shown = params.map((p, i) => ({ ...p, i })).filter((p) => !implied[p.i]).sort((a, b) => a.label.localeCompare(b.label));
  const base = configs.map((c) => {
    const o = (c ?? {}) as Record<string, unknown>;
    return typeof o.name === "string" && o.name ? o.name : typeof o.dataset === "string" && o.dataset ? o.dataset : "run";
  });
  const names = values.map((v, r) => [base[r]!, ...shown.map((p) => `${p.label}=${valueText(v[p.i]!)}`)].join(" · "));
  // Runs the configs cannot tell apart (the same config recorded twice) are told apart by their id.
  const unique = names.map((n, r) => (names.filter((m) => m === n).length > 1 ? `${n} · run ${ids[r]!.slice(0, 8)}` : n));
  const factors: number[] = [];
  for (let p = 0; p < keys.length; p++) if (!implied[p] && !factors.some((q) => follows(columns[p]!, columns[q]!))) factors.push(p);
  return { params, values, names: unique, factors };
}
