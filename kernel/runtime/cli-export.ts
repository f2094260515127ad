/**
 * `neuroforge export <file.nfrun> --to DIR`: the run(s) as seed 003 artifacts (trace.npz, meta.json,
 * summary.json; per sweep manifest.json, runs/<id>/, summary.csv). Exit 0 written, 2 bad file or
 * usage, 1 the folder cannot be written.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_MAX_THETA_BYTES, runFileArtifacts } from "../record/artifacts";
import { NfrunError } from "../record/errors";
import { NfrunReader } from "../record/reader";
import { EXIT, type Print } from "./cli-run";
import { makeDirectories, writeTextAtomic } from "./files";

export interface ExportOptions {
  readonly to: string;
  readonly maxThetaMb?: string;
}

export async function exportCommand(file: string, options: ExportOptions, out: Print, err: Print): Promise<number> {
  const maxMb = options.maxThetaMb === undefined ? DEFAULT_MAX_THETA_BYTES / 2 ** 20 : Number(options.maxThetaMb);
  if (!(maxMb >= 0) || !Number.isFinite(maxMb)) {
    err(`neuroforge: --max-theta-mb: must be a number ≥ 0, got '${options.maxThetaMb}'`);
    return EXIT.badConfig;
  }
  let reader: NfrunReader | null = null;
  let artifacts;
  try {
    reader = await NfrunReader.open(file);
    artifacts = await runFileArtifacts(reader, file, { maxThetaBytes: maxMb * 2 ** 20 });
  } catch (e) {
    if (e instanceof NfrunError) {
      err(`neuroforge: ${e.message}`);
      return EXIT.badConfig;
    }
    throw e;
  } finally {
    reader?.close();
  }
  const dir = resolve(options.to);
  try {
    for (const [path, content] of artifacts) {
      const target = join(dir, path);
      if (typeof content === "string") writeTextAtomic(target, content);
      else {
        makeDirectories(dirname(target));
        writeFileSync(target, content);
      }
    }
  } catch (e) {
    err(`neuroforge: cannot write to ${options.to}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
  out(`exported ${[...artifacts.keys()].join(", ")} to ${options.to}`);
  return EXIT.ok;
}
