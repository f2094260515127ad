import { createHash } from "node:crypto";
import { strategies } from "../engine/optimizers/registry";
import type { Strategy } from "../engine/optimizers/strategy";
import { canonicalJson } from "./config-hash";
import type { StrategyRow } from "./writer-protocol";

/**
 * A strategy's identity as stored in a run (table `strategies`, docs/nfrun-format.md): its declaration
 * as canonical JSON and its functions' code, as one text, and that text's sha256. The text is the
 * JavaScript the strategy runs (Function.prototype.toString), re-printed by esbuild without whitespace
 * or comments, with import bindings written as their bare names (TypeScript writes `neuroforge_1.x`,
 * esbuild `import_neuroforge.x`): the same TypeScript compiled in a notebook cell or from a module given
 * to `neuroforge verify --strategy` gives the same text. The text is stored for people to read; it is
 * never executed.
 */
const HEADER = "// NeuroForge strategy fingerprint 1 (docs/nfrun-format.md): declaration, then each function";

const cache = new WeakMap<Strategy, { source: string; hash: string }>();

/** The fingerprint text of `strategy` and its sha256 (hex). */
export function strategyFingerprint(strategy: Strategy): { source: string; hash: string } {
  const known = cache.get(strategy);
  if (known) return known;
  const declaration = canonicalJson(declarationOf(strategy));
  const functions: [string, ((...args: never[]) => unknown) | undefined][] = [
    ["step", strategy.step],
    ["prepare", strategy.prepare],
    ["validate", strategy.validate],
    ["state.initial", strategy.state?.initial],
    ["kernel", strategy.kernel],
  ];
  const lines = [HEADER, `declaration ${declaration}`];
  for (const [key, fn] of functions) if (fn) lines.push(`${key} ${canonicalCode(fn.toString())}`);
  const source = lines.join("\n") + "\n";
  const result = { source, hash: createHash("sha256").update(source, "utf8").digest("hex") };
  cache.set(strategy, result);
  return result;
}

/** The declaration's data (everything but its functions). */
function declarationOf(strategy: Strategy): Record<string, unknown> {
  const { id, name, formula, description, whenToUse, bestFor, hyperparameters, audit } = strategy;
  const state = { perWeight: strategy.state?.perWeight ?? [], perNeuron: strategy.state?.perNeuron ?? [], global: strategy.state?.global ?? [] };
  return { id, name, formula, description, whenToUse, bestFor, hyperparameters, state, audit };
}

/** A function's source re-printed without whitespace; a method (`step(s) {…}`) is wrapped as an object. */
function canonicalCode(text: string): string {
  // Loaded only here: the processes that never record a user's strategy (the extension host) never load esbuild.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transformSync } = require("esbuild") as typeof import("esbuild");
  let printed: string | null = null;
  for (const wrapped of [`({${text}})`, `(${text})`]) {
    try {
      printed = transformSync(wrapped, { loader: "js", minifyWhitespace: true }).code.trim();
      break;
    } catch {
      // not this form: try the next
    }
  }
  if (printed === null) printed = text.replace(/\s+/g, " ");
  return printed.replace(/\(0,(?:[\w$]+_\d+|import_[\w$]+)\.([\w$]+)\)/g, "$1").replace(/\b(?:[\w$]+_\d+|import_[\w$]+)\.([\w$]+)/g, "$1");
}

/** Whether `strategy` is the built-in strategy registered under its id (not a user's of the same id). */
export function isBuiltin(strategy: Strategy): boolean {
  return Object.hasOwn(strategies, strategy.id) && strategies[strategy.id] === strategy;
}

/**
 * The `strategies` row of a run trained with `strategy`. A built-in one is named by its id (this
 * NeuroForge's code replays it; no source or hash); a user's stores its fingerprint and hash, and
 * `cellSource` when it was defined in a notebook cell.
 */
export function strategyRow(strategy: Strategy, cellSource: string | null): StrategyRow {
  const builtin = isBuiltin(strategy);
  const fingerprint = builtin ? null : strategyFingerprint(strategy);
  return {
    strategyId: strategy.id,
    builtin,
    declarationJson: canonicalJson(declarationOf(strategy)),
    source: fingerprint?.source ?? null,
    sourceHash: fingerprint?.hash ?? null,
    cellSource: builtin ? null : cellSource,
  };
}
