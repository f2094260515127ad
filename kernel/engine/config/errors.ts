import type { z } from "zod";
import { ConfigError, didYouMean } from "../optimizers/hyperparameters";

/** One problem in an experiment file: the dotted field path (`model.layers[1].units`) and what is wrong. */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
  /** Where the offending value came from, when not the error's own file (composed configs). */
  readonly file?: string;
}

/**
 * A problem in an experiment file, naming the dotted field and (when known) the file. The first
 * problem is the error's own field/message; `problems` lists every one found in the same pass.
 * `message` reads `file: field: what is wrong`.
 */
export class ExperimentConfigError extends ConfigError {
  readonly problems: readonly ConfigProblem[];

  constructor(
    field: string,
    readonly detail: string,
    readonly file?: string,
    problems?: readonly ConfigProblem[],
  ) {
    super(field, detail);
    this.name = "ExperimentConfigError";
    this.problems = problems && problems.length > 0 ? problems : [{ field, message: detail }];
    this.message = formatProblem(file, field, detail);
  }

  /** Every problem, one per line, each as `file: field: message`. */
  describeAll(): string {
    return this.problems.map((p) => formatProblem(p.file ?? this.file, p.field, p.message)).join("\n");
  }
}

/** `file: field: message` (the parts that are known). */
export function formatProblem(file: string | undefined, field: string, message: string): string {
  return [file, field, message].filter((s) => s !== undefined && s !== "").join(": ");
}

/** Re-raises an engine ConfigError / RangeError about `field` as an ExperimentConfigError for `file`. */
export function asExperimentError(error: unknown, file: string | undefined, field: string): never {
  if (error instanceof ExperimentConfigError) throw error;
  if (error instanceof ConfigError) {
    const prefix = `${error.field}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ExperimentConfigError(error.field, detail, file);
  }
  throw new ExperimentConfigError(field, error instanceof Error ? error.message : String(error), file);
}

/** `["model", "layers", 0, "units"]` → `model.layers[0].units`. */
export function dottedPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function join(parent: string, key: string): string {
  if (key === "") return parent;
  if (parent === "" || key.startsWith("[")) return `${parent}${key}`;
  return `${parent}.${key}`;
}

/** "one of a, b, c" hint with a did-you-mean when something is close. */
export function unknownName(what: string, given: unknown, known: readonly string[]): string {
  const hint = typeof given === "string" ? didYouMean(given, known) : null;
  return (
    `unknown ${what} ${JSON.stringify(given)}` +
    (hint ? ` (did you mean '${hint}'?)` : "") +
    `; known: ${known.join(", ")}`
  );
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

const article: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

/**
 * The keys a (strict) object schema accepts at `path`, by walking zod's definitions through
 * objects, arrays and optional/default wrappers. Used for did-you-mean hints on unknown keys.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node = unwrap(schema);
  for (const part of path) {
    const def = node._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (def.type === "object" && typeof part === "string" && def.shape?.[part]) node = unwrap(def.shape[part]);
    else if (def.type === "array" && typeof part === "number" && def.element) node = unwrap(def.element);
    else return [];
  }
  const def = node._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    const def = node._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") && def.innerType) {
      node = def.innerType;
    } else if (def.type === "pipe" && def.in) node = def.in;
    else return node;
  }
}

/**
 * zod issues → problems with dotted paths and plain-language messages. Unknown keys come first (a
 * misspelt key usually also makes a required field "missing"; the misspelling is the real problem).
 * Parse with `{ reportInput: true }` so the messages can quote the offending value.
 */
export function problemsFromZod(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], prefix = ""): ConfigProblem[] {
  const unknown: ConfigProblem[] = [];
  const other: ConfigProblem[] = [];
  for (const issue of issues) {
    const at = join(prefix, dottedPath(issue.path));
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeysAt(schema, issue.path);
        for (const key of issue.keys) {
          const hint = didYouMean(key, known);
          unknown.push({
            field: join(at, key),
            message: "unknown key" + (hint ? ` (did you mean '${hint}'?)` : known.length ? ` (known: ${known.join(", ")})` : ""),
          });
        }
        break;
      }
      case "invalid_type": {
        const received = (issue as { received?: string }).received;
        if (input === undefined && received === undefined) other.push({ field: at, message: "required" });
        else {
          const expected = article[issue.expected] ?? issue.expected;
          other.push({ field: at, message: `expected ${expected}, got ${received ?? describeValue(input)}` });
        }
        break;
      }
      case "invalid_value": {
        const values = issue.values.map(String);
        other.push({ field: at, message: input === undefined ? `required (one of ${values.join(", ")})` : unknownName("value", input, values) });
        break;
      }
      case "too_small":
      case "too_big": {
        const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
        const inclusive = issue.inclusive !== false;
        if (issue.origin === "array") {
          const op = issue.code === "too_small" ? "at least" : "at most";
          other.push({ field: at, message: `must list ${op} ${String(bound)} item${Number(bound) === 1 ? "" : "s"}` });
        } else if (issue.origin === "string") {
          other.push({ field: at, message: "must not be empty" });
        } else {
          const op = issue.code === "too_small" ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
          other.push({ field: at, message: `must be ${op} ${String(bound)}, got ${describeValue(input)}` });
        }
        break;
      }
      default:
        other.push({ field: at, message: issue.message });
    }
  }
  return [...unknown, ...other];
}
