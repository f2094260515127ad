/**
 * An adaptive search's history read from run files: every recorded run whose config has a value for
 * each swept parameter (keep one search per file), in the file's order (the order runs were added:
 * rounds in order, a round's members in member order, whether they ran at once or in shards merged in
 * order), with its final loss (NaN when it did not complete).
 * A group parameter (`optimizer`) reads the group's `name`; a dotted one (`optimizer.lr`) the value there.
 */
import { existsSync } from "node:fs";
import type { Trial } from "../engine/sweep/adaptive";
import type { SweepValue } from "../engine/sweep/values";
import { NfrunReader } from "../record/reader";

/** A swept parameter's value in a resolved config: a group's `name`, else the value at the dotted path. */
export function valueAt(config: unknown, name: string): SweepValue | undefined {
  let node: unknown = config;
  for (const part of name.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (node !== null && typeof node === "object" && !Array.isArray(node) && typeof (node as { name?: unknown }).name === "string") {
    return (node as { name: string }).name;
  }
  return node as SweepValue | undefined;
}

/** The trials recorded in `file` (none when it does not exist yet). */
export async function searchHistory(file: string, params: readonly string[]): Promise<Trial[]> {
  if (!existsSync(file)) return [];
  const reader = await NfrunReader.open(file);
  try {
    return reader.runs().flatMap((info) => {
      const { config } = reader.config(info.runId);
      const values = Object.fromEntries(params.map((p) => [p, valueAt(config, p)]));
      if (Object.values(values).some((v) => v === undefined)) return [];
      const loss = info.status === "completed" && info.finalLoss !== null ? info.finalLoss : NaN;
      return [{ values: values as Record<string, SweepValue>, loss }];
    });
  } finally {
    reader.close();
  }
}
