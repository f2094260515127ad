import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { ExperimentConfigError, unknownName, type ConfigProblem } from "./errors";
import { resolveExperiment, type Resolution } from "./experiment";
import { overrideLabel, parseOverride, type Override } from "./overrides";
import { parseExperimentText, readExperimentFile, type RawExperiment } from "./parse";

/**
 * Hydra-style composition, our own small implementation on the `yaml` package (Hydra itself is
 * Python; there is no JS port). See docs/configs.md.
 *
 *   config dir (default: the primary config's folder)
 *   ├─ train.yaml            primary config, with a defaults list:
 *   │                          defaults: [ {optimizer: adamw}, {scheduler: cosine}, _self_ ]
 *   ├─ optimizer/adamw.yaml  group option files, merged under their group key (`optimizer:`)
 *   └─ scheduler/cosine.yaml
 *
 * Order: the defaults list in order, `_self_` (the primary's own keys) where listed, else last — so the
 * primary overrides its defaults. Mappings merge key by key; lists and scalars replace. Then the
 * command-line overrides, in order. A group file whose only key is the group's name (the seed's
 * `optimizer: {…}` templates) is unwrapped; a file starting with `# @package _global_` merges at the root.
 * Relative paths in any of the files resolve against the primary config's folder.
 */
export interface ComposeOptions {
  /** Folder holding the group subfolders; default: the primary config's folder. */
  readonly configDir?: string;
}

export interface Composed extends RawExperiment {
  readonly file: string;
  /** Dotted path → the file (or override) that last set it; errors are attributed by longest prefix. */
  readonly provenance: ReadonlyMap<string, string>;
  /** The group options chosen, in merge order. */
  readonly groups: readonly { readonly group: string; readonly option: string | null; readonly file?: string }[];
  readonly overrides: readonly string[];
}

const EXTENSIONS = [".yaml", ".yml", ".json"];
type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === "object" && !Array.isArray(v);

interface DefaultEntry {
  group: string | null; // null: a plain config (or _self_)
  option: string | null;
  /** Where it was chosen (for messages): the primary file and field, or an override. */
  origin: { file: string; field: string };
  self?: boolean;
}

/** Step 1 for composed configs: primary file + its defaults + overrides → one raw object. */
export function composeExperiment(path: string, overrides: readonly string[] = [], options: ComposeOptions = {}): Composed {
  const primary = readExperimentFile(path);
  const file = primary.file!;
  const configDir = resolve(options.configDir ?? dirname(file));
  if (options.configDir !== undefined && !(existsSync(configDir) && statSync(configDir).isDirectory())) {
    throw new ExperimentConfigError("", "--config-dir is not a folder", configDir);
  }
  const parsed = overrides.map(parseOverride);
  if (!isMapping(primary.raw)) {
    if (parsed.length === 0) return { ...primary, file, provenance: new Map(), groups: [], overrides };
    throw new ExperimentConfigError("", "expected a mapping of experiment settings", file);
  }
  // `sweep:` describes the runs to make (kernel/engine/sweep/design.ts), not one run: read by the planner.
  const { defaults: defaultsRaw, sweep: _sweep, ...body } = primary.raw;
  const defaults = readDefaults(defaultsRaw, file);

  // Group selections on the command line: `group=option`, `+group=option`, `~group`.
  const valueOverrides: Override[] = [];
  for (const o of parsed) {
    const isGroup = o.path.length === 1 && isFolder(join(configDir, o.key)) && (o.value === null || typeof o.value === "string" || o.op === "delete");
    if (!isGroup) {
      valueOverrides.push(o);
      continue;
    }
    const origin = { file: overrideLabel(o.text), field: o.key };
    const at = defaults.findIndex((d) => d.group === o.key);
    if (o.op === "delete") {
      if (at < 0) throw new ExperimentConfigError(o.key, `no '${o.key}' in the defaults list of ${file} to delete`, origin.file);
      defaults.splice(at, 1);
    } else if (at >= 0) {
      if (o.op === "add") throw new ExperimentConfigError(o.key, `'${o.key}' is already in the defaults list; write ${o.key}=${o.valueText} to change it`, origin.file);
      defaults[at] = { group: o.key, option: o.value as string | null, origin };
    } else {
      if (o.op === "set") {
        throw new ExperimentConfigError(o.key, `no '${o.key}' in the defaults list of ${file}; write +${o.key}=${o.valueText} to add it`, origin.file);
      }
      const self = defaults.findIndex((d) => d.self);
      defaults.splice(self < 0 ? defaults.length : self, 0, { group: o.key, option: o.value as string | null, origin });
    }
  }

  const merged: Mapping = {};
  const provenance = new Map<string, string>();
  const groups: { group: string; option: string | null; file?: string }[] = [];
  if (!defaults.some((d) => d.self)) defaults.push({ group: null, option: null, self: true, origin: { file, field: "defaults" } });
  for (const d of defaults) {
    if (d.self) {
      merge(merged, body, [], file, provenance);
      continue;
    }
    if (d.option === null) {
      groups.push({ group: d.group!, option: null });
      continue;
    }
    const loaded = loadOption(configDir, d);
    if (d.group !== null) groups.push({ group: d.group, option: d.option, file: loaded.file });
    merge(merged, loaded.value, loaded.at, loaded.file, provenance);
  }
  for (const o of valueOverrides) applyOverride(merged, o, provenance);
  return { raw: merged, file, baseDir: dirname(file), provenance, groups, overrides };
}

