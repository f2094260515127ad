import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { buildSync, type BuildFailure } from "esbuild";
import * as engine from "../engine/index";
import type { Strategy } from "../engine/optimizers/strategy";
import { NfrunError } from "../record/errors";
import { strategyFingerprint } from "../record/strategy-fingerprint";
import { registerStrategy } from "../record/strategy-registry";

/**
 * `neuroforge verify --strategy my-optimizer.ts`: the user's own module, compiled with esbuild (its
 * relative imports bundled; `neuroforge` is this NeuroForge's engine) and run, because the user gives it.
 * Every exported strategy (a `defineStrategy` value) is registered under its fingerprint's hash, so a
 * run recorded with the same code replays with it (kernel/record/strategy-registry.ts). Errors are
 * NfrunError 'bad-argument' naming the file.
 */
export function loadStrategyModule(file: string): Strategy[] {
  const filename = path.resolve(file);
  if (!fs.existsSync(filename)) throw new NfrunError("bad-argument", "--strategy: no such file", file);
  let code: string;
  try {
    const out = buildSync({ entryPoints: [filename], bundle: true, platform: "node", format: "cjs", target: "node20", write: false, external: ["neuroforge"], logLevel: "silent" });
    code = out.outputFiles[0]!.text;
  } catch (e) {
    const first = (e as BuildFailure).errors?.[0];
    const where = first?.location ? `line ${first.location.line}, column ${first.location.column + 1}: ` : "";
    throw new NfrunError("bad-argument", `--strategy: does not compile: ${where}${first?.text ?? (e as Error).message}`, file);
  }
  const mod = new Module(filename);
  mod.filename = filename;
  const plainRequire = Module.createRequire(filename);
  mod.require = ((id: string) => (id === "neuroforge" ? engine : plainRequire(id))) as NodeJS.Require;
  try {
    (mod as unknown as { _compile(c: string, f: string): void })._compile(code, filename);
  } catch (e) {
    throw new NfrunError("bad-argument", `--strategy: the module threw when loaded: ${(e as Error).message}`, file);
  }
  const found = Object.values(mod.exports as Record<string, unknown>).filter(isStrategy);
  if (found.length === 0) throw new NfrunError("bad-argument", "--strategy: the module exports no strategy (export const x = defineStrategy({ … }))", file);
  for (const s of found) registerStrategy(strategyFingerprint(s).hash, s);
  return found;
}

function isStrategy(v: unknown): v is Strategy {
  const s = v as Partial<Strategy> | null;
  return !!s && typeof s === "object" && typeof s.id === "string" && typeof s.step === "function" && Array.isArray(s.audit) && typeof s.hyperparameters === "object";
}
