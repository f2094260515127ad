import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ExperimentConfigError } from "./errors";

/**
 * Step 1 of 3: file → raw object. Nothing here knows the experiment schema, so later composition
 * (defaults lists, dotted CLI overrides, sweeps) can merge raw objects before validation.
 */
export interface RawExperiment {
  /** The parsed document: plain JSON-like data, not yet validated. */
  readonly raw: unknown;
  /** Absolute path of the file it came from (undefined for in-memory configs). */
  readonly file?: string;
  /** Folder that relative paths in the config resolve against. */
  readonly baseDir: string;
}

/** Reads a `.yaml`/`.yml`/`.json` experiment file. Throws an ExperimentConfigError naming the file. */
export function readExperimentFile(path: string): RawExperiment {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ExperimentConfigError("", code === "ENOENT" ? "no such file" : `cannot read (${code ?? String(error)})`, file);
  }
  return { raw: parseExperimentText(text, file), file, baseDir: dirname(file) };
}

/** Parses experiment text: JSON for `.json` files, YAML otherwise (YAML 1.2, which also reads JSON). */
export function parseExperimentText(text: string, file?: string): unknown {
  const ext = file ? extname(file).toLowerCase() : "";
  if (ext === ".json") {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw new ExperimentConfigError("", `invalid JSON: ${(error as Error).message}`, file);
    }
    return checkDepth(value, file);
  }
  if (ext !== "" && ext !== ".yaml" && ext !== ".yml") {
    throw new ExperimentConfigError("", `expected a .yaml, .yml or .json file, got '${ext}'`, file);
  }
  // uniqueKeys (default): a key given twice is an error rather than a silent override.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
    throw new ExperimentConfigError("", `invalid YAML${where}: ${e.message.split("\n")[0]}`, file);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // The yaml library refuses alias expansions that multiply ("billion laughs"): a config needs none.
    throw new ExperimentConfigError("", `invalid YAML: aliases expand to too much data (${(error as Error).message.split("\n")[0]})`, file);
  }
  return checkDepth(value, file);
}

/** Aliases a document may expand (yaml's own guard against exponential expansion). */
const MAX_ALIASES = 100;
/** Nesting an experiment never needs (its deepest field is ~5 levels); deeper data would overflow the later recursive steps. */
const MAX_DEPTH = 64;

/** The value, unless it nests deeper than MAX_DEPTH (checked without recursion, so any depth is safe). */
function checkDepth(value: unknown, file: string | undefined): unknown {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_DEPTH) throw new ExperimentConfigError("", `nested deeper than ${MAX_DEPTH} levels; an experiment needs a handful`, file);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return value;
}