/** Compose, then resolve; errors name the file (or override) the offending value came from. */
export function loadComposedExperiment(path: string, overrides: readonly string[] = [], options: ComposeOptions = {}): Resolution & { composed: Composed } {
  const composed = composeExperiment(path, overrides, options);
  try {
    const resolution = resolveExperiment(composed);
    const warnings = resolution.warnings.map((w) => ({ ...w, file: sourceOf(w.field, composed.provenance) ?? w.file }));
    return { ...resolution, warnings, composed };
  } catch (error) {
    if (error instanceof ExperimentConfigError) throw attribute(error, composed.provenance);
    throw error;
  }
}

/** The file (or override) that set `field`: its longest dotted prefix found in the provenance. */
function sourceOf(field: string, provenance: ReadonlyMap<string, string>): string | undefined {
  const segments = field.replace(/\[(\d+)\]/g, ".$1").split(".").filter((s) => s !== "");
  for (let n = segments.length; n > 0; n--) {
    const source = provenance.get(segments.slice(0, n).join("."));
    if (source !== undefined) return source;
  }
  return undefined;
}

/** Re-labels an error with the source of its field (longest dotted prefix found in the provenance). */
export function attribute(error: ExperimentConfigError, provenance: ReadonlyMap<string, string>): ExperimentConfigError {
  const problems: ConfigProblem[] = error.problems.map((p) => ({ ...p, file: p.file ?? sourceOf(p.field, provenance) ?? error.file }));
  const file = problems[0]!.file ?? error.file;
  return new ExperimentConfigError(error.field, error.detail, file, problems);
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function readDefaults(raw: unknown, file: string): DefaultEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ExperimentConfigError("defaults", "expected a list, e.g. [ {optimizer: adamw}, _self_ ]", file);
  const seen = new Set<string>();
  return raw.map((entry: unknown, i): DefaultEntry => {
    const field = `defaults[${i}]`;
    const origin = { file, field };
    if (entry === "_self_") {
      if (seen.has("_self_")) throw new ExperimentConfigError(field, "_self_ is listed twice", file);
      seen.add("_self_");
      return { group: null, option: null, self: true, origin };
    }
    if (typeof entry === "string") return { group: null, option: entry, origin };
    if (!isMapping(entry) || Object.keys(entry).length !== 1) {
      throw new ExperimentConfigError(field, `expected 'group: option', a config name or _self_, got ${JSON.stringify(entry)}`, file);
    }
    const [group, option] = Object.entries(entry)[0]!;
    if (option !== null && typeof option !== "string") {
      throw new ExperimentConfigError(`${field}.${group}`, `expected an option name (a file in ${group}/) or null, got ${JSON.stringify(option)}`, file);
    }
    if (seen.has(group)) throw new ExperimentConfigError(`${field}.${group}`, `the group '${group}' is listed twice`, file);
    seen.add(group);
    return { group, option, origin: { file, field: `${field}.${group}` } };
  });
}

function optionsIn(folder: string): string[] {
  if (!isFolder(folder)) return [];
  return readdirSync(folder)
    .filter((f) => EXTENSIONS.includes(extname(f).toLowerCase()))
    .map((f) => f.slice(0, -extname(f).length))
    .sort();
}

