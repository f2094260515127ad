import { parse } from "yaml";
import { ExperimentConfigError } from "./errors";

/**
 * Dotted overrides, as on the command line and in notebook cells (Hydra's grammar, the common part):
 *   key.path=value    set (the value is YAML: 5e-4, true, null, [1, 2], {a: 1}, 'quoted,text')
 *   +key.path=value   add a key that is not in the config yet (an error if it is)
 *   ++key.path=value  set whether or not it exists
 *   ~key.path         delete
 *   group=option      select a config group's option (decided by ./compose, which knows the groups)
 * Path segments are keys, or list indices (`model.layers.1.units=8`). A value with a comma outside
 * brackets and quotes is a sweep (`optimizer.lr=1e-3,1e-2`), allowed only with multirun (./sweep).
 */
export type OverrideOp = "set" | "add" | "force" | "delete";

export interface Override {
  readonly op: OverrideOp;
  /** The dotted key as written (without + ++ ~). */
  readonly key: string;
  readonly path: readonly string[];
  /** The parsed value (undefined for delete). */
  readonly value: unknown;
  /** The value text as written. */
  readonly valueText: string;
  /** The override as written, for messages (`override 'optimizer.lr=5e-4'`). */
  readonly text: string;
}

/** How an override is named in errors, in place of a file name. */
export function overrideLabel(text: string): string {
  return `override '${text}'`;
}

const SEGMENT = /^(?:[A-Za-z_][\w-]*|\d+)$/;

function fail(text: string, field: string, message: string): never {
  throw new ExperimentConfigError(field, message, overrideLabel(text));
}

/** Splits `text` at commas that are not inside [], {}, () or quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "[" || ch === "{" || ch === "(") depth++;
    else if (ch === "]" || ch === "}" || ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Splits an override into its left side (`+key`) and value text; null when it has no `=`. */
export function splitOverride(text: string): { lhs: string; valueText: string } | null {
  const eq = text.indexOf("=");
  return eq < 0 ? null : { lhs: text.slice(0, eq), valueText: text.slice(eq + 1) };
}

/** Parses one override (a single run: a top-level comma list is an error pointing at -m). */
export function parseOverride(text: string): Override {
  const parts = splitOverride(text);
  let lhs: string;
  let valueText = "";
  if (parts === null) {
    if (!text.startsWith("~")) {
      fail(text, text, "expected key=value (or ~key to delete, +key=value to add)");
    }
    lhs = text;
  } else {
    ({ lhs, valueText } = parts);
  }
  const op: OverrideOp = lhs.startsWith("++") ? "force" : lhs.startsWith("+") ? "add" : lhs.startsWith("~") ? "delete" : "set";
  const key = lhs.slice(op === "force" ? 2 : op === "set" ? 0 : 1);
  if (op === "delete" && parts !== null) fail(text, key, "~key deletes a key and takes no value: write ~key");
  if (key === "") fail(text, "", "missing key before '='");
  const path = key.split(".");
  const bad = path.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    fail(text, key, bad === "" ? "empty segment in the dotted key" : `'${bad}' is not a key (letters, digits, _ and -) or a list index`);
  }
  if (op === "delete") return { op, key, path, value: undefined, valueText: "", text };
  const alternatives = splitTopLevel(valueText);
  if (alternatives.length > 1) {
    fail(text, key, "a comma list is a sweep: run with -m (multirun), or quote the value for a string ('a,b')");
  }
  return { op, key, path, value: parseValue(text, key, valueText), valueText, text };
}

/** An override's value text as YAML (1.2 core schema: 5e-4 is a number, yes is a string). */
export function parseValue(text: string, key: string, valueText: string): unknown {
  if (valueText.trim() === "") return null;
  try {
    return parse(valueText, { uniqueKeys: true }) as unknown;
  } catch (error) {
    return fail(text, key, `the value is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}
