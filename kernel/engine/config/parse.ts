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
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ExperimentConfigError("", `invalid JSON: ${(error as Error).message}`, file);
    }
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
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}