/** Reads a group option (or a plain config of the defaults list) and says where it merges. */
function loadOption(configDir: string, d: DefaultEntry): { value: Mapping; at: string[]; file: string } {
  const folder = d.group === null ? configDir : join(configDir, d.group);
  const option = d.option!;
  const candidate = EXTENSIONS.map((ext) => join(folder, option + ext)).find((p) => existsSync(p));
  if (!candidate) {
    const known = optionsIn(folder);
    const what = d.group === null ? "config" : `option for the group '${d.group}'`;
    const where = known.length === 0 ? `; ${folder} has no .yaml/.yml/.json files` : "";
    throw new ExperimentConfigError(d.origin.field, unknownName(what, option, known) + where, d.origin.file);
  }
  const text = readFileSync(candidate, "utf8");
  const value = parseExperimentText(text, candidate);
  if (value === null || value === undefined) return { value: {}, at: [], file: candidate };
  if (!isMapping(value)) throw new ExperimentConfigError("", "expected a mapping", candidate);
  if ("defaults" in value) {
    throw new ExperimentConfigError("defaults", "a defaults list is only read in the primary config (nested defaults are not supported)", candidate);
  }
  const global = /^\s*#\s*@package\s+_global_\b/m.test(text.split("\n").slice(0, 5).join("\n"));
  if (d.group === null || global) return { value, at: [], file: candidate };
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === d.group && isMapping(value[d.group])) {
    return { value: value[d.group] as Mapping, at: [d.group], file: candidate };
  }
  return { value, at: [d.group], file: candidate };
}

/** Deep-merges `source` into `target` at `at`: mappings key by key, everything else replaces. */
function merge(target: Mapping, source: Mapping, at: readonly string[], file: string, provenance: Map<string, string>): void {
  let node = target;
  for (let k = 0; k < at.length; k++) {
    const key = at[k]!;
    if (!isMapping(node[key])) {
      node[key] = {};
      provenance.set(at.slice(0, k + 1).join("."), file);
    }
    node = node[key] as Mapping;
  }
  const walk = (dst: Mapping, src: Mapping, prefix: string[]) => {
    for (const [key, value] of Object.entries(src)) {
      const path = [...prefix, key];
      const dotted = path.join(".");
      if (isMapping(value) && isMapping(dst[key])) {
        walk(dst[key] as Mapping, value, path);
      } else {
        dst[key] = isMapping(value) ? structuredClone(value) : Array.isArray(value) ? structuredClone(value) : value;
        for (const p of [...provenance.keys()]) if (p.startsWith(`${dotted}.`)) provenance.delete(p);
        if (isMapping(value)) markAll(value, path, file, provenance);
      }
      provenance.set(dotted, file);
    }
  };
  walk(node, source, [...at]);
}

function markAll(value: Mapping, prefix: string[], file: string, provenance: Map<string, string>): void {
  for (const [key, v] of Object.entries(value)) {
    const path = [...prefix, key];
    provenance.set(path.join("."), file);
    if (isMapping(v)) markAll(v, path, file, provenance);
  }
}

function applyOverride(root: Mapping, o: Override, provenance: Map<string, string>): void {
  const label = overrideLabel(o.text);
  let node: unknown = root;
  for (let k = 0; k < o.path.length - 1; k++) {
    const seg = o.path[k]!;
    const here = o.path.slice(0, k + 1).join(".");
    if (Array.isArray(node)) {
      const i = Number(seg);
      if (!/^\d+$/.test(seg) || i >= node.length) {
        throw new ExperimentConfigError(here, `list index ${seg} is out of range (the list has ${node.length} items)`, label);
      }
      node = node[i];
    } else if (isMapping(node)) {
      if (node[seg] === undefined || node[seg] === null) {
        if (o.op === "delete") throw new ExperimentConfigError(o.key, "nothing to delete: the key is not in the config", label);
        node[seg] = {};
        provenance.set(here, label);
      }
      node = node[seg];
    }
    if (!isMapping(node) && !Array.isArray(node)) {
      throw new ExperimentConfigError(here, `is ${JSON.stringify(node)}, not a mapping: '${o.key}' cannot be set inside it`, label);
    }
  }
  const last = o.path[o.path.length - 1]!;
  if (Array.isArray(node)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= node.length) {
      throw new ExperimentConfigError(o.key, `list index ${last} is out of range (the list has ${node.length} items)`, label);
    }
    if (o.op === "delete") node.splice(i, 1);
    else node[i] = o.value;
  } else {
    const mapping = node as Mapping;
    const exists = mapping[last] !== undefined;
    if (o.op === "delete") {
      if (!exists) throw new ExperimentConfigError(o.key, "nothing to delete: the key is not in the config", label);
      delete mapping[last];
    } else if (o.op === "add" && exists) {
      throw new ExperimentConfigError(o.key, `is already set (to ${JSON.stringify(mapping[last])}); drop the + to change it, or use ++`, label);
    } else {
      mapping[last] = o.value;
    }
  }
  for (const p of [...provenance.keys()]) if (p.startsWith(`${o.key}.`)) provenance.delete(p);
  provenance.set(o.key, label);
}
