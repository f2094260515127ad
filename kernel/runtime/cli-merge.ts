/**
 * `neuroforge merge a.nfrun b.nfrun … -o all.nfrun`: the runs of several files (a sweep's shards run by
 * Slurm or Kubernetes, docs/sweeps.md) in one. Every input is verified (digests, and every weight
 * change replayed), nothing is lost, a run present twice is refused. Exit 0 written; 2 a bad or
 * hostile input, a duplicate, or an existing output (one line naming the file); 1 the output cannot be written.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { NfrunError } from "../record/errors";
import { mergeRunFiles } from "../record/merge";
import { RunFileLock } from "../record/run-lock";
import { EXIT, type Print } from "./cli-run";

export async function mergeCommand(inputs: readonly string[], options: { readonly out: string }, out: Print, err: Print): Promise<number> {
  const bad = (line: string): number => {
    err(`neuroforge: ${line}`);
    return EXIT.badConfig;
  };
  if (inputs.length < 2) return bad("merge: give two or more run files to merge");
  if (existsSync(options.out)) return bad(`-o ${options.out}: exists; merge writes a new file`);
  const target = resolve(options.out);
  const same = inputs.find((input) => resolve(input) === target);
  if (same) return bad(`-o ${options.out}: is also an input`);
  let lock: RunFileLock;
  try {
    lock = RunFileLock.acquire(options.out);
  } catch (e) {
    if (e instanceof NfrunError) return bad(`-o: ${e.message}`);
    throw e;
  }
  try {
    const merged = await mergeRunFiles(inputs, options.out, { replay: true });
    out(`merged ${merged.length} runs from ${inputs.length} files (each verified) into ${options.out}`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof NfrunError) return e.kind === "io" && e.path === options.out ? (err(`neuroforge: ${e.message}`), EXIT.failed) : bad(e.message);
    throw e;
  } finally {
    lock.release();
  }
}
